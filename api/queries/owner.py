"""SQL of the owner page (api/routes/owner.py): the owner's kit found by its owner token's hash, its latest
reading, its latest firmware update and its recent rejected messages."""

from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row

KIT = """
SELECT kit_id, name, indoor, approval_pending, disabled_at, online, last_seen, firmware, boot_count, booted_at,
       sensors, info, created_at, municipality, district
FROM kits WHERE kit_id = %s AND owner_token_hash = %s
"""

LATEST = """
SELECT time, pm1::text::float8 AS pm1, pm25::text::float8 AS pm25, pm10::text::float8 AS pm10, t::text::float8 AS t,
       rh::text::float8 AS rh, p::text::float8 AS p, flags
FROM latest_readings WHERE kit_id = %s
"""

UPDATE = "SELECT version, rollout, sent_at FROM kit_updates WHERE kit_id = %s ORDER BY sent_at DESC LIMIT 1"

REJECTS = """
SELECT received_at, reason FROM rejects WHERE kit_id = %s AND received_at > now() - interval '7 days'
ORDER BY received_at DESC LIMIT %s
"""


async def owner_kit(conn: AsyncConnection, kit_id: str, token_hash: str) -> dict[str, Any] | None:
    """The kit, when this is its owner token's hash; None otherwise (unknown kit or wrong token alike)."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(KIT, (kit_id, token_hash))
        kit = await cur.fetchone()
        if kit is None:
            return None
        await cur.execute(LATEST, (kit_id,))
        kit["latest"] = await cur.fetchone()
        await cur.execute(UPDATE, (kit_id,))
        kit["update"] = await cur.fetchone()
    return kit


async def recent_rejects(conn: AsyncConnection, kit_id: str, limit: int) -> list[tuple]:
    cur = await conn.execute(REJECTS, (kit_id, limit))
    return await cur.fetchall()
