"""`ijlucht import SOURCE PATH...`: parse each file, keep its good rows, store them, and report per file."""

from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from ingest.sources import knmi, luchtmeetnet, samenmeten, store
from ingest.sources.rows import Parsed, Problem

SOURCES = ("luchtmeetnet", "knmi", "samenmeten")


@dataclass
class FileReport:
    path: str
    rows: int = 0
    written: int = 0
    unchanged: int = 0
    repeats: int = 0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.path}: {self.rows} rows, {self.written} new or changed, {self.unchanged} unchanged, "
            f"{self.repeats} repeated lines skipped, {len(self.problems)} problem(s)"
        )


def parse(source: str, path: Path, station: str | None = None, kit: str | None = None) -> Parsed:
    if source == "luchtmeetnet":
        return luchtmeetnet.parse_file(path, station)
    if source == "knmi":
        return knmi.parse_file(path, station)
    if source == "samenmeten":
        return samenmeten.parse_file(path, kit)
    raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")


def store_parsed(conn: psycopg.Connection, source: str, parsed: Parsed) -> store.Stored:
    if source == "luchtmeetnet":
        return store.store_reference(conn, parsed.rows)
    if source == "knmi":
        return store.store_weather(conn, parsed.rows)
    return store.store_kit_hours(conn, parsed.rows, parsed.positions)


def import_file(
    conn: psycopg.Connection, source: str, path: Path, station: str | None = None, kit: str | None = None
) -> FileReport:
    report = FileReport(str(path))
    try:
        parsed = parse(source, path, station, kit)
    except (OSError, UnicodeDecodeError) as e:
        report.problems.append(Problem(str(path), 0, f"cannot read the file: {e}"))
        return report
    report.rows, report.repeats, report.problems = len(parsed.rows), parsed.repeats, parsed.problems
    try:
        stored = store_parsed(conn, source, parsed)
    except (store.KitIdClash, psycopg.DataError, psycopg.IntegrityError) as e:
        report.problems.append(Problem(str(path), 0, f"nothing stored from this file: {e}"))
        return report
    report.written, report.unchanged = stored.written, stored.unchanged
    return report
