"""One evaluation cycle: read the window of hourly values once, run every active watch's trigger over its new hours,
debounce, store events and their deliveries."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from alerts import places, store
from alerts.settings import AlertSettings
from alerts.triggers import TRIGGERS, Window, debounce

log = logging.getLogger("ijlucht.alerts")
HOUR = timedelta(hours=1)


@dataclass
class Evaluation:
    watches: int = 0
    raised: int = 0
    hours: int = 0


def whole_hour(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def evaluate(conn: psycopg.Connection, settings: AlertSettings, now: datetime | None = None) -> Evaluation:
    """Evaluate the complete hours before `now` (default: the clock); returns what was done."""
    until = whole_hour(now or datetime.now(UTC))
    report = Evaluation()
    watches = store.active_watches(conn)
    if not watches:
        return report
    late = timedelta(hours=settings.alerts_late_h)
    oldest = until - timedelta(hours=settings.alerts_catchup_h)
    firsts = {w.id: max(w.evaluated_until - (w.rule.hours - 1) * HOUR - late, oldest) for w in watches}
    start = min(firsts.values())
    if start >= until:
        return report
    window = Window(start, until, places.load(conn, start, until))
    deliver_from = until - timedelta(hours=settings.alerts_deliver_within_h)
    for w in watches:
        trigger = TRIGGERS.get(w.rule.trigger)
        if trigger is None:  # a trigger this build does not have (yet): its watch waits, its state unchanged
            continue
        held = trigger(w.rule, w.target, window)
        values = window.target_values(w.target, w.rule.quantity)
        first = firsts[w.id]
        found = debounce(held[held.index >= first], values, w.rule.hours, w.last_held)
        report.raised += store.save(conn, w, found, until, deliver_from)
        report.watches += 1
    report.hours = int((until - start) / HOUR)
    return report
