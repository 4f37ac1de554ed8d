"""The hourly values of every place the alerts look at, read for one window (SQL and the area of each place).

Places: the platform's public kits (their clean hourly means, in the area where they stood that hour), kits of
other networks (Samen Meten: raw hourly values) and reference stations (Luchtmeetnet PM2.5/PM10). Areas of the
last two come from their position (ijlucht/geo.py)."""

from datetime import datetime
from functools import cache

import pandas as pd
import psycopg

from ijlucht import geo
from ijlucht.alerts import QUANTITIES

COLUMNS = ["place", "hour", "quantity", "value", "municipality", "district", "indoor"]

KITS = """
SELECT 'kit:' || r.kit_id, r.bucket, r.quantity, r.clean_mean, k.municipality_code, k.district_code, k.indoor
FROM rollup_hourly r JOIN kits kk USING (kit_id)
JOIN kit_version_spans k ON k.kit_id = r.kit_id AND r.bucket >= k.span_from AND r.bucket < k.valid_to
WHERE r.quantity = ANY(%(quantities)s) AND r.bucket >= %(start)s AND r.bucket < %(end)s AND kk.public
  AND r.clean_mean IS NOT NULL
"""
EXTERNAL = """
SELECT 'kit:' || h.kit_id, h.hour, h.pm25, h.pm10, e.lat, e.lon
FROM external_hourly h JOIN external_kits e USING (kit_id)
WHERE h.hour >= %(start)s AND h.hour < %(end)s
"""
REFERENCE = """
SELECT 'station:' || h.station_id, h.hour, lower(h.component), h.value, s.lat, s.lon
FROM reference_hourly h JOIN reference_stations s USING (station_id)
WHERE h.component IN ('PM25', 'PM10') AND h.hour >= %(start)s AND h.hour < %(end)s
"""


@cache
def _areas(lat: float | None, lon: float | None) -> tuple[str | None, str | None]:
    if lat is None or lon is None or (lat == 0 and lon == 0):  # 0,0: a source's "no position"
        return None, None
    where = geo.locate(lat, lon)
    return where.municipality_code, where.district_code


def load(conn: psycopg.Connection, start: datetime, end: datetime) -> pd.DataFrame:
    params = {"quantities": list(QUANTITIES), "start": start, "end": end}
    rows = list(conn.execute(KITS, params).fetchall())
    for place, hour, pm25, pm10, lat, lon in conn.execute(EXTERNAL, params).fetchall():
        muni, district = _areas(lat, lon)
        for quantity, value in (("pm25", pm25), ("pm10", pm10)):
            if value is not None:
                rows.append((place, hour, quantity, value, muni, district, False))
    for place, hour, quantity, value, lat, lon in conn.execute(REFERENCE, params).fetchall():
        rows.append((place, hour, quantity, value, *_areas(lat, lon), False))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True)
    frame["value"] = frame["value"].astype(float)
    frame["indoor"] = frame["indoor"].astype(bool)
    return frame
