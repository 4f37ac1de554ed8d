"""SQL of the API's reads. Parameterised, readable; each function returns plain dicts."""

from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from ijlucht.quantities import KEYS

_Q = ", ".join(f"l.{k}" for k in KEYS)

KITS_WITH_LATEST = f"""
SELECT k.kit_id, k.name, k.lat, k.lon, k.municipality, k.indoor, k.online, k.last_seen, k.firmware,
       l.time AS latest_time, {_Q}, l.flags AS latest_flags
FROM kits k LEFT JOIN latest_readings l USING (kit_id)
WHERE k.public AND (%(kit_id)s::text IS NULL OR k.kit_id = %(kit_id)s)
ORDER BY k.kit_id
"""

READINGS_OF_KIT = f"""
SELECT time, {", ".join(KEYS)}, flags
FROM readings
WHERE kit_id = %(kit_id)s AND time >= %(start)s AND time < %(end)s
ORDER BY time
LIMIT %(limit)s
"""


async def kits_with_latest(conn: AsyncConnection, kit_id: str | None = None) -> list[dict]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(KITS_WITH_LATEST, {"kit_id": kit_id})
        return await cur.fetchall()


async def kit_exists(conn: AsyncConnection, kit_id: str) -> bool:
    cur = await conn.execute("SELECT 1 FROM kits WHERE kit_id = %s AND public", (kit_id,))
    return await cur.fetchone() is not None


async def readings_of_kit(conn: AsyncConnection, kit_id: str, start: datetime, end: datetime, limit: int) -> list[dict]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(READINGS_OF_KIT, {"kit_id": kit_id, "start": start, "end": end, "limit": limit})
        return await cur.fetchall()
