"""Writes validated batches to TimescaleDB in one transaction each: readings, latest values, kit state, rejects.

Readings go through COPY into a temporary staging table, then one INSERT … ON CONFLICT DO NOTHING, so a reading
that arrives twice (QoS 1 redelivery, a replayed backlog) is stored once.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from ijlucht.quantities import KEYS
from ingest.judge import Batch
from ingest.rollups import MARK_PENDING
from ingest.validate import FW_MAX_CHARS, Row, info_uptime

_QCOLS = ", ".join(KEYS)
_COLUMNS = f"time, kit_id, {_QCOLS}, flags, seq, received_at"

# Times travel as Unix seconds (float8) and become timestamptz in SQL: the conversion then runs in PostgreSQL,
# on the other core, instead of in the worker's Python thread.
_STAGING_COLUMNS = f"ts, kit_id, {_QCOLS}, flags, seq, received"
_COPY_TYPES = ["float8", "text", *(["float4"] * len(KEYS)), "int4", "int8", "float8"]

_CREATE_STAGING = f"""
CREATE TEMP TABLE IF NOT EXISTS staging_readings (
    ts float8, kit_id text, {", ".join(k + " real" for k in KEYS)},
    flags integer, seq bigint, received float8
) ON COMMIT DELETE ROWS
"""

_INSERT_READINGS = f"""
INSERT INTO readings ({_COLUMNS})
SELECT to_timestamp(ts), kit_id, {_QCOLS}, flags, seq, to_timestamp(received) FROM staging_readings
ON CONFLICT (kit_id, time) DO NOTHING
"""

_UPSERT_LATEST = f"""
INSERT INTO latest_readings (kit_id, time, {_QCOLS}, flags, received_at)
SELECT DISTINCT ON (kit_id) kit_id, to_timestamp(ts), {_QCOLS}, flags, to_timestamp(received)
FROM staging_readings ORDER BY kit_id, ts DESC
ON CONFLICT (kit_id) DO UPDATE SET
    time = excluded.time, {", ".join(f"{k} = excluded.{k}" for k in KEYS)},
    flags = excluded.flags, received_at = excluded.received_at
WHERE excluded.time > latest_readings.time
"""


@dataclass(frozen=True)
class StoreResult:
    stored: int
    duplicates: int
    rejected: int

    def __add__(self, other: "StoreResult") -> "StoreResult":
        return StoreResult(
            self.stored + other.stored, self.duplicates + other.duplicates, self.rejected + other.rejected
        )


def _utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _text(s: str) -> str:
    """Text PostgreSQL accepts whatever a reject quotes: lone surrogates and NUL written as escapes."""
    return s.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _copy_rows(rows: list[tuple[Row, float]]) -> Iterator[tuple]:
    """Rows in _STAGING_COLUMNS order."""
    for row, received in rows:
        v = row.values
        yield (
            row.ts,
            row.kit_id,
            v["pm1"],
            v["pm25"],
            v["pm10"],
            v["t"],
            v["rh"],
            v["p"],
            row.flags,
            row.seq,
            received,
        )


assert KEYS == ("pm1", "pm25", "pm10", "t", "rh", "p"), "_copy_rows spells the quantity columns out"


def store_batch(conn: psycopg.Connection, batch: Batch) -> StoreResult:
    """Write the batch atomically; the caller acknowledges its messages only after this returns."""
    stored = 0
    with conn.transaction(), conn.cursor() as cur:
        if batch.rows:
            cur.execute(_CREATE_STAGING)
            with cur.copy(f"COPY staging_readings ({_STAGING_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(_COPY_TYPES)
                for item in _copy_rows(batch.rows):
                    copy.write_row(item)
            cur.execute(_INSERT_READINGS)
            stored = cur.rowcount
            cur.execute(_UPSERT_LATEST)
            cur.execute(MARK_PENDING)
        for kit_id, (online, when) in batch.status.items():
            cur.execute(
                "UPDATE kits SET online = %s, last_seen = greatest(last_seen, %s) WHERE kit_id = %s",
                (online, _utc(when), kit_id),
            )
        for kit_id, (info, when) in batch.info.items():
            uptime = info_uptime(info)
            if when is not None and uptime is not None:
                cur.execute("UPDATE kits SET booted_at = %s WHERE kit_id = %s", (_utc(when - uptime), kit_id))
            sensors = info.get("sensors")
            cur.execute(
                "UPDATE kits SET info = %s, firmware = %s, sensors = %s, boot_count = %s,"
                " last_seen = greatest(last_seen, %s) WHERE kit_id = %s",
                (
                    json.dumps(info),
                    str(info["fw"])[:FW_MAX_CHARS] if "fw" in info else None,
                    [str(s)[:FW_MAX_CHARS] for s in sensors] if isinstance(sensors, list) else None,
                    info["boot"] if isinstance(info.get("boot"), int) and abs(info["boot"]) < 2**31 else None,
                    _utc(when),
                    kit_id,
                ),
            )
        if batch.rows:
            # A kit that sends readings is alive, whatever its retained status said.
            last = {}
            for row, received in batch.rows:
                last[row.kit_id] = max(last.get(row.kit_id, 0.0), received)
            cur.execute(
                "UPDATE kits k SET last_seen = greatest(k.last_seen, s.seen)"
                " FROM unnest(%s::text[], %s::timestamptz[]) AS s (kit_id, seen) WHERE k.kit_id = s.kit_id",
                (list(last), [_utc(ts) for ts in last.values()]),
            )
        if batch.rejects:
            cur.executemany(
                "INSERT INTO rejects (topic, kit_id, reason, excerpt) VALUES (%s, %s, %s, %s)",
                [(_text(r.topic), r.kit_id, _text(r.reason), _text(r.excerpt)) for r in batch.rejects],
            )
    return StoreResult(stored=stored, duplicates=len(batch.rows) - stored, rejected=len(batch.rejects))


def expire_rejects(conn: psycopg.Connection, retention_s: float, chunk: int = 10_000) -> int:
    """Delete rejects older than `retention_s`, oldest first in short statements (index on received_at)."""
    deleted = 0
    while True:
        cur = conn.execute(
            "DELETE FROM rejects WHERE id IN (SELECT id FROM rejects"
            " WHERE received_at < now() - make_interval(secs => %s) ORDER BY received_at LIMIT %s)",
            (retention_s, chunk),
        )
        deleted += cur.rowcount
        if cur.rowcount < chunk:
            return deleted


@dataclass(frozen=True)
class KitContext:
    """What the worker needs to know of a kit before judging its readings."""

    registered: float  # Unix time
    booted_at: float | None
    recent: list[tuple[float, dict[str, float | None]]]  # its last readings, oldest first


def disabled_kits(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT kit_id FROM kits WHERE disabled_at IS NOT NULL")}


def kit_context(conn: psycopg.Connection, kit_id: str, recent: int = 30) -> KitContext | None:
    """None for an unknown kit."""
    row = conn.execute(
        "SELECT extract(epoch FROM created_at)::float8, extract(epoch FROM booted_at)::float8"
        " FROM kits WHERE kit_id = %s",
        (kit_id,),
    ).fetchone()
    if row is None:
        return None
    rows = conn.execute(
        f"SELECT extract(epoch FROM time)::float8, {_QCOLS} FROM readings WHERE kit_id = %s"
        " ORDER BY time DESC LIMIT %s",
        (kit_id, recent),
    ).fetchall()
    last = [(r[0], dict(zip(KEYS, r[1:], strict=True))) for r in reversed(rows)]
    return KitContext(float(row[0]), row[1], last)
