"""The hourly values episodes are found in: every place measuring one quantity, with its position, and the wind.

Places: reference stations (reference_hourly, the component in Luchtmeetnet's spelling), public outdoor IJlucht kits
(their clean hourly means from rollup_hourly: flagged-unclean readings never make an episode) and kits of other
networks (external_hourly). Positions of IJlucht kits are their public ones (ijlucht/privacy.py). Every hour is the
start of the hour, UTC.
"""

from datetime import datetime

from psycopg import AsyncConnection

_KIT_COLUMNS = {"pm25": "pm25", "pm10": "pm10"}  # external_hourly's columns by quantity

_STATIONS = """
SELECT 'station:' || r.station_id, r.hour, r.value FROM reference_hourly r
WHERE r.component = %(component)s AND r.hour >= %(start)s AND r.hour < %(end)s
"""
_KITS = """
SELECT 'kit:' || h.kit_id, h.bucket, h.clean_mean FROM rollup_hourly h JOIN kits k USING (kit_id)
WHERE h.quantity = %(quantity)s AND h.bucket >= %(start)s AND h.bucket < %(end)s
  AND k.public AND NOT k.indoor AND h.clean_mean IS NOT NULL
"""
_EXTERNAL = """
SELECT 'kit:' || kit_id, hour, {column} FROM external_hourly
WHERE hour >= %(start)s AND hour < %(end)s AND {column} IS NOT NULL
"""
_POSITIONS = """
SELECT 'station:' || station_id, lat, lon FROM reference_stations WHERE lat IS NOT NULL AND lon IS NOT NULL
UNION ALL
SELECT 'kit:' || kit_id, public_lat, public_lon FROM kits
 WHERE public AND NOT indoor AND public_lat IS NOT NULL AND public_lon IS NOT NULL
UNION ALL
SELECT 'kit:' || kit_id, lat, lon FROM external_kits WHERE lat IS NOT NULL AND lon IS NOT NULL
"""
_WIND = """
SELECT hour, wind_dir, wind_state, wind_speed::text::float8 FROM weather_hourly
WHERE station_id = %(station)s AND hour >= %(start)s AND hour < %(end)s ORDER BY hour
"""


async def hourly_values(
    conn: AsyncConnection, quantity: str, start: datetime, end: datetime
) -> list[tuple[str, datetime, float]]:
    """(place, hour, value) of every place with `quantity` in [start, end)."""
    args = {"component": quantity.upper(), "quantity": quantity, "start": start, "end": end}
    rows = await (await conn.execute(_STATIONS, args)).fetchall()
    column = _KIT_COLUMNS.get(quantity)
    if column is not None:
        rows += await (await conn.execute(_KITS, args)).fetchall()
        rows += await (await conn.execute(_EXTERNAL.format(column=column), args)).fetchall()
    return rows


async def positions(conn: AsyncConnection) -> dict[str, tuple[float, float]]:
    rows = await (await conn.execute(_POSITIONS)).fetchall()
    return {p: (float(lat), float(lon)) for p, lat, lon in rows}


async def wind(conn: AsyncConnection, station: str, start: datetime, end: datetime) -> list[tuple]:
    """(hour, wind_dir, wind_state, wind_speed) of one weather station."""
    return await (await conn.execute(_WIND, {"station": station, "start": start, "end": end})).fetchall()


async def components(conn: AsyncConnection) -> list[str]:
    """Every reference component that has values, in Luchtmeetnet's spelling."""
    rows = await (
        await conn.execute("SELECT DISTINCT unnest(components) FROM reference_stations ORDER BY 1")
    ).fetchall()
    return [r[0] for r in rows]
