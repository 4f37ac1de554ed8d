"""SQL of the researchers' own key requests (migration 031): store a request, count recent ones per address,
and confirm one by its token, creating the reader key in the same transaction."""

from psycopg import AsyncConnection

from ijlucht import apikeys

INSERT_REQUEST = """
INSERT INTO api_key_requests (email, name, purpose, token_hash, expires_at)
VALUES (%(email)s, %(name)s, %(purpose)s, %(token_hash)s, now() + make_interval(secs => %(valid_s)s))
"""

RECENT_REQUESTS = """
SELECT count(*) FROM api_key_requests WHERE lower(email) = lower(%s) AND created_at > now() - interval '1 day'
"""

# Only an unconfirmed, unexpired request; the row lock makes a second click of the same link find it confirmed.
TAKE_REQUEST = """
SELECT id, name, email FROM api_key_requests
WHERE token_hash = %s AND confirmed_at IS NULL AND expires_at > now()
FOR UPDATE
"""

CONFIRM_REQUEST = "UPDATE api_key_requests SET confirmed_at = now(), key_id = %s WHERE id = %s"


async def store_request(
    conn: AsyncConnection, email: str, name: str, purpose: str, token_hash: str, valid_s: int
) -> None:
    params = {"email": email, "name": name, "purpose": purpose, "token_hash": token_hash, "valid_s": valid_s}
    await conn.execute(INSERT_REQUEST, params)


async def recent_requests(conn: AsyncConnection, email: str) -> int:
    cur = await conn.execute(RECENT_REQUESTS, (email,))
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def confirm_request(conn: AsyncConnection, token_hash: str) -> tuple[apikeys.ApiKey, str] | None:
    """A new reader key for the request with this token, or None (unknown, used or expired)."""
    async with conn.transaction():
        cur = await conn.execute(TAKE_REQUEST, (token_hash,))
        request = await cur.fetchone()
        if request is None:
            return None
        request_id, name, email = request
        prefix, plain = apikeys.new_plain_key()
        cur = await conn.execute(
            apikeys.INSERT_KEY, (prefix, apikeys.hash_key(plain), f"{name} <{email}> (self-service)", "reader")
        )
        row = await cur.fetchone()
        assert row is not None
        key = apikeys.ApiKey(*row)
        await conn.execute(CONFIRM_REQUEST, (key.id, request_id))
    return key, plain
