"""Sending what the evaluation raised: each due delivery (new, or a retry whose time has come) by e-mail or webhook,
many at once, each within its own deadline, so a slow or failing webhook holds one slot and never the others.
A failure is retried after alerts_backoff_s, doubling each time, until alerts_max_attempts; then it is given up
(kept with its last error for the operator)."""

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime

import httpx
import psycopg

from alerts import webhooks
from alerts.settings import AlertSettings
from ijlucht import alert_texts, mail
from ijlucht.alerts import QUIET_HOURS, Rule, target_name, unit

log = logging.getLogger("ijlucht.alerts")

DUE = """
SELECT d.id, d.channel, d.attempts, s.email, s.language, s.webhook_url, s.webhook_secret, s.unsubscribe_token,
       w.target, w.trigger, w.quantity, w.scale, w.band, w.hours, e.id, e.start_hour, e.raised_hour, e.last_hour,
       e.peak
FROM alert_deliveries d
JOIN alert_subscriptions s ON s.id = d.subscription_id
JOIN alert_events e ON e.id = d.event_id
JOIN alert_watches w ON w.id = e.watch_id
WHERE d.sent_at IS NULL AND d.given_up_at IS NULL AND d.next_attempt_at <= now()
ORDER BY d.next_attempt_at, d.id
LIMIT %s
"""
SENT = "UPDATE alert_deliveries SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = %s"
FAILED = """
UPDATE alert_deliveries SET attempts = attempts + 1, last_error = %(error)s,
    next_attempt_at = now() + make_interval(secs => %(backoff)s * power(2, attempts)),
    given_up_at = CASE WHEN attempts + 1 >= %(max)s THEN now() END
WHERE id = %(id)s
"""


@dataclass(frozen=True)
class Due:
    id: int
    channel: str
    attempts: int
    email: str
    language: str
    webhook_url: str | None
    webhook_secret: str | None
    unsubscribe_token: str
    target: str
    rule: Rule
    event_id: int
    start: datetime
    raised: datetime
    last: datetime
    peak: float | None


def due(conn: psycopg.Connection, limit: int) -> list[Due]:
    return [Due(*r[:9], Rule(*r[9:14]), *r[14:]) for r in conn.execute(DUE, (limit,)).fetchall()]


def unsubscribe_url(settings: AlertSettings, token: str) -> str:
    return f"{settings.public_url}/v1/alerts/unsubscribe?token={token}"


def mail_of(settings: AlertSettings, d: Due) -> tuple[str, str, dict[str, str]]:
    """(subject, body, headers): one-click unsubscribe by RFC 8058 headers and by the link in the text."""
    subject, text = alert_texts.ALERT[d.language]
    link = unsubscribe_url(settings, d.unsubscribe_token)
    body = text.format(
        what=alert_texts.describe(d.rule, d.target, d.language),
        start=alert_texts.when(d.start),
        peak=alert_texts.peak_text(d.rule, d.peak),
        quiet=QUIET_HOURS,
        indicative=alert_texts.INDICATIVE[d.language],
        unsubscribe=link,
    )
    headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return subject.format(where=target_name(d.target)), body, headers


def webhook_body(settings: AlertSettings, d: Due) -> bytes:
    band = d.rule.band_info
    event = {
        "id": d.event_id,
        "target": d.target,
        "target_name": target_name(d.target),
        "trigger": d.rule.trigger,
        "quantity": d.rule.quantity,
        "unit": unit(d.rule),
        "scale": d.rule.scale if band else None,
        "band": {"index": band.index, "name_nl": band.name_nl, "name_en": band.name_en} if band else None,
        "hours": d.rule.hours,
        "start": d.start.isoformat().replace("+00:00", "Z"),
        "raised": d.raised.isoformat().replace("+00:00", "Z"),
        "peak": d.peak,
    }
    payload = {
        "event": event,
        "indicative": True,
        "note_nl": alert_texts.INDICATIVE["nl"],
        "note_en": alert_texts.INDICATIVE["en"],
        "unsubscribe": unsubscribe_url(settings, d.unsubscribe_token),
    }
    return json.dumps(payload, ensure_ascii=False).encode()


async def _one(settings: AlertSettings, client: httpx.AsyncClient, slots: asyncio.Semaphore, d: Due) -> str | None:
    """None when delivered, else the reason."""
    async with slots:
        try:
            if d.channel == "email":
                subject, body, headers = mail_of(settings, d)
                await asyncio.to_thread(mail.send_mail, settings, d.email, subject, body, headers)
            else:
                assert d.webhook_url and d.webhook_secret
                await webhooks.post(
                    client, d.webhook_url, d.webhook_secret, webhook_body(settings, d), str(int(time.time())),
                    settings.alerts_webhook_allow_networks, settings.alerts_webhook_timeout_s,
                )  # fmt: skip
        except (mail.MailNotSent, webhooks.WebhookFailed) as exc:
            return str(exc)[:500]
    return None


async def _send_all(settings: AlertSettings, batch: list[Due]) -> list[str | None]:
    slots = asyncio.Semaphore(settings.alerts_concurrency)
    async with httpx.AsyncClient(follow_redirects=False, timeout=settings.alerts_webhook_timeout_s) as client:
        return await asyncio.gather(*(_one(settings, client, slots, d) for d in batch))


@dataclass
class Delivered:
    sent: dict[str, int]
    failed: dict[str, int]


def deliver_due(conn: psycopg.Connection, settings: AlertSettings) -> Delivered:
    """Send one batch of due deliveries and record each outcome."""
    batch = due(conn, settings.alerts_batch)
    out = Delivered({"email": 0, "webhook": 0}, {"email": 0, "webhook": 0})
    if not batch:
        return out
    outcomes = asyncio.run(_send_all(settings, batch))
    for d, error in zip(batch, outcomes, strict=True):
        if error is None:
            conn.execute(SENT, (d.id,))
            out.sent[d.channel] += 1
        else:
            params = {"error": error, "backoff": settings.alerts_backoff_s, "max": settings.alerts_max_attempts}
            conn.execute(FAILED, {**params, "id": d.id})
            out.failed[d.channel] += 1
            log.warning("alert %s delivery %d by %s failed (attempt %d): %s",
                        d.target, d.id, d.channel, d.attempts + 1, error)  # fmt: skip
    return out
