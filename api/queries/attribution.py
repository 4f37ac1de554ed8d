"""SQL of direction analysis and source exposure (issue 16): places with their positions over time, hourly values
of a place, hourly wind, and the per-day exposure sums behind the map layer (migration 071).

Places: reference stations (`station:NL49553`), kits of other networks (`kit:sm-hll-545`) and public IJlucht kits
(`kit:<kit_id>`, clean hourly means of the rollups, public position, outdoor hours only). Every hour is the start of
the hour in UTC.
"""

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql

STATIONS = """
SELECT station_id, name, lat, lon, position_source FROM reference_stations
WHERE %(id)s::text IS NULL OR station_id = %(id)s ORDER BY station_id
"""

EXTERNAL_KITS = """
SELECT kit_id, external_id, lat, lon, source FROM external_kits
WHERE %(id)s::text IS NULL OR kit_id = %(id)s OR external_id = %(id)s ORDER BY kit_id
"""

# A kit's positions over time (migration 052): each version with the span it held, public position only.
KIT_SPANS = """
SELECT s.kit_id, CASE WHEN s.span_from = '-infinity' THEN NULL ELSE s.span_from END,
       CASE WHEN s.valid_to = 'infinity' THEN NULL ELSE s.valid_to END, s.public_lat, s.public_lon, s.indoor
FROM kit_version_spans s JOIN kits k USING (kit_id)
WHERE k.public AND (%(id)s::text IS NULL OR s.kit_id = %(id)s)
ORDER BY s.kit_id, s.valid_from
"""

STATION_HOURLY = """
SELECT hour, value FROM reference_hourly
WHERE station_id = %(id)s AND component = %(component)s AND hour >= %(start)s AND hour < %(end)s ORDER BY hour
"""

KIT_HOURLY = """
SELECT bucket, clean_mean FROM rollup_hourly
WHERE kit_id = %(id)s AND quantity = %(quantity)s AND bucket >= %(start)s AND bucket < %(end)s
  AND clean_mean IS NOT NULL ORDER BY bucket
"""

EXTERNAL_HOURLY = "SELECT hour, {q}::text::float8 FROM external_hourly WHERE kit_id = %(id)s AND {q} IS NOT NULL"
EXTERNAL_HOURLY += " AND hour >= %(start)s AND hour < %(end)s ORDER BY hour"

WIND = """
SELECT hour, wind_state, wind_dir, wind_speed::text::float8 FROM weather_hourly
WHERE station_id = %(ws)s AND hour >= %(start)s AND hour < %(end)s ORDER BY hour
"""

EXTERNAL_COLUMNS = ("pm25", "pm10")  # quantities external_hourly holds


async def stations(conn: AsyncConnection, station_id: str | None = None) -> list[tuple]:
    cur = await conn.execute(STATIONS, {"id": station_id})
    return await cur.fetchall()


async def external_kits(conn: AsyncConnection, kit_id: str | None = None) -> list[tuple]:
    cur = await conn.execute(EXTERNAL_KITS, {"id": kit_id})
    return await cur.fetchall()


async def kit_spans(conn: AsyncConnection, kit_id: str | None = None) -> list[tuple]:
    async with conn.cursor(binary=True) as cur:
        await cur.execute(KIT_SPANS, {"id": kit_id})
        return await cur.fetchall()


async def weather_station_exists(conn: AsyncConnection, station_id: str) -> bool:
    cur = await conn.execute("SELECT 1 FROM weather_stations WHERE station_id = %s", (station_id,))
    return await cur.fetchone() is not None


async def hourly(conn: AsyncConnection, kind: str, place_id: str, quantity: str, start, end) -> list[tuple]:
    """(hour, value) of one place; kind station | external | kit."""
    args = {"id": place_id, "start": start, "end": end, "quantity": quantity, "component": quantity.upper()}
    if kind == "station":
        query: Any = STATION_HOURLY
    elif kind == "external":
        if quantity not in EXTERNAL_COLUMNS:
            return []
        query = sql.SQL(EXTERNAL_HOURLY).format(q=sql.Identifier(quantity))
    else:
        query = KIT_HOURLY
    async with conn.cursor(binary=True) as cur:
        await cur.execute(query, args)
        return await cur.fetchall()


async def wind(conn: AsyncConnection, weather_station: str, start: datetime, end: datetime) -> list[tuple]:
    async with conn.cursor(binary=True) as cur:
        await cur.execute(WIND, {"ws": weather_station, "start": start, "end": end})
        return await cur.fetchall()


# --- the map layer's per-day sums (migration 071) -------------------------------------------------------------------

DAYS_DONE = """
SELECT day, computed_at FROM exposure_days
WHERE emitter = %(e)s AND quantity = %(q)s AND weather_station = %(ws)s AND method = %(m)s
  AND day >= %(d0)s AND day < %(d1)s
"""

# Per place, its days' sums as arrays in day order (day numbers relative to d0), one row per place.
DAILY = """
SELECT place, array_agg(day - %(d0)s::date ORDER BY day), array_agg(down_sum ORDER BY day),
       array_agg(down_n ORDER BY day), array_agg(other_sum ORDER BY day), array_agg(other_n ORDER BY day),
       sum(down_n + other_n + missing_n), sum(down_n), sum(down_n + other_n)
FROM exposure_daily
WHERE emitter = %(e)s AND quantity = %(q)s AND weather_station = %(ws)s AND method = %(m)s
  AND day >= %(d0)s AND day < %(d1)s
GROUP BY place ORDER BY place
"""


