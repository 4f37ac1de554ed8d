"""Counts and checksums of a database's tables, to show that an upgrade or a restore lost and changed nothing."""

import psycopg
from psycopg import sql

# What a platform must never lose: readings and their derived tables, kits, rejects and the accounts (API keys).
TABLES = ("kits", "readings", "latest_readings", "rejects", "api_keys", "rollup_10min", "rollup_hourly")


def columns(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
        " ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [r[0] for r in rows]


def table_fingerprint(conn: psycopg.Connection, table: str, cols: list[str]) -> tuple[int, str]:
    """(rows, md5 over the rows' text in a fixed order) of `cols` of `table`."""
    row_text = sql.SQL("({})::text").format(sql.SQL("row({})").format(sql.SQL(", ").join(map(sql.Identifier, cols))))
    query = sql.SQL(
        "SELECT count(*), coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '') FROM (SELECT {} AS r FROM {}) t"
    )
    count, digest = conn.execute(query.format(row_text, sql.Identifier(table))).fetchone()  # type: ignore[misc]
    return count, digest


def fingerprint(dsn: str, shape: dict[str, list[str]] | None = None) -> dict[str, tuple[int, str]]:
    """Every table of TABLES with the columns it has now, or with those of `shape` (the columns before an upgrade)."""
    with psycopg.connect(dsn) as conn:
        shape = shape or {t: columns(conn, t) for t in TABLES}
        return {t: table_fingerprint(conn, t, cols) for t, cols in shape.items()}


def shape_of(dsn: str) -> dict[str, list[str]]:
    with psycopg.connect(dsn) as conn:
        return {t: columns(conn, t) for t in TABLES}
