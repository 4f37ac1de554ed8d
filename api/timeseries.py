"""Time series of several kits and quantities: raw readings or rollups, in long form, keyset-paginated.

Raw rows come from `readings` ordered by (kit_id, time), one result per non-null quantity; rollup rows from
rollup_10min / rollup_hourly / rollup_daily ordered by (kit_id, quantity, bucket). Both orders follow an index,
so every page is an index range scan whatever its position. The same SQL feeds the streamed exports. A rollup's
`value` is the mean of all values (raw values are never hidden); where values were left out of the clean mean,
/v1/series adds `n_clean` and `clean_value` (docs/quality.md).
"""

from datetime import datetime
from typing import Any

from psycopg import sql

from api.params import ROLLUP_TABLES
from ijlucht.quantities import BY_KEY

COLUMNS = ("kit_id", "time", "quantity", "value", "n", "n_flagged", "min", "max", "flags")

# The kits asked for that the caller may see, as an array computed once (an InitPlan), so each table is read by
# its (kit_id, ...) index only for those kits.
_KITS = "kit_id = ANY(ARRAY(SELECT kit_id FROM kits WHERE kit_id = ANY(%(kits)s) AND (%(private)s OR public)))"


def raw_query(quantities: list[str], paged: bool, after: bool = False) -> sql.Composed:
    cols = sql.SQL(", ").join(sql.Identifier(q) for q in quantities)
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
        "SELECT kit_id, bucket, quantity, mean, n, n_flagged, min, max, n_clean, clean_mean FROM {table}"
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
    for kit_id, t, flags, *values in rows:
        flagged = 1 if flags else 0
        for q, v in zip(quantities, values, strict=True):
            if v is not None:
                v = round(float(v), BY_KEY[q].decimals)
                out.append((kit_id, t, q, v, 1, flagged, v, v, flags))
    return out


_DECIMALS = {k: q.decimals for k, q in BY_KEY.items()}


def rollup_rows(rows: list[tuple]) -> list[tuple]:
    """Rollup rows as result tuples in COLUMNS order (value = mean; flags only exist on raw readings)."""
    decimals = _DECIMALS
    return [
        (kit_id, bucket, q, round(mean, d), n, n_flagged, round(lo, d), round(hi, d), None)
        for kit_id, bucket, q, mean, n, n_flagged, lo, hi, _, _ in rows
        for d in (decimals[q],)
    ]


def as_dicts(rows: list[tuple]) -> list[dict[str, Any]]:
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def rollup_dicts(rows: list[tuple]) -> list[dict[str, Any]]:
    """rollup_rows straight to response objects (the hot path of a year of hours: no tuples in between).

    A bucket with values left out (docs/quality.md) also gets `n_clean` and `clean_value`, its clean mean; the
    others leave them out (their clean mean is `value`), which keeps the common answer as small and fast as before.
    """
    decimals = _DECIMALS
    out = []
    append = out.append
    for kit_id, bucket, q, mean, n, n_flagged, lo, hi, n_clean, clean in rows:
        d = decimals[q]
        row = {
            "kit_id": kit_id,
            "time": bucket,
            "quantity": q,
            "value": round(mean, d),
            "n": n,
            "n_flagged": n_flagged,
            "min": round(lo, d),
            "max": round(hi, d),
            "flags": None,
        }
        if n_clean != n:
            row["n_clean"] = n_clean
            row["clean_value"] = None if clean is None else round(clean, d)
        append(row)
    return out


def query_params(
    kits: list[str], quantities: list[str], start: datetime, end: datetime, private: bool
) -> dict[str, Any]:
    return {"kits": kits, "quantities": quantities, "start": start, "end": end, "private": private}
