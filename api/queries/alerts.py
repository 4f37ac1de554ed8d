"""SQL of alert subscriptions (migration 085): the watch a subscription joins, storing, confirming and deleting a
subscription, rate-limit counts, whether a kit can be watched, and an area's events for its Atom feed. No query here
returns an address."""

from psycopg import AsyncConnection

from ijlucht.alerts import Rule

ENSURE_WATCH = """
WITH new AS (
    INSERT INTO alert_watches (target, trigger, quantity, scale, band, hours, evaluated_until)
    VALUES (%(target)s, %(trigger)s, %(quantity)s, %(scale)s, %(band)s, %(hours)s, date_trunc('hour', now()))
    ON CONFLICT DO NOTHING RETURNING id
)
SELECT id FROM new
UNION ALL
SELECT id FROM alert_watches
WHERE target = %(target)s AND trigger = %(trigger)s AND quantity = %(quantity)s AND scale = %(scale)s
  AND band = %(band)s AND hours = %(hours)s
"""
INSERT = """
INSERT INTO alert_subscriptions (watch_id, email, language, webhook_url, webhook_secret, confirm_hash,
                                 unsubscribe_token, client, expires_at)
VALUES (%(watch)s, %(email)s, %(language)s, %(webhook_url)s, %(webhook_secret)s, %(confirm_hash)s,
        %(unsubscribe)s, %(client)s, now() + make_interval(secs => %(valid_s)s))
"""
RECENT = """
SELECT count(*) FILTER (WHERE lower(email) = lower(%(email)s)), count(*) FILTER (WHERE client = %(client)s)
FROM alert_subscriptions
WHERE created_at > now() - interval '1 day' AND (lower(email) = lower(%(email)s) OR client = %(client)s)
"""
KIT_WATCHABLE = """
SELECT EXISTS (SELECT 1 FROM kits WHERE kit_id = %(kit)s AND public AND disabled_at IS NULL)
    OR EXISTS (SELECT 1 FROM external_kits WHERE kit_id = %(kit)s)
"""
# The webhook secret is handed out once, at confirmation.
CONFIRM = """
UPDATE alert_subscriptions s SET confirmed_at = now()
FROM alert_watches w
WHERE s.watch_id = w.id AND s.confirm_hash = %s AND s.confirmed_at IS NULL AND s.expires_at > now()
RETURNING w.target, w.trigger, w.quantity, w.scale, w.band, w.hours, s.language, s.unsubscribe_token,
          s.webhook_secret
"""
UNSUBSCRIBE = "DELETE FROM alert_subscriptions WHERE unsubscribe_token = %s RETURNING id"
KNOWN_TOKEN = "SELECT EXISTS (SELECT 1 FROM alert_subscriptions WHERE unsubscribe_token = %s)"
FEED = """
SELECT e.id, e.start_hour, e.raised_hour, e.last_hour, e.peak, e.created_at,
       w.trigger, w.quantity, w.scale, w.band, w.hours
FROM alert_events e JOIN alert_watches w ON w.id = e.watch_id
WHERE w.target = %(target)s AND (w.trigger, w.quantity, w.scale, w.band, w.hours) IN (
    SELECT * FROM unnest(%(triggers)s::text[], %(quantities)s::text[], %(scales)s::text[], %(bands)s::smallint[],
                         %(hours)s::smallint[]))
ORDER BY e.raised_hour DESC
LIMIT %(limit)s
"""


async def ensure_watch(conn: AsyncConnection, target: str, rule: Rule) -> int:
    params = {"target": target, **rule.__dict__}
    cur = await conn.execute(ENSURE_WATCH, params)
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def store_subscription(conn: AsyncConnection, params: dict) -> None:
    await conn.execute(INSERT, params)


async def recent(conn: AsyncConnection, email: str, client: str) -> tuple[int, int]:
    cur = await conn.execute(RECENT, {"email": email, "client": client})
    row = await cur.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def kit_watchable(conn: AsyncConnection, kit_id: str) -> bool:
    cur = await conn.execute(KIT_WATCHABLE, {"kit": kit_id})
    row = await cur.fetchone()
    return bool(row and row[0])


async def confirm(conn: AsyncConnection, confirm_hash: str) -> tuple | None:
    cur = await conn.execute(CONFIRM, (confirm_hash,))
    return await cur.fetchone()


async def unsubscribe(conn: AsyncConnection, token: str) -> bool:
    cur = await conn.execute(UNSUBSCRIBE, (token,))
    return await cur.fetchone() is not None


async def known_token(conn: AsyncConnection, token: str) -> bool:
    cur = await conn.execute(KNOWN_TOKEN, (token,))
    row = await cur.fetchone()
    return bool(row and row[0])


async def feed(conn: AsyncConnection, target: str, rules: tuple[Rule, ...], limit: int) -> list[tuple]:
    """The area's latest events under the feed's rules, newest first."""
    params = {
        "target": target,
        "limit": limit,
        "triggers": [r.trigger for r in rules],
        "quantities": [r.quantity for r in rules],
        "scales": [r.scale for r in rules],
        "bands": [r.band for r in rules],
        "hours": [r.hours for r in rules],
    }
    cur = await conn.execute(FEED, params)
    return list(await cur.fetchall())
