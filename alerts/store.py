"""SQL of the alert service (migration 085): watches and their state, events, deliveries and expiry."""

from dataclasses import dataclass
from datetime import datetime

import psycopg

from alerts.triggers import Debounced
from ijlucht import geo
from ijlucht.alerts import FEED_RULES, Rule


@dataclass(frozen=True)
class Watch:
    id: int
    target: str
    rule: Rule
    evaluated_until: datetime
    last_held: datetime | None


ENSURE_WATCH = """
INSERT INTO alert_watches (target, trigger, quantity, scale, band, hours, evaluated_until)
VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
"""

# Watches someone subscribed to (confirmed or still waiting for the link), and the feeds' watches.
ACTIVE_WATCHES = """
SELECT w.id, w.target, w.trigger, w.quantity, w.scale, w.band, w.hours, w.evaluated_until, w.last_held
FROM alert_watches w
WHERE EXISTS (SELECT 1 FROM alert_subscriptions s WHERE s.watch_id = w.id)
   OR (w.target LIKE 'area:%%' AND (w.trigger, w.quantity, w.scale, w.band, w.hours) IN ({feed}))
ORDER BY w.id
"""

INSERT_EVENT = """
INSERT INTO alert_events (watch_id, start_hour, raised_hour, last_hour, peak) VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (watch_id, start_hour) DO NOTHING RETURNING id
"""
# One delivery per confirmed subscription and channel: e-mail always, the webhook when it has one.
INSERT_DELIVERIES = """
INSERT INTO alert_deliveries (subscription_id, event_id, channel)
SELECT s.id, %(event)s, c.channel FROM alert_subscriptions s CROSS JOIN (VALUES ('email'), ('webhook')) c (channel)
WHERE s.watch_id = %(watch)s AND s.confirmed_at IS NOT NULL AND (c.channel = 'email' OR s.webhook_url IS NOT NULL)
ON CONFLICT DO NOTHING
"""
EXTEND_LATEST = """
UPDATE alert_events SET last_hour = greatest(last_hour, %(last)s), peak = greatest(peak, %(peak)s)
WHERE id = (SELECT id FROM alert_events WHERE watch_id = %(watch)s ORDER BY start_hour DESC LIMIT 1)
"""
SAVE_STATE = "UPDATE alert_watches SET evaluated_until = greatest(evaluated_until, %s), last_held = %s WHERE id = %s"


def _feed_tuples() -> str:
    return ", ".join(f"('{r.trigger}', '{r.quantity}', '{r.scale}', {r.band}, {r.hours})" for r in FEED_RULES)


def ensure_watch(conn: psycopg.Connection, target: str, rule: Rule, from_hour: datetime) -> None:
    conn.execute(ENSURE_WATCH, (target, rule.trigger, rule.quantity, rule.scale, rule.band, rule.hours, from_hour))


def ensure_feed_watches(conn: psycopg.Connection, from_hour: datetime) -> None:
    """Every area's feed rules are watched, subscribed to or not (the Atom feed of any area has its events)."""
    for level in geo.LEVELS:
        for area in geo.areas(level):
            for rule in FEED_RULES:
                ensure_watch(conn, f"area:{area.code}", rule, from_hour)


def active_watches(conn: psycopg.Connection) -> list[Watch]:
    rows = conn.execute(ACTIVE_WATCHES.format(feed=_feed_tuples())).fetchall()
    return [Watch(r[0], r[1], Rule(*r[2:7]), r[7], r[8]) for r in rows]


def save(conn: psycopg.Connection, watch: Watch, found: Debounced, until: datetime, deliver_from: datetime) -> int:
    """Store a watch's new events (with their deliveries when recent enough) and its state; returns events raised."""
    raised = 0
    with conn.transaction():
        if found.continued is not None:
            last, peak = found.continued
            conn.execute(EXTEND_LATEST, {"last": last, "peak": peak, "watch": watch.id})
        for event in found.raised:
            row = conn.execute(INSERT_EVENT, (watch.id, event.start, event.raised, event.last, event.peak)).fetchone()
            if row is None:
                continue
            raised += 1
            if event.raised >= deliver_from:
                conn.execute(INSERT_DELIVERIES, {"event": row[0], "watch": watch.id})
        conn.execute(SAVE_STATE, (until, found.last_held, watch.id))
    return raised


ORPHANED = """
DELETE FROM alert_watches w
WHERE NOT EXISTS (SELECT 1 FROM alert_subscriptions s WHERE s.watch_id = w.id)
  AND NOT (w.target LIKE 'area:%%' AND (w.trigger, w.quantity, w.scale, w.band, w.hours) IN ({feed}))
"""
UNCONFIRMED_RETENTION_S = 7 * 86400  # like sign-ups: the rate limits look back a day


def expire(conn: psycopg.Connection) -> tuple[int, int]:
    """Unconfirmed subscriptions older than a week (with their address) and watches nobody needs any more."""
    gone = conn.execute(
        "DELETE FROM alert_subscriptions WHERE confirmed_at IS NULL AND created_at < now() - make_interval(secs => %s)",
        (UNCONFIRMED_RETENTION_S,),
    ).rowcount
    orphaned = conn.execute(ORPHANED.format(feed=_feed_tuples())).rowcount
    return gone, orphaned
