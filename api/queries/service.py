"""SQL of the service endpoints and the key lookup: health, readiness, API keys."""

from psycopg import AsyncConnection, Connection

from ijlucht import apikeys


async def timescaledb_license(conn: AsyncConnection) -> str | None:
    cur = await conn.execute("SHOW timescaledb.license")
    row = await cur.fetchone()
    return row[0] if row else None


async def schema_state(conn: AsyncConnection, required: list[int]) -> tuple[int, int]:
    """(highest applied migration, how many of `required` are applied)."""
    cur = await conn.execute(
        "SELECT coalesce(max(version), 0), count(*) FILTER (WHERE version = ANY(%s)) FROM schema_migrations",
        (required,),
    )
    row = await cur.fetchone()
    return (row[0], row[1]) if row else (0, 0)


async def key_by_hash(conn: AsyncConnection, key_hash: str) -> apikeys.ApiKey | None:
    """The active key with this hash, or None (unknown or revoked)."""
    cur = await conn.execute(apikeys.SELECT_BY_HASH, (key_hash,))
    row = await cur.fetchone()
    return apikeys.ApiKey(*row) if row and row[5] is None else None


def fleet_counts(conn: Connection) -> tuple[int, int]:
    """Kits registered and not disabled, and those of them with a reading in the last hour (the metrics' gauges,
    read at each scrape by a plain connection outside the request pool; alert IJluchtKitsSilent)."""
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE l.time > now() - interval '1 hour')"
        " FROM kits k LEFT JOIN latest_readings l USING (kit_id) WHERE k.disabled_at IS NULL"
    ).fetchone()
    return (row[0], row[1]) if row else (0, 0)
