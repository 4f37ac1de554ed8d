"""Reference stations, their hourly values, weather and calibration records (migration 060).

Every `hour` is the start of the hour in UTC. Reference values are read as stored (double precision, never
clipped); weather reals as their shortest decimal (real::text::float8, as api/queries/kits.py does).
"""

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

STATION_COLUMNS = "station_id, name, lat, lon, operator, position_source, components"


async def stations(conn: AsyncConnection, station_id: str | None = None) -> list[dict[str, Any]]:
    """Stations (one, or all by id) with the latest hour and value of each component they measure."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {STATION_COLUMNS} FROM reference_stations"
            " WHERE %(id)s::text IS NULL OR station_id = %(id)s ORDER BY station_id",
            {"id": station_id},
        )
        found = await cur.fetchall()
        # One index probe per station and component (the newest hour), not a scan of the history.
        await cur.execute(
            "SELECT s.station_id, c AS component, l.hour, l.value FROM reference_stations s"
            " CROSS JOIN LATERAL unnest(s.components) c"
            " CROSS JOIN LATERAL (SELECT hour, value FROM reference_hourly r"
            "   WHERE r.station_id = s.station_id AND r.component = c ORDER BY hour DESC LIMIT 1) l"
            " WHERE %(id)s::text IS NULL OR s.station_id = %(id)s ORDER BY 1, 2",
            {"id": station_id},
        )
        latest = await cur.fetchall()
    by_station: dict[str, dict[str, Any]] = {}
    for row in latest:
        by_station.setdefault(row["station_id"], {})[row["component"]] = {"time": row["hour"], "value": row["value"]}
    for s in found:
        s["latest"] = by_station.get(s["station_id"], {})
    return found


async def station_series(
    conn: AsyncConnection,
    station_id: str,
    components: list[str] | None,
    start: datetime,
    end: datetime,
    limit: int,
    after: tuple[str, datetime] | None,
) -> list[tuple]:
    """(component, hour, value) ordered by component and hour (the primary key's order), one page."""
    cur = await conn.execute(
        "SELECT component, hour, value FROM reference_hourly WHERE station_id = %(s)s"
        " AND (%(c)s::text[] IS NULL OR component = ANY(%(c)s)) AND hour >= %(start)s AND hour < %(end)s"
        " AND (%(ac)s::text IS NULL OR (component, hour) > (%(ac)s, %(at)s))"
        " ORDER BY component, hour LIMIT %(limit)s",
        {
            "s": station_id,
            "c": components,
            "start": start,
            "end": end,
            "ac": after[0] if after else None,
            "at": after[1] if after else None,
            "limit": limit,
        },
    )
    return await cur.fetchall()


async def weather(
    conn: AsyncConnection,
    station_ids: list[str] | None,
    start: datetime,
    end: datetime,
    limit: int,
    after: tuple[str, datetime] | None,
) -> list[dict[str, Any]]:
    """Hourly weather per station, ordered by station and hour, one page. Calm and variable wind have no direction."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT w.station_id, s.name, w.hour AS time, w.wind_state,"
            " w.wind_dir AS wind_from, w.wind_speed::text::float8 AS wind_speed,"
            " w.temperature::text::float8 AS temperature, w.humidity::text::float8 AS humidity"
            " FROM weather_hourly w JOIN weather_stations s USING (station_id)"
            " WHERE (%(ids)s::text[] IS NULL OR w.station_id = ANY(%(ids)s)) AND w.hour >= %(start)s"
            " AND w.hour < %(end)s AND (%(as)s::text IS NULL OR (w.station_id, w.hour) > (%(as)s, %(at)s))"
            " ORDER BY w.station_id, w.hour LIMIT %(limit)s",
            {
                "ids": station_ids,
                "start": start,
                "end": end,
                "as": after[0] if after else None,
                "at": after[1] if after else None,
                "limit": limit,
            },
        )
        return await cur.fetchall()


async def weather_stations(conn: AsyncConnection) -> list[dict[str, Any]]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT station_id, name, lat, lon FROM weather_stations ORDER BY station_id")
        return await cur.fetchall()


_CALIBRATION = (
    "SELECT c.id, c.kit_id, e.source, e.external_id, c.station_id, c.method, c.period_start, c.period_end, c.n,"
    " c.coefficients, c.metrics, c.valid, c.reason, c.created_at FROM calibrations c"
    " LEFT JOIN external_kits e USING (kit_id)"
)


async def calibrations(
    conn: AsyncConnection, kit_id: str | None, station_id: str | None, limit: int, after: int | None
) -> list[dict[str, Any]]:
    """Calibration records, newest id last, one page (keyset on id)."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            _CALIBRATION + " WHERE (%(k)s::text IS NULL OR c.kit_id = %(k)s OR e.external_id = %(k)s)"
            " AND (%(s)s::text IS NULL OR c.station_id = %(s)s) AND c.id > %(after)s ORDER BY c.id LIMIT %(limit)s",
            {"k": kit_id, "s": station_id, "after": after or 0, "limit": limit},
        )
        return await cur.fetchall()


async def calibration(conn: AsyncConnection, calibration_id: int) -> dict[str, Any] | None:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_CALIBRATION + " WHERE c.id = %s", (calibration_id,))
        return await cur.fetchone()


async def latest_calibrations(conn: AsyncConnection, kit_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest calibration record (valid or not) of each kit that has one."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT DISTINCT ON (kit_id) id, kit_id, method, coefficients, valid, reason FROM calibrations"
            " WHERE kit_id = ANY(%s) ORDER BY kit_id, created_at DESC, id DESC",
            (kit_ids,),
        )
        return {r["kit_id"]: r for r in await cur.fetchall()}


async def humidity_readings(
    conn: AsyncConnection, kit_id: str, start: datetime, end: datetime
) -> list[tuple[datetime, float | None, float | None, float | None, float | None]]:
    """(time, rh, pm1, pm25, pm10) of one kit's readings in [start, end): what a correction needs, by the
    (kit_id, time) index. Values as their shortest decimal, as the series gives them."""
    cur = await conn.execute(
        "SELECT time, rh::text::float8, pm1::text::float8, pm25::text::float8, pm10::text::float8 FROM readings"
        " WHERE kit_id = %s AND time >= %s AND time < %s ORDER BY time",
        (kit_id, start, end),
    )
    return await cur.fetchall()


async def latest_with_humidity(conn: AsyncConnection, kit_ids: list[str], quantity: str) -> list[tuple]:
    """(kit_id, value of `quantity`, rh) of each kit's latest reading (`quantity` is a catalogue key)."""
    cur = await conn.execute(
        sql.SQL(
            "SELECT kit_id, {q}::text::float8, rh::text::float8 FROM latest_readings WHERE kit_id = ANY(%s)"
        ).format(q=sql.Identifier(quantity)),
        (kit_ids,),
    )
    return await cur.fetchall()
