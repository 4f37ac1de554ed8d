"""Deliveries against a real SMTP server and a local webhook server that fails and hangs: a slow or failing webhook
never holds up the others, failures are retried with backoff and given up in the end, and a URL that turned
private is refused at delivery time."""

import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest

from alerts import deliver, store
from ijlucht import owners
from ijlucht.alerts import Rule

RULE = Rule("band", "pm25", "eaqi-2024", 4, 2)
HOUR = datetime(2024, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def event(settings):
    """One event on a fresh watch; returns (connection, add_subscription)."""
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE alert_deliveries, alert_subscriptions, alert_events, alert_watches")
        store.ensure_watch(conn, "area:GM0375", RULE, HOUR)
        (watch,) = conn.execute("SELECT id FROM alert_watches").fetchone()
        (event_id,) = conn.execute(
            "INSERT INTO alert_events (watch_id, start_hour, raised_hour, last_hour, peak)"
            " VALUES (%s, %s, %s, %s, 88.0) RETURNING id",
            (watch, HOUR, HOUR, HOUR),
        ).fetchone()

        def add(address: str, webhook: str | None) -> int:
            (sub,) = conn.execute(
                "INSERT INTO alert_subscriptions (watch_id, email, language, webhook_url, webhook_secret,"
                " confirm_hash, unsubscribe_token, client, expires_at, confirmed_at)"
                " VALUES (%s, %s, 'en', %s, %s, %s, %s, 'test', now(), now()) RETURNING id",
                (watch, address, webhook, webhook and "s3cret", owners.new_token(), owners.new_token()),
            ).fetchone()
            channels = ["email"] + (["webhook"] if webhook else [])
            for channel in channels:
                conn.execute(
                    "INSERT INTO alert_deliveries (subscription_id, event_id, channel) VALUES (%s, %s, %s)",
                    (sub, event_id, channel),
                )
            return sub

        yield conn, add


def states(conn) -> dict[tuple[str, str], tuple]:
    rows = conn.execute(
        "SELECT s.email, d.channel, d.attempts, d.sent_at IS NOT NULL, d.given_up_at IS NOT NULL, d.last_error"
        " FROM alert_deliveries d JOIN alert_subscriptions s ON s.id = d.subscription_id"
    ).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_a_hanging_webhook_does_not_hold_up_mail_or_other_webhooks(event, alert_settings, inbox, hooks):
    conn, add = event
    server, url = hooks
    box, _ = inbox
    server.release.clear()
    add("slow@example.org", f"{url}/slow")
    add("fine@example.org", f"{url}/fine")
    t0 = time.monotonic()
    done = threading.Thread(target=deliver.deliver_due, args=(conn, alert_settings))
    done.start()
    done.join(30)
    took = time.monotonic() - t0
    # Everything was sent while the slow one still hung; the round ended at the slow one's deadline (1.5 s).
    assert server.received["/fine"][0][2] - t0 < 1.0 and len(box.to("fine@example.org")) == 1
    assert len(box.to("slow@example.org")) == 1
    assert 1.4 < took < 10
    got = states(conn)
    assert got[("fine@example.org", "webhook")][:3] == (1, True, False)
    attempts, sent, given_up, error = got[("slow@example.org", "webhook")]
    assert (attempts, sent, given_up) == (1, False, False) and "no answer within 1.5 s" in error
    server.release.set()


def test_a_failing_webhook_is_retried_with_backoff_then_given_up(event, alert_settings, hooks):
    conn, add = event
    server, url = hooks
    add("fails@example.org", f"{url}/fail")
    before = len(server.received.get("/fail", []))
    deliver.deliver_due(conn, alert_settings)
    # the second attempt waits for its backoff: nothing is due yet with a real one
    slow_backoff = alert_settings.model_copy(update={"alerts_backoff_s": 3600.0})
    conn.execute("UPDATE alert_deliveries SET next_attempt_at = now() + interval '1 hour' WHERE channel = 'webhook'")
    deliver.deliver_due(conn, slow_backoff)
    assert len(server.received["/fail"]) == before + 1
    for _ in range(3):
        conn.execute("UPDATE alert_deliveries SET next_attempt_at = now() WHERE channel = 'webhook'")
        deliver.deliver_due(conn, alert_settings)
    assert len(server.received["/fail"]) == before + alert_settings.alerts_max_attempts  # and no more after
    attempts, sent, given_up, error = states(conn)[("fails@example.org", "webhook")]
    assert (attempts, sent, given_up) == (3, False, True) and error == "the webhook answered HTTP 500"
    assert states(conn)[("fails@example.org", "email")][:2] == (1, True)


def test_the_backoff_doubles_with_each_failure(event, alert_settings, hooks):
    conn, add = event
    _, url = hooks
    add("backoff@example.org", f"{url}/fail")
    waits = []
    for _ in range(2):
        conn.execute("UPDATE alert_deliveries SET next_attempt_at = now() WHERE channel = 'webhook'")
        deliver.deliver_due(
            conn, alert_settings.model_copy(update={"alerts_backoff_s": 60.0, "alerts_max_attempts": 9})
        )
        (wait,) = conn.execute(
            "SELECT extract(epoch FROM next_attempt_at - now()) FROM alert_deliveries WHERE channel = 'webhook'"
        ).fetchone()
        waits.append(float(wait))
    assert 55 < waits[0] < 61 and 115 < waits[1] < 121


def test_a_webhook_address_refused_at_delivery_is_never_posted_to(event, alert_settings, hooks):
    conn, add = event
    server, url = hooks
    add("rebind@example.org", f"{url}/private")  # allowed when subscribed; the operator's list no longer has it
    strict = alert_settings.model_copy(update={"alerts_webhook_allow_networks": ()})
    deliver.deliver_due(conn, strict)
    assert "/private" not in server.received
    assert "non-public" in states(conn)[("rebind@example.org", "webhook")][3]
