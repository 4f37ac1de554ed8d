"""Corrected values beside the raw ones in series rows (`correction=humidity|calibrated`): the kit's readings are
read once per page and corrected one by one before any bucket mean (ijlucht/corrections.py)."""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from psycopg import AsyncConnection

from api.queries import reference
from api.queries import series as timeseries
from ijlucht import corrections

WIDTH = {
    "raw": timedelta(microseconds=1),
    "10min": timedelta(minutes=10),
    "hour": timedelta(hours=1),
    "day": timedelta(hours=25),
}  # fmt: skip  (a local day is at most 25 h)
PAGE_WITH_CORRECTION = 1000  # rollup rows a page when corrected: each needs its readings read and corrected
COLUMN = {"pm1": 2, "pm25": 3, "pm10": 4}


async def annotate(conn: AsyncConnection, rows: list[dict[str, Any]], kind: str, resolution: str) -> None:
    """Add corrected_value, correction (method version), correction_reason and calibration_id to each row."""
    kits = list(dict.fromkeys(r["kit_id"] for r in rows))
    records = await reference.latest_calibrations(conn, kits)
    for kit in kits:
        mine = [r for r in rows if r["kit_id"] == kit]
        chosen = {q: corrections.choose(kind, q, records.get(kit)) for q in {r["quantity"] for r in mine}}
        wanted = [r for r in mine if chosen[r["quantity"]].method is not None]
        readings = []
        if wanted:
            start = min(r["time"] for r in wanted)
            readings = await reference.humidity_readings(
                conn, kit, start, max(r["time"] for r in wanted) + WIDTH[resolution]
            )
        frame = pd.DataFrame(readings, columns=["time", "rh", "pm1", "pm25", "pm10"], dtype=object)
        times = pd.DatetimeIndex(pd.to_datetime(frame["time"], utc=True))
        rh = frame["rh"].to_numpy(dtype=float)
        for q, kc in chosen.items():
            if kc.method is None:
                values: dict = {}
            elif resolution == "raw":
                corrected, flags = corrections.correct(kc, frame[q].to_numpy(dtype=float), rh)
                values = {t: (v, f) for t, v, f in zip(times, corrected, flags, strict=True)}
            else:
                means = corrections.bucket_means(kc, times, frame[q].to_numpy(dtype=float), rh, resolution)
                values = {t: (v, 0) for t, v in means.items()}
            for r in mine:
                if r["quantity"] == q:
                    v, f = values.get(pd.Timestamp(r["time"]), (np.nan, 0))
                    r.update(corrections.value_fields(kc, v, int(f)))


NO_READING = {
    "corrected_value": None,
    "correction": None,
    "correction_reason": "no reading",
    "calibration_id": None,
}


async def latest_fields(conn: AsyncConnection, kit_ids: list[str], quantity: str, kind: str) -> dict[str, dict]:
    """The corrected fields of each kit's latest reading (the map), from its own humidity at that moment."""
    records = await reference.latest_calibrations(conn, kit_ids)
    out = {}
    for kit_id, value, rh in await reference.latest_with_humidity(conn, kit_ids, quantity):
        kc = corrections.choose(kind, quantity, records.get(kit_id))
        if value is None:
            out[kit_id] = {**NO_READING, "correction_reason": kc.reason or f"no {quantity} in the latest reading"}
            continue
        values, flags = corrections.correct(kc, np.array([value]), np.array([np.nan if rh is None else rh]))
        out[kit_id] = corrections.value_fields(kc, float(values[0]), int(flags[0]))
    return out


COLUMNS = ("corrected_value", "correction", "correction_reason", "calibration_id")


async def corrected_batches(
    source: AsyncGenerator[list[tuple]], pool: Any, kind: str, resolution: str
) -> AsyncGenerator[list[tuple]]:
    """Export batches (timeseries.COLUMNS order) with the corrected columns appended."""
    async with aclosing(source):
        async for rows in source:
            dicts = [dict(zip(timeseries.COLUMNS, r, strict=True)) for r in rows]
            if dicts:
                async with pool.connection() as conn:
                    await annotate(conn, dicts, kind, resolution)
            yield [(*r, *(d[c] for c in COLUMNS)) for r, d in zip(rows, dicts, strict=True)]
