"""Time series of several kits and quantities: raw readings or rollups, in long form, keyset-paginated.

Raw rows come from `readings` ordered by (kit_id, time), one result per non-null quantity; rollup rows from
rollup_10min / rollup_hourly / rollup_daily ordered by (kit_id, quantity, bucket). Both orders follow an index,
so every page is an index range scan whatever its position. The same SQL feeds the streamed exports. A rollup's
`value` is the mean of all values (raw values are never hidden), `clean_value` the mean of the clean ones
(docs/quality.md). Raw values are read as their shortest exact decimal (real::text::float8).
"""

from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql

from api.params import ROLLUP_TABLES
from ijlucht import quality
from ijlucht.quantities import BY_KEY

FLAG_BITS = tuple(quality.NAMES)
FLAG_COLUMNS = tuple(f"n_{name}" for name in quality.NAMES.values())
UNCLEAN = quality.UNCLEAN
# One row per kit, time and quantity. `time` is the start of the bucket for rollups. `value` is the raw value or
# the mean of all values; `clean_value` the same over clean readings only (docs/quality.md); n_<flag> how many
# readings carried each flag. unit/ucum: the quantity's unit and its UCUM code.
COLUMNS = (
    "kit_id", "time", "quantity", "unit", "ucum", "value", "clean_value", "n", "n_clean", "n_flagged", "min", "max",
    "flags", *FLAG_COLUMNS,
)  # fmt: skip
_UNITS = {k: (q.unit, q.ucum) for k, q in BY_KEY.items()}
_NO_COUNTS = (None,) * len(FLAG_BITS)  # rows written before migration 030 and not yet recomputed

# The kits asked for that the caller may see, as an array computed once (an InitPlan), so each table is read by
# its (kit_id, ...) index only for those kits.
_KITS = "kit_id = ANY(ARRAY(SELECT kit_id FROM kits WHERE kit_id = ANY(%(kits)s) AND (%(private)s OR public)))"


def raw_query(quantities: list[str], paged: bool, after: bool = False) -> sql.Composed:
    # float4 as its shortest exact decimal (see api/queries/kits.py)
    cols = sql.SQL(", ").join(sql.SQL("{}::text::float8").format(sql.Identifier(q)) for q in quantities)
    return sql.SQL(
        "SELECT kit_id, time, flags, {cols} FROM readings"
        " WHERE " + _KITS + " AND time >= %(start)s AND time < %(end)s{after}"
        " ORDER BY kit_id, time {limit}"
    ).format(
        cols=cols,
        after=sql.SQL(" AND (kit_id, time) > (%(after_kit)s, %(after_time)s)" if after else ""),
        limit=sql.SQL("LIMIT %(limit)s" if paged else ""),
    )


def rollup_query(resolution: str, paged: bool, after: bool = False) -> sql.Composed:
    return sql.SQL(
        "SELECT kit_id, bucket, quantity, mean, n, n_flagged, min::text::float8, max::text::float8, n_clean, clean_mean"
        ", flag_counts FROM {table}"
        " WHERE " + _KITS + " AND quantity = ANY(%(quantities)s)"
        " AND bucket >= %(start)s AND bucket < %(end)s{after}"
        " ORDER BY kit_id, quantity, bucket {limit}"
    ).format(
        table=sql.Identifier(ROLLUP_TABLES[resolution]),
        after=sql.SQL(
            " AND (kit_id, quantity, bucket) > (%(after_kit)s, %(after_quantity)s, %(after_time)s)" if after else ""
        ),
        limit=sql.SQL("LIMIT %(limit)s" if paged else ""),
    )


def raw_rows(rows: list[tuple], quantities: list[str]) -> list[tuple]:
    """Wide reading rows (kit_id, time, flags, q1, q2, ...) as long result tuples in COLUMNS order."""
    out = []
    units = _UNITS
    for kit_id, t, flags, *values in rows:
        flagged = 1 if flags else 0
        clean = not flags & UNCLEAN
        counts = tuple(1 if flags & bit else 0 for bit in FLAG_BITS)
        for q, v in zip(quantities, values, strict=True):
            if v is not None:
                unit, ucum = units[q]
                out.append(
                    (kit_id, t, q, unit, ucum, v, v if clean else None, 1, int(clean), flagged, v, v, flags, *counts)
                )
    return out


def rollup_rows(rows: list[tuple]) -> list[tuple]:
    """Rollup rows as result tuples in COLUMNS order (value = mean of all values, clean_value = mean of the clean
    ones; flags only exist on raw readings, per-flag counts on both)."""
    units = _UNITS
    return [
        (kit_id, bucket, q, *units[q], mean, clean, n, n_clean, n_flagged, lo, hi, None, *(counts or _NO_COUNTS))
        for kit_id, bucket, q, mean, n, n_flagged, lo, hi, n_clean, clean, counts in rows
    ]


def as_dicts(rows: list[tuple]) -> list[dict[str, Any]]:
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def rollup_dicts(rows: list[tuple]) -> list[dict[str, Any]]:
    """Rollup rows straight to response objects in COLUMNS order: the hot path of a year of hours (dict literals
    are about twice as fast as zipping tuples; test_series checks both give the same)."""
    units = _UNITS
    out = []
    append = out.append
    for kit_id, bucket, q, mean, n, n_flagged, lo, hi, n_clean, clean, counts in rows:
        unit, ucum = units[q]
        c0, c1, c2, c3, c4, c5, c6, c7 = counts or _NO_COUNTS
        append(
            {
                "kit_id": kit_id,
                "time": bucket,
                "quantity": q,
                "unit": unit,
                "ucum": ucum,
                "value": mean,
                "clean_value": clean,
                "n": n,
                "n_clean": n_clean,
                "n_flagged": n_flagged,
                "min": lo,
                "max": hi,
                "flags": None,
                "n_out_of_range": c0,
                "n_spike": c1,
                "n_flatline": c2,
                "n_high_humidity": c3,
                "n_pm25_above_pm10": c4,
                "n_clock_not_synced": c5,
                "n_backfilled": c6,
                "n_warm_up": c7,
            }
        )
    return out


def query_params(
    kits: list[str], quantities: list[str], start: datetime, end: datetime, private: bool
) -> dict[str, Any]:
    return {"kits": kits, "quantities": quantities, "start": start, "end": end, "private": private}


async def page(conn: AsyncConnection, query: sql.Composed, params: dict[str, Any]) -> list[tuple]:
    """One page of a paged raw_query/rollup_query (binary: floats decode faster)."""
    async with conn.cursor(binary=True) as cur:
        await cur.execute(query, params)
        return await cur.fetchall()


EXPORT_BATCH = 20_000  # rows a FETCH of an export; memory stays at one batch whatever the range


async def batches(
    pool: Any, query: Any, params: dict[str, Any], to_rows: Callable[[list], list[tuple]], idle_ms: int
) -> AsyncGenerator[list[tuple]]:
    """Result tuples (timeseries.COLUMNS order), EXPORT_BATCH source rows at a time, from a server-side cursor.

    Each FETCH has the connection's statement_timeout; between fetches the transaction may idle `idle_ms` at
    most (a reader that stops reading), then PostgreSQL ends the session and the connection leaves the pool."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, true)", (str(idle_ms),))
        async with conn.cursor(name="ijlucht_export") as cur:
            cur.itersize = EXPORT_BATCH
            await cur.execute(query, params)
            while True:
                rows = await cur.fetchmany(EXPORT_BATCH)
                if not rows:
                    break
                yield to_rows(rows)
