"""SQL of residents' sign-ups (migration 051): store one, count recent ones per address and per client, and
whether a kit name is taken (by a kit or by a sign-up still waiting for its link)."""

from psycopg import AsyncConnection

from ijlucht.owners import Signup

INSERT_SIGNUP = """
INSERT INTO kit_signups (email, client, kit_id, name, lat, lon, height_m, indoor, sensors, token_hash, expires_at)
VALUES (%(email)s, %(client)s, %(kit_id)s, %(name)s, %(lat)s, %(lon)s, %(height_m)s, %(indoor)s, %(sensors)s,
        %(token_hash)s, now() + make_interval(secs => %(valid_s)s))
"""

RECENT = """
SELECT count(*) FILTER (WHERE lower(email) = lower(%(email)s)), count(*) FILTER (WHERE client = %(client)s)
FROM kit_signups
WHERE created_at > now() - interval '1 day' AND (lower(email) = lower(%(email)s) OR client = %(client)s)
"""

NAME_TAKEN = """
SELECT EXISTS (SELECT 1 FROM kits WHERE kit_id = %(kit_id)s)
    OR EXISTS (SELECT 1 FROM kit_signups WHERE kit_id = %(kit_id)s AND confirmed_at IS NULL AND expires_at > now()
               AND lower(email) <> lower(%(email)s))
"""


async def store_signup(conn: AsyncConnection, signup: Signup, client: str, token_hash: str, valid_s: int) -> None:
    params = {
        "email": signup.email,
        "client": client,
        "kit_id": signup.kit_id,
        "name": signup.name,
        "lat": signup.lat,
        "lon": signup.lon,
        "height_m": signup.height_m,
        "indoor": signup.indoor,
        "sensors": list(signup.sensors),
        "token_hash": token_hash,
        "valid_s": valid_s,
    }
    await conn.execute(INSERT_SIGNUP, params)


async def recent_signups(conn: AsyncConnection, email: str, client: str) -> tuple[int, int]:
    """Sign-ups of the last day (for this address, from this client)."""
    cur = await conn.execute(RECENT, {"email": email, "client": client})
    row = await cur.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def name_taken(conn: AsyncConnection, kit_id: str, email: str) -> bool:
    """A kit has this id, or someone else's unconfirmed sign-up holds it."""
    cur = await conn.execute(NAME_TAKEN, {"kit_id": kit_id, "email": email})
    row = await cur.fetchone()
    return bool(row and row[0])
