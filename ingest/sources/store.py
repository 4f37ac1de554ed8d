"""Writing parsed rows: COPY into a temporary table, then one upsert that changes a row only when its values differ.

Importing the same file twice therefore changes nothing (the counts say `unchanged`); a corrected file updates the
hours that changed. Stations and kits are added on first sight, with names and positions from data/geo.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psycopg

from ijlucht import geo
from ingest.sources import samenmeten
from ingest.sources.rows import KitHour, ReferenceValue, WeatherHour


class KitIdClash(ValueError):
    """Two kits of other networks would share one platform id."""


@dataclass(frozen=True)
class Stored:
    written: int  # new or changed rows
    unchanged: int

    def __add__(self, other: "Stored") -> "Stored":
        return Stored(self.written + other.written, self.unchanged + other.unchanged)


def _upsert(conn: psycopg.Connection, table: str, key: Sequence[str], cols: Sequence[str], rows: Iterable) -> Stored:
    """COPY rows into a temp copy of `table`, then insert-or-update the rows whose values differ."""
    all_cols = [*key, *cols]
    col_list = ", ".join(all_cols)
    n = 0
    with conn.transaction():
        conn.execute(f"CREATE TEMP TABLE staging (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        with conn.cursor().copy(f"COPY staging ({col_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols)
        differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in cols)
        cur = conn.execute(
            f"INSERT INTO {table} ({col_list}) SELECT {col_list} FROM staging "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets} WHERE {differs}"
        )
        written = cur.rowcount
    return Stored(written, n - written)


def _station_meta(meta: geo.Station | None) -> tuple:
    if meta is None:
        return ("", None, None, "not in data/geo/ijmond_stations.geojson")
    return (meta.name, meta.lat, meta.lon, meta.position_source)


def ensure_reference_stations(conn: psycopg.Connection, components: dict[str, set[str]]) -> None:
    known = geo.stations()
    for station, comps in components.items():
        meta = known.get(station)
        # A position found later in data/geo fills one stored without (never overwrites a stored position).
        conn.execute(
            "INSERT INTO reference_stations (station_id, name, lat, lon, position_source, components)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (station_id) DO UPDATE SET components = ARRAY("
            "SELECT DISTINCT unnest(reference_stations.components || EXCLUDED.components) ORDER BY 1),"
            " lat = coalesce(reference_stations.lat, EXCLUDED.lat),"
            " lon = coalesce(reference_stations.lon, EXCLUDED.lon),"
            " position_source = CASE WHEN reference_stations.lat IS NULL THEN EXCLUDED.position_source"
            " ELSE coalesce(reference_stations.position_source, EXCLUDED.position_source) END",
            (station, *_station_meta(meta), sorted(comps)),
        )


def store_reference(conn: psycopg.Connection, rows: list[ReferenceValue]) -> Stored:
    comps: dict[str, set[str]] = {}
    for r in rows:
        comps.setdefault(r.station_id, set()).add(r.component)
    ensure_reference_stations(conn, comps)
    return _upsert(
        conn,
        "reference_hourly",
        ("station_id", "component", "hour"),
        ("value",),
        ((r.station_id, r.component, r.hour, r.value) for r in rows),
    )


def store_weather(conn: psycopg.Connection, rows: list[WeatherHour]) -> Stored:
    known = geo.stations()
    for station in sorted({r.station_id for r in rows}):
        meta = known.get(f"KNMI_{station}")
        conn.execute(
            "INSERT INTO weather_stations (station_id, name, lat, lon, position_source) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (station_id) DO UPDATE SET position_source = EXCLUDED.position_source"
            " WHERE weather_stations.position_source IS NULL"
            " AND weather_stations.lat IS NOT DISTINCT FROM EXCLUDED.lat",
            (station, *_station_meta(meta)),
        )
    return _upsert(
        conn,
        "weather_hourly",
        ("station_id", "hour"),
        ("wind_state", "wind_dir", "wind_speed", "temperature", "humidity"),
        ((r.station_id, r.hour, r.wind_state, r.wind_dir, r.wind_speed, r.temperature, r.humidity) for r in rows),
    )


def store_kit_hours(
    conn: psycopg.Connection, rows: list[KitHour], positions: dict[str, tuple[float, float]] | None = None
) -> Stored:
    positions = positions or {}
    for ext in sorted({r.external_id for r in rows} | set(positions)):
        lat, lon = positions.get(ext, (None, None))
        kit_id = samenmeten.platform_kit_id(ext)
        row = conn.execute(
            "INSERT INTO external_kits (kit_id, source, external_id, lat, lon) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (kit_id) DO UPDATE SET lat = coalesce(EXCLUDED.lat, external_kits.lat), "
            "lon = coalesce(EXCLUDED.lon, external_kits.lon) RETURNING source, external_id",
            (kit_id, samenmeten.SOURCE, ext, lat, lon),
        ).fetchone()
        if row != (samenmeten.SOURCE, ext):  # two network ids that spell the same platform id must not merge
            raise KitIdClash(f"{samenmeten.SOURCE} kit {ext} maps to {kit_id}, which is already {row[0]} kit {row[1]}")
    return _upsert(
        conn,
        "external_hourly",
        ("kit_id", "hour"),
        ("pm25", "pm10", "t", "rh"),
        ((samenmeten.platform_kit_id(r.external_id), r.hour, r.pm25, r.pm10, r.t, r.rh) for r in rows),
    )
