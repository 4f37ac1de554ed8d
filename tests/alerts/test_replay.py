"""Replaying the New Year 2019–2020 (data/reference: Luchtmeetnet stations and Hollandse Luchten kits, 23 December
to 9 January) through the alert service, cycle by cycle as if live: exactly one alert per subscription, by e-mail
(real SMTP) and webhook (a local server), worded as indicative, with one-click unsubscribe."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from alerts import deliver, store
from alerts.evaluate import evaluate
from ijlucht import cli, owners
from ijlucht.alerts import FEED_RULES, Rule
from ijlucht.settings import PROJECT_ROOT

REFERENCE = PROJECT_ROOT / "data" / "reference"
START = datetime(2019, 12, 23, tzinfo=UTC)
END = datetime(2020, 1, 9, tzinfo=UTC)
POOR_2H = Rule("band", "pm25", "eaqi-2024", 4, 2)
EVE = datetime(2019, 12, 30, 12, tzinfo=UTC)
SUBSCRIPTIONS = [  # (address, target, rule, language, webhook path, subscribed from)
    ("beverwijk@example.org", "area:GM0375", POOR_2H, "nl", None, START),
    ("velsen@example.org", "area:GM0453", Rule("band", "pm25", "eaqi-2024", 4, 3), "nl", "/ok", START),
    ("kit@example.org", "kit:sm-hll-hl-device-001", POOR_2H, "en", "/ok-kit", START),
    ("verypoor@example.org", "area:GM0375", Rule("band", "pm25", "eaqi-2024", 5, 1), "en", None, START),
    # Episodes include the works' local plumes (Velsen has two before Christmas' end, tests/science/test_episodes.py
    # has the Wijk aan Zee one): these two subscribed the day before New Year's Eve.
    ("episode@example.org", "area:GM0453", Rule("episode", "pm25", "eaqi-2024", 1, 2), "nl", "/ok-episode", EVE),
    (
        "kit-episode@example.org",
        "kit:sm-hll-hl-device-007",
        Rule("episode", "pm25", "eaqi-2024", 1, 3),
        "en",
        None,
        EVE,
    ),
]
ALERT_TABLES = "alert_deliveries, alert_subscriptions, alert_events, alert_watches"


def subscribe(conn: psycopg.Connection, address, target, rule, language, webhook, since) -> tuple[str, str | None]:
    """A confirmed subscription (the API's double opt-in is tested in tests/api/test_alerts.py)."""
    store.ensure_watch(conn, target, rule, since)
    token, secret = owners.new_token(), (owners.new_token() if webhook else None)
    conn.execute(
        "INSERT INTO alert_subscriptions (watch_id, email, language, webhook_url, webhook_secret, confirm_hash,"
        " unsubscribe_token, client, expires_at, confirmed_at)"
        " SELECT id, %s, %s, %s, %s, %s, %s, 'test', now(), now() FROM alert_watches"
        " WHERE target = %s AND trigger = %s AND quantity = %s AND scale = %s AND band = %s AND hours = %s",
        (address, language, webhook, secret, owners.new_token(), token, target, *rule.__dict__.values()),
    )
    return token, secret


@pytest.fixture(scope="module")
def replayed(settings, alert_settings, inbox, hooks):
    _hook_server, hook_url = hooks
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {ALERT_TABLES}")  # the imports below are idempotent
        for source in ("luchtmeetnet", "knmi", "samenmeten"):
            cli.main(["import", source, *map(str, sorted((REFERENCE / source).glob("*2019-12-23*.csv")))])
        tokens = {}
        for address, target, rule, language, path, since in SUBSCRIPTIONS:
            tokens[address] = subscribe(conn, address, target, rule, language, path and f"{hook_url}{path}", since)
        store.ensure_feed_watches(conn, START)
        now = START
        while now < END:  # every 12 hours (the live service runs more often; the state carries over either way)
            now += timedelta(hours=12)
            evaluate(conn, alert_settings, now)
            deliver.deliver_due(conn, alert_settings)
        events = conn.execute(
            "SELECT w.target, w.quantity, w.band, w.hours, e.start_hour, e.last_hour, e.peak"
            " FROM alert_events e JOIN alert_watches w ON w.id = e.watch_id ORDER BY 1, 2, 3, 4, 5"
        ).fetchall()
    return tokens, events


def test_the_new_year_gives_exactly_one_alert_per_subscription(replayed, inbox):
    box, _ = inbox
    tokens, _events = replayed
    for address, _target, _rule, language, _, _ in SUBSCRIPTIONS:
        mails = box.to(address)
        assert len(mails) == 1, (address, [m["Subject"] for m in mails])
        text = mails[0].get_payload(decode=True).decode()
        assert ("indicatieve gegevens" if language == "nl" else "indicative data") in text
        assert "2019-12-31" in text  # the fireworks' evening
        unsubscribe = f"https://ijlucht.test/v1/alerts/unsubscribe?token={tokens[address][0]}"
        assert mails[0]["List-Unsubscribe"] == f"<{unsubscribe}>" and unsubscribe in text
        assert mails[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_webhooks_get_the_same_single_alert_signed_with_the_subscriptions_secret(replayed, hooks):
    tokens, _ = replayed
    server, _ = hooks
    for path, address in (
        ("/ok", "velsen@example.org"),
        ("/ok-kit", "kit@example.org"),
        ("/ok-episode", "episode@example.org"),
    ):
        ((headers, body, _),) = server.received[path]
        secret = tokens[address][1]
        expected = hmac.new(secret.encode(), headers["X-IJlucht-Timestamp"].encode() + b"." + body, hashlib.sha256)
        assert headers["X-IJlucht-Signature"] == f"sha256={expected.hexdigest()}"
        payload = server.bodies(path)[0]
        assert payload["indicative"] is True and "indicatieve" in payload["note_nl"]
        assert payload["event"]["start"].startswith("2019-12-31T")
        assert payload["event"]["peak"] > 50  # "poor" is above 50
        assert "@" not in body.decode()  # the address stays with us


def test_the_events_are_the_fireworks_and_the_feed_watches_see_every_area(replayed):
    _, events = replayed
    subscribed = {(t, r.quantity, r.band, r.hours) for _, t, r, _, _, _ in SUBSCRIPTIONS}
    mine = [e for e in events if e[:4] in subscribed]
    assert len(mine) == len(subscribed)
    assert all(datetime(2019, 12, 31, 12, tzinfo=UTC) <= e[4] < datetime(2020, 1, 1, 6, tzinfo=UTC) for e in mine)
    velsen = next(e for e in mine if e[:4] == ("area:GM0453", "pm25", 4, 3))
    assert velsen[5] >= datetime(2020, 1, 1, 9, tzinfo=UTC)  # one event through the night and the next morning
    for rule in FEED_RULES:
        feeds = {e[0] for e in events if e[1:4] == (rule.quantity, rule.band, rule.hours)}
        assert {"area:GM0375", "area:GM0453"} <= feeds  # municipalities
        assert any(t.startswith("area:WK") for t in feeds)  # and districts


def test_running_the_service_again_over_the_same_hours_sends_nothing_more(replayed, settings, alert_settings, inbox):
    box, _ = inbox
    before = len(box.messages)
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        conn.execute("UPDATE alert_watches SET evaluated_until = %s", (START,))  # as if the hours came again late
        evaluate(conn, alert_settings, END)
        deliver.deliver_due(conn, alert_settings)
    assert len(box.messages) == before
