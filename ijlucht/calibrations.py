"""Calibration records in the database: the paired hours a fit needs, and storing what it gave.

The maths lives in ijlucht/science/calibration.py; this module only reads the kit's hourly history and the station's
hourly reference values (both at the start of the hour, UTC) and writes the versioned record.
"""

import json
import math
from datetime import datetime

import pandas as pd
import psycopg

from ijlucht.science import calibration


class NoData(LookupError):
    """The kit or the station has nothing to calibrate with; the message says which."""


def resolve_kit(conn: psycopg.Connection, kit: str) -> tuple[str, str | None]:
    """(platform id, network id) of a kit: one of ours (network id None) or of another network, given either id."""
    if conn.execute("SELECT 1 FROM kits WHERE kit_id = %s", (kit,)).fetchone():
        return kit, None
    row = conn.execute(
        "SELECT kit_id, external_id FROM external_kits WHERE kit_id = %s OR external_id = %s ORDER BY kit_id LIMIT 1",
        (kit, kit),
    ).fetchone()
    if row is None:
        raise NoData(f"no kit {kit!r}: neither a registered kit nor one imported (ijlucht import samenmeten)")
    return row[0], row[1]


def _check_station(conn: psycopg.Connection, station: str) -> None:
    if conn.execute("SELECT 1 FROM reference_stations WHERE station_id = %s", (station,)).fetchone() is None:
        raise NoData(f"no reference station {station!r} (import it first: ijlucht import luchtmeetnet)")


def reading_pairs(
    conn: psycopg.Connection, kit_id: str, station: str, start: datetime | None, end: datetime | None
) -> tuple[pd.DataFrame, pd.Series]:
    """A platform kit's raw readings (index: time; pm, rh) and the station's hourly PM2.5 (index: start of hour)."""
    _check_station(conn, station)
    period = "(%s::timestamptz IS NULL OR {t} >= %s) AND (%s::timestamptz IS NULL OR {t} < %s)"
    rows = conn.execute(
        f"SELECT time, pm25, rh FROM readings WHERE kit_id = %s AND pm25 IS NOT NULL AND {period.format(t='time')} "
        "ORDER BY time",
        (kit_id, start, start, end, end),
    ).fetchall()
    readings = pd.DataFrame(rows, columns=["time", "pm", "rh"], dtype=object)
    readings.index = pd.DatetimeIndex(pd.to_datetime(readings.pop("time"), utc=True))
    refs = conn.execute(
        f"SELECT hour, value FROM reference_hourly WHERE station_id = %s AND component = 'PM25' AND "
        f"{period.format(t='hour')} ORDER BY hour",
        (station, start, start, end, end),
    ).fetchall()
    ref = pd.Series([v for _, v in refs], index=pd.DatetimeIndex([h for h, _ in refs]).tz_convert("UTC"), dtype=float)
    return readings.astype(float), ref


def paired_hours(
    conn: psycopg.Connection, kit_id: str, station: str, start: datetime | None, end: datetime | None
) -> pd.DataFrame:
    """Columns pm, rh, ref per hour (index: start of hour, UTC); hours without a reference value are left out."""
    _check_station(conn, station)
    rows = conn.execute(
        "SELECT k.hour, k.pm25, k.rh, r.value FROM external_hourly k "
        "JOIN reference_hourly r ON r.hour = k.hour AND r.station_id = %s AND r.component = 'PM25' "
        "WHERE k.kit_id = %s AND (%s::timestamptz IS NULL OR k.hour >= %s) "
        "AND (%s::timestamptz IS NULL OR k.hour < %s) ORDER BY k.hour",
        (station, kit_id, start, start, end, end),
    ).fetchall()
    frame = pd.DataFrame(rows, columns=["hour", "pm", "rh", "ref"], dtype=object)
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.pop("hour"), utc=True))
    return frame.astype(float)


def _clean(value: object) -> object:
    """JSON without NaN: a metric that cannot be computed is null."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def as_json(
    record: calibration.Record, kit_id: str, external_id: str | None, station: str, record_id: int | None
) -> dict:
    def iso(t: pd.Timestamp) -> str | None:
        return None if pd.isna(t) else t.isoformat()

    return _clean(
        {
            "id": record_id,
            "method": record.method,
            "kit": kit_id,
            "external_id": external_id,
            "station": station,
            "period": {"start": iso(record.period_start), "end": iso(record.period_end)},
            "n": record.n,
            "coefficients": record.coefficients,
            **record.metrics,
            "valid": record.valid,
            "reason": record.reason,
            **record.extra,
        }
    )  # type: ignore[return-value]


def save(conn: psycopg.Connection, record: calibration.Record, kit_id: str, station: str) -> int:
    metrics = _clean({**record.metrics, **record.extra})  # scores, the CV schemes and where the correction applied
    start = None if pd.isna(record.period_start) else record.period_start.to_pydatetime()
    end = None if pd.isna(record.period_end) else record.period_end.to_pydatetime()
    row = conn.execute(
        "INSERT INTO calibrations (kit_id, station_id, method, period_start, period_end, n, coefficients, metrics,"
        " valid, reason) VALUES (%s, %s, %s, coalesce(%s, now()), coalesce(%s, now()), %s, %s, %s, %s, %s) "
        "RETURNING id",
        (
            kit_id,
            station,
            record.method,
            start,
            end,
            record.n,
            None if record.coefficients is None else json.dumps(record.coefficients),
            json.dumps(metrics),
            record.valid,
            record.reason,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def latest(conn: psycopg.Connection, kit_id: str) -> calibration.Record | None:
    """The kit's newest calibration record (valid or not), or None."""
    row = conn.execute(
        "SELECT method, n, period_start, period_end, coefficients, metrics, valid, reason FROM calibrations "
        "WHERE kit_id = %s ORDER BY created_at DESC, id DESC LIMIT 1",
        (kit_id,),
    ).fetchone()
    if row is None:
        return None
    method, n, start, end, coefficients, metrics, valid, reason = row
    return calibration.Record(method, n, pd.Timestamp(start), pd.Timestamp(end), coefficients, metrics, valid, reason)