def _key(emitter: str, quantity: str, weather_station: str, method: str) -> dict[str, Any]:
    return {"e": emitter, "q": quantity, "ws": weather_station, "m": method}


async def days_done(conn: AsyncConnection, emitter, quantity, weather_station, method, d0, d1) -> dict:
    cur = await conn.execute(DAYS_DONE, {**_key(emitter, quantity, weather_station, method), "d0": d0, "d1": d1})
    return dict(await cur.fetchall())


async def daily_sums(conn: AsyncConnection, emitter, quantity, weather_station, method, d0, d1) -> list[tuple]:
    async with conn.cursor(binary=True) as cur:
        await cur.execute(DAILY, {**_key(emitter, quantity, weather_station, method), "d0": d0, "d1": d1})
        return await cur.fetchall()


async def store_daily(conn: AsyncConnection, emitter, quantity, weather_station, method, days, rows,
                      background_rows, start, end) -> None:  # fmt: skip
    """Replace the sums of `days` (all places) with `rows` (place, day, down_sum, down_n, other_sum, other_n,
    missing_n) and the hourly background in [start, end) with `background_rows` (hour, m, s_below, s_mid, s_above);
    mark those days computed now."""
    key = _key(emitter, quantity, weather_station, method)
    async with conn.transaction():
        # Two requests computing the same days take turns (the second replaces the first's rows).
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('exposure_daily'), hashtext(%(e)s || %(q)s))", key)
        await conn.execute(
            "DELETE FROM exposure_daily WHERE emitter = %(e)s AND quantity = %(q)s AND weather_station = %(ws)s"
            " AND method = %(m)s AND day = ANY(%(days)s)",
            {**key, "days": days},
        )
        await conn.execute(
            "DELETE FROM background_hourly WHERE emitter = %(e)s AND quantity = %(q)s AND weather_station = %(ws)s"
            " AND method = %(m)s AND hour >= %(start)s AND hour < %(end)s",
            {**key, "start": start, "end": end},
        )
        async with conn.cursor().copy(
            "COPY background_hourly (emitter, quantity, weather_station, method, hour, m, s_below, s_mid, s_above)"
            " FROM STDIN"
        ) as copy:
            for row in background_rows:
                await copy.write_row((emitter, quantity, weather_station, method, *row))
        async with conn.cursor().copy(
            "COPY exposure_daily (emitter, quantity, weather_station, method, place, day, down_sum, down_n,"
            " other_sum, other_n, missing_n) FROM STDIN"
        ) as copy:
            for row in rows:
                await copy.write_row((emitter, quantity, weather_station, method, *row))
        await conn.execute(
            "INSERT INTO exposure_days (emitter, quantity, weather_station, method, day, computed_at)"
            " SELECT %(e)s, %(q)s, %(ws)s, %(m)s, d, now() FROM unnest(%(days)s::date[]) d"
            " ON CONFLICT (emitter, quantity, weather_station, method, day) DO UPDATE SET computed_at = now()",
            {**key, "days": days},
        )


BACKGROUND = """
SELECT hour, m, s_below, s_mid, s_above FROM background_hourly
WHERE emitter = %(e)s AND quantity = %(q)s AND weather_station = %(ws)s AND method = %(m)s
  AND hour >= %(start)s AND hour < %(end)s ORDER BY hour
"""


async def background_hours(conn: AsyncConnection, emitter, quantity, weather_station, method, start, end) -> list:
    async with conn.cursor(binary=True) as cur:
        await cur.execute(BACKGROUND, {**_key(emitter, quantity, weather_station, method), "start": start, "end": end})
        return await cur.fetchall()


# All places' hourly values for some days at once (the map's refresh): stations, kits of other networks, our kits.
ALL_STATION_HOURLY = """
SELECT 'station:' || station_id, hour, value FROM reference_hourly
WHERE component = %(component)s AND hour >= %(start)s AND hour < %(end)s
"""
ALL_KIT_HOURLY = """
SELECT 'kit:' || kit_id, bucket, clean_mean FROM rollup_hourly
WHERE quantity = %(quantity)s AND bucket >= %(start)s AND bucket < %(end)s AND clean_mean IS NOT NULL
"""
ALL_EXTERNAL_HOURLY = "SELECT 'kit:' || kit_id, hour, {q}::text::float8 FROM external_hourly"
ALL_EXTERNAL_HOURLY += " WHERE {q} IS NOT NULL AND hour >= %(start)s AND hour < %(end)s"


async def all_hourly(conn: AsyncConnection, quantity: str, start: datetime, end: datetime) -> list[tuple]:
    """(place, hour, value) of every place, unordered."""
    args = {"quantity": quantity, "component": quantity.upper(), "start": start, "end": end}
    out: list[tuple] = []
    queries: list[Any] = [ALL_STATION_HOURLY, ALL_KIT_HOURLY]
    if quantity in EXTERNAL_COLUMNS:
        queries.append(sql.SQL(ALL_EXTERNAL_HOURLY).format(q=sql.Identifier(quantity)))
    async with conn.cursor(binary=True) as cur:
        for q in queries:
            await cur.execute(q, args)
            out.extend(await cur.fetchall())
    return out
