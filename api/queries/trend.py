"""SQL of /v1/trend and /v1/compare: one hourly series of a place (kit, external kit, station or area) and the
hourly wind of a weather station, plus the station's long-run wind record in counts.

Kits give their clean hourly means (rollup_hourly.clean_mean, docs/quality.md); kits of other networks their
imported hourly values (external_hourly); stations their reference values as stored; an area the mean over its
public outdoor kits per hour (an hour counts where the kit stood when it began, as /v1/stats does). Every `hour` is
the start of the hour in UTC.
"""

from datetime import datetime

from psycopg import AsyncConnection, sql

KIT = """
SELECT kit_id, CASE WHEN indoor THEN NULL ELSE public_lat END, CASE WHEN indoor THEN NULL ELSE public_lon END,
       'kit' AS kind
FROM kits WHERE kit_id = %(id)s AND public
UNION ALL
SELECT kit_id, lat, lon, 'external' FROM external_kits WHERE kit_id = %(id)s
"""

KIT_HOURS = """
SELECT bucket, clean_mean FROM rollup_hourly
WHERE kit_id = %(id)s AND quantity = %(quantity)s AND bucket >= %(start)s AND bucket < %(end)s
  AND clean_mean IS NOT NULL
ORDER BY bucket
"""

# Only pm25 and pm10 are imported for kits of other networks (migration 060); the column is composed as an
# identifier from that fixed list, never from request text.
EXTERNAL_QUANTITIES = ("pm25", "pm10")
EXTERNAL_HOURS = """
SELECT hour, {q}::text::float8 FROM external_hourly
WHERE kit_id = %(id)s AND hour >= %(start)s AND hour < %(end)s AND {q} IS NOT NULL
ORDER BY hour
"""

STATION = "SELECT station_id, lat, lon FROM reference_stations WHERE station_id = %(id)s"

STATION_HOURS = """
SELECT hour, value FROM reference_hourly
WHERE station_id = %(id)s AND component = %(component)s AND hour >= %(start)s AND hour < %(end)s
ORDER BY hour
"""

AREA_HOURS = """
SELECT r.bucket, avg(r.clean_mean)
FROM rollup_hourly r JOIN kits kk USING (kit_id)
JOIN kit_version_spans k ON k.kit_id = r.kit_id AND r.bucket >= k.span_from AND r.bucket < k.valid_to
WHERE r.quantity = %(quantity)s AND r.bucket >= %(start)s AND r.bucket < %(end)s AND kk.public AND NOT k.indoor
  AND {code} = %(id)s AND r.clean_mean IS NOT NULL
GROUP BY 1
ORDER BY 1
"""

WEATHER_HOURS = """
SELECT hour, wind_state, wind_dir, wind_speed::text::float8 FROM weather_hourly
WHERE station_id = %(station)s AND hour >= %(start)s AND hour < %(end)s
ORDER BY hour
"""

# The long-run wind record as counts of each (state, direction, speed): KNMI gives directions in tens of degrees
# and speeds in whole m/s, so a few hundred rows stand for all the station's years.
WEATHER_CLIMATE = """
SELECT wind_state, wind_dir, wind_speed::text::float8, count(*) FROM weather_hourly
WHERE station_id = %(station)s
GROUP BY 1, 2, 3
"""


async def kit(conn: AsyncConnection, kit_id: str) -> tuple | None:
    """(kit_id, public lat, public lon, 'kit'|'external') of a public kit or a kit of another network."""
    cur = await conn.execute(KIT, {"id": kit_id})
    return await cur.fetchone()


async def kit_hours(
    conn: AsyncConnection, kit_id: str, kind: str, quantity: str, start: datetime, end: datetime
) -> list[tuple]:
    args = {"id": kit_id, "quantity": quantity, "start": start, "end": end}
    if kind == "external":
        if quantity not in EXTERNAL_QUANTITIES:
            return []
        query = sql.SQL(EXTERNAL_HOURS).format(q=sql.Identifier(quantity))
        cur = await conn.execute(query, args)
    else:
        cur = await conn.execute(KIT_HOURS, args)
    return await cur.fetchall()


async def station(conn: AsyncConnection, station_id: str) -> tuple | None:
    cur = await conn.execute(STATION, {"id": station_id})
    return await cur.fetchone()


async def station_hours(
    conn: AsyncConnection, station_id: str, component: str, start: datetime, end: datetime
) -> list[tuple]:
    cur = await conn.execute(STATION_HOURS, {"id": station_id, "component": component, "start": start, "end": end})
    return await cur.fetchall()


async def area_hours(
    conn: AsyncConnection, level: str, code: str, quantity: str, start: datetime, end: datetime
) -> list[tuple]:
    column = sql.SQL("k.municipality_code" if level == "municipality" else "k.district_code")
    query = sql.SQL(AREA_HOURS).format(code=column)
    cur = await conn.execute(query, {"id": code, "quantity": quantity, "start": start, "end": end})
    return await cur.fetchall()


async def weather_hours(conn: AsyncConnection, station_id: str, start: datetime, end: datetime) -> list[tuple]:
    cur = await conn.execute(WEATHER_HOURS, {"station": station_id, "start": start, "end": end})
    return await cur.fetchall()


async def weather_climate(conn: AsyncConnection, station_id: str) -> list[tuple]:
    cur = await conn.execute(WEATHER_CLIMATE, {"station": station_id})
    return await cur.fetchall()
