"""SQL of the API's kit and map reads. Parameterised, readable; public reads never select lat, lon or owner.

Column names of quantities come from the catalogue (ijlucht.quantities) and are composed as identifiers, never
from request text. Public means count clean values only (docs/quality.md): the areas query leaves out readings
with a flag of quality.UNCLEAN (passed as %(unclean)s), the hourly map reads the rollups' clean means.
"""

from datetime import datetime

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

from ijlucht import quality
from ijlucht.quantities import KEYS

# Stored float4 values are read as their shortest exact decimal: PostgreSQL (>= 12) prints a real as the shortest
# text that reads back to the same float4, and that text as float8 is what a person wrote (1.87, not 1.8700000047).
_Q = ", ".join(f"l.{k}::text::float8 AS {k}" for k in KEYS)
_R = ", ".join(f"{k}::text::float8 AS {k}" for k in KEYS)

# Public position only; indoor kits keep their listing but lose their position (they are homes).
KITS_WITH_LATEST = f"""
SELECT k.kit_id, k.name,
       CASE WHEN k.indoor THEN NULL ELSE k.public_lat END AS lat,
       CASE WHEN k.indoor THEN NULL ELSE k.public_lon END AS lon,
       k.exact_location_public AS exact_location,
       k.municipality, k.municipality_code, k.district, k.district_code, k.height_m, k.sensors,
       k.indoor, k.online, k.last_seen, k.firmware, k.disabled_at IS NOT NULL AS disabled,
       l.time AS latest_time, {_Q}, l.flags AS latest_flags
FROM kits k LEFT JOIN latest_readings l USING (kit_id)
WHERE k.public
  AND (%(kit_id)s::text IS NULL OR k.kit_id = %(kit_id)s)
  AND (%(municipality)s::text IS NULL OR k.municipality_code = %(municipality)s OR k.municipality = %(municipality)s)
  AND (%(district)s::text IS NULL OR k.district_code = %(district)s OR k.district = %(district)s)
  AND (%(indoor)s::boolean IS NULL OR k.indoor = %(indoor)s)
  AND (%(online)s::boolean IS NULL OR coalesce(k.online, false) = %(online)s)
  AND (%(min_lon)s::float8 IS NULL OR (NOT k.indoor AND k.public_lon BETWEEN %(min_lon)s AND %(max_lon)s
                                   AND k.public_lat BETWEEN %(min_lat)s AND %(max_lat)s))
ORDER BY k.kit_id
"""

READINGS_OF_KIT = f"""
SELECT time, {_R}, flags
FROM readings
WHERE kit_id = %(kit_id)s AND time >= %(start)s AND time < %(end)s
ORDER BY time
LIMIT %(limit)s
"""


async def kits_with_latest(
    conn: AsyncConnection,
    kit_id: str | None = None,
    municipality: str | None = None,
    district: str | None = None,
    indoor: bool | None = None,
    online: bool | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[dict]:
    x0, y0, x1, y1 = bbox or (None, None, None, None)
    params = {
        "kit_id": kit_id,
        "municipality": municipality,
        "district": district,
        "indoor": indoor,
        "online": online,
        "min_lon": x0,
        "min_lat": y0,
        "max_lon": x1,
        "max_lat": y1,
    }
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(KITS_WITH_LATEST, params)
        return await cur.fetchall()


async def kit_exists(conn: AsyncConnection, kit_id: str) -> bool:
    cur = await conn.execute("SELECT 1 FROM kits WHERE kit_id = %s AND public", (kit_id,))
    return await cur.fetchone() is not None


async def readings_of_kit(conn: AsyncConnection, kit_id: str, start: datetime, end: datetime, limit: int) -> list[dict]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(READINGS_OF_KIT, {"kit_id": kit_id, "start": start, "end": end, "limit": limit})
        return await cur.fetchall()


# --- the map ---------------------------------------------------------------------------------------------------------

# The map's points: public outdoor kits with a public position. Their public attributes change rarely and are
# read again only when kits_public_version moved (migration 021); what changes every minute is read on each call,
# with times as epoch seconds (decoded far faster than timestamps; only changed rows need an ISO string).
MAP_VERSION = "SELECT version FROM kits_public_version"

MAP_KITS = """
SELECT kit_id, name, municipality, district, public_lon, public_lat
FROM kits
WHERE public AND NOT indoor AND public_lat IS NOT NULL
"""

MAP_LATEST = """
SELECT k.kit_id, coalesce(k.online, false), date_part('epoch', k.last_seen),
       date_part('epoch', l.time), l.{q}::text::float8, l.flags
FROM kits k LEFT JOIN latest_readings l USING (kit_id)
WHERE k.public AND NOT k.indoor AND k.public_lat IS NOT NULL
ORDER BY k.kit_id
"""


async def map_version(conn: AsyncConnection) -> int:
    cur = await conn.execute(MAP_VERSION)
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def map_kits(conn: AsyncConnection) -> list[tuple]:
    cur = await conn.execute(MAP_KITS)
    return await cur.fetchall()


async def map_latest(conn: AsyncConnection, quantity: str) -> list[tuple]:
    query = sql.SQL(MAP_LATEST).format(q=sql.Identifier(quantity))
    async with conn.cursor(binary=True) as cur:  # binary: floats decode faster
        await cur.execute(query)
        return await cur.fetchall()


# Per kit and hour: the clean mean (NULL when every value was left out), how many values were left out, and the
# public position the kit had when the hour began (kit_version_spans, migration 052): a kit that moved is drawn
# where it stood then, and an hour it spent indoors is left out, as in the statistics.
MAP_HOURLY = """
SELECT r.kit_id, r.bucket, r.clean_mean, r.n - r.n_clean, v.public_lon, v.public_lat
FROM rollup_hourly r JOIN kits k USING (kit_id)
JOIN kit_version_spans v ON v.kit_id = r.kit_id AND r.bucket >= v.span_from AND r.bucket < v.valid_to
WHERE r.quantity = %(quantity)s AND r.bucket >= %(start)s AND r.bucket < %(end)s
  AND k.public AND NOT v.indoor AND v.public_lat IS NOT NULL
ORDER BY r.kit_id, r.bucket
"""


async def map_hourly(conn: AsyncConnection, quantity: str, start: datetime, end: datetime) -> list[tuple]:
    cur = await conn.execute(MAP_HOURLY, {"quantity": quantity, "start": start, "end": end})
    return await cur.fetchall()


# Mean of the fresh latest values of online outdoor kits, per area code: kits whose latest reading is unclean
# are left out of the mean and counted apart.
AREAS_LATEST = """
SELECT {code} AS code, count(*) FILTER (WHERE l.flags & %(unclean)s = 0) AS kits,
       avg(l.{q}) FILTER (WHERE l.flags & %(unclean)s = 0) AS mean,
       count(*) FILTER (WHERE l.flags & %(unclean)s <> 0) AS excluded
FROM kits k JOIN latest_readings l USING (kit_id)
WHERE k.public AND NOT k.indoor AND k.online AND l.{q} IS NOT NULL
  AND l.time > now() - make_interval(secs => %(stale_after_s)s) AND {code} IS NOT NULL
GROUP BY 1
"""


async def areas_latest(conn: AsyncConnection, level: str, quantity: str, stale_after_s: int) -> list[tuple]:
    code = sql.SQL("k.municipality_code" if level == "municipality" else "k.district_code")
    query = sql.SQL(AREAS_LATEST).format(code=code, q=sql.Identifier(quantity))
    cur = await conn.execute(query, {"stale_after_s": stale_after_s, "unclean": quality.UNCLEAN})
    return await cur.fetchall()
