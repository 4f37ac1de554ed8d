"""What every importer shares: hourly rows, problems that name file and line, time and number parsing."""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

Label = Literal["start", "end"]  # which instant of its hour a source writes beside a value
NA = {"", "NA", "NaN", "nan", "null", "None"}
_ISO_NO_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


class BadRow(ValueError):
    """One row that cannot be imported; the message says why in words."""


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ReferenceValue:
    station_id: str
    component: str
    hour: datetime  # start of the hour, UTC
    value: float


@dataclass(frozen=True)
class WeatherHour:
    station_id: str
    hour: datetime
    wind_state: str | None  # "direction", "calm", "variable" or None (not measured)
    wind_dir: int | None  # degrees the wind comes FROM, 1–360; None unless wind_state is "direction"
    wind_speed: float | None  # m/s
    temperature: float | None  # °C
    humidity: float | None  # %


@dataclass(frozen=True)
class KitHour:
    external_id: str
    hour: datetime
    pm25: float | None
    pm10: float | None
    t: float | None
    rh: float | None


@dataclass
class Parsed:
    """Rows of one file, with the problems met (the good rows are kept) and exact repeats skipped."""

    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    repeats: int = 0
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)

    def add(self, key: tuple, row: object, seen: dict, path: str, line: int) -> None:
        """Keep a row once; the same key again with other values is a problem, with the same values a repeat."""
        if key in seen:
            if seen[key][0] == row:
                self.repeats += 1
            else:
                self.problems.append(Problem(path, line, f"conflicts with line {seen[key][1]} for the same hour"))
            return
        seen[key] = (row, line)
        self.rows.append(row)


def number(text: str | None, what: str) -> float | None:
    if text is None or text.strip() in NA:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRow(f"{what} {text.strip()!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadRow(f"{what} {text.strip()!r} is not a finite number")
    return value


def hour_start(text: str | None, label: Label) -> datetime:
    """The start of the hour, UTC, from a source's timestamp and its convention (`label`).

    Timestamps without a zone are UTC in every source here (data/reference/README.md says why per source).
    """
    if text is None or text.strip() in NA:
        raise BadRow("no time")
    raw = text.strip()
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRow(f"time {raw!r} is not an ISO date and time") from None
    if when.tzinfo is None:
        if not _ISO_NO_ZONE.match(raw):
            raise BadRow(f"time {raw!r} has no hour")
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    if when.minute or when.second or when.microsecond:
        raise BadRow(f"time {raw!r} is not on the hour")
    return when - timedelta(hours=1) if label == "end" else when


def csv_lines(reader: "csv.DictReader | csv._reader", out: Parsed, path: str) -> Iterator[tuple[int, object]]:
    """(line number, record) of a csv reader; a line the csv module cannot read is a problem, the rest goes on.

    The line number is the reader's (the last physical line of the record), so quoted newlines do not shift it.
    """
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            # DictReader updates its own line_num only after a successful read: ask the reader underneath.
            line = getattr(reader, "reader", reader).line_num
            out.problems.append(Problem(path, line, f"unreadable CSV: {e}"))
            continue
        yield reader.line_num, record
