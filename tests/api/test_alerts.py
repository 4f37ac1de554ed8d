"""/v1/alerts: double opt-in by a mailed link (a real local SMTP server), one-click unsubscribe that deletes the
address, clear refusals (unknown area or kit, hostile webhook URLs), the Atom feed per area, and no API answer that
ever carries a subscriber's address."""

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from alerts import store
from ijlucht.alerts import FEED_RULES

CONFIRM = re.compile(r"(http://\S+/v1/alerts/confirm\?token=[A-Za-z0-9_-]+)")
ATOM = "{http://www.w3.org/2005/Atom}"


def address() -> str:
    return f"alert-{uuid.uuid4().hex[:10]}@example.org"


def confirm_link(smtp_server, to: str) -> str:
    [message] = smtp_server.to(to)
    return CONFIRM.search(message.get_payload(decode=True).decode()).group(1)


def test_a_subscription_counts_only_once_its_address_is_confirmed_and_one_click_deletes_it(api, smtp_server, conn):
    to = address()
    r = api.post("/v1/alerts/subscriptions", json={"email": to, "target": "area:GM0375", "band": 5, "hours": 3})
    assert r.status_code == 202, r.text
    assert to not in r.text
    [message] = smtp_server.to(to)
    text = message.get_payload(decode=True).decode()
    assert "Beverwijk" in text and "indicatieve gegevens" in text  # Dutch unless asked otherwise
    row = conn.execute("SELECT confirmed_at FROM alert_subscriptions WHERE email = %s", (to,)).fetchone()
    assert row == (None,)  # not yet: nothing is sent to an unconfirmed address

    link = confirm_link(smtp_server, to)
    answer = api.get(link[link.index("/v1/") :])
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert "zeer slecht" in body["what"] and body["webhook_secret"] is None and to not in answer.text
    assert api.get(link[link.index("/v1/") :]).status_code == 404  # used once

    unsubscribe = body["unsubscribe"][body["unsubscribe"].index("/v1/") :]
    page = api.get(unsubscribe)  # what a link checker or a click fetches: a page with a button, nothing deleted
    assert page.status_code == 200 and '<form method="post"' in page.text
    assert conn.execute("SELECT count(*) FROM alert_subscriptions WHERE email = %s", (to,)).fetchone() == (1,)
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL
    gone = api.post(unsubscribe, content="List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert gone.status_code == 200, gone.text
    assert conn.execute("SELECT count(*) FROM alert_subscriptions WHERE email = %s", (to,)).fetchone() == (0,)
    assert api.post(unsubscribe).status_code == 404


def test_a_webhook_subscription_gets_its_signing_secret_once_at_confirmation(api, smtp_server):
    to = address()
    body = {"email": to, "target": "area:GM0453", "trigger": "episode", "language": "en",
            "webhook_url": "https://93.184.215.14/ijlucht"}  # fmt: skip
    assert api.post("/v1/alerts/subscriptions", json=body).status_code == 202
    text = smtp_server.to(to)[0].get_payload(decode=True).decode()
    assert "https://93.184.215.14/ijlucht" in text and "indicative data" in text  # the owner sees where it goes
    link = confirm_link(smtp_server, to)
    confirmed = api.get(link[link.index("/v1/") :]).json()
    assert len(confirmed["webhook_secret"]) >= 40 and "episode" in confirmed["what"]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"target": "area:GM9999"}, 422, "target"),  # the schema lists the known areas
        ({"target": "kit:no-such-kit"}, 404, "no public kit"),
        ({"target": "station:NL49570"}, 422, "target"),
        ({"band": 1}, 422, "band"),
        ({"scale": "lki", "band": 12}, 422, "band"),
        ({"scale": "who2021", "band": 6}, 202, ""),
        ({"hours": 0}, 422, "hours"),
        ({"webhook_url": "http://127.0.0.1:8080/v1/admin/kits"}, 422, "non-public"),
        ({"webhook_url": "http://169.254.169.254/latest/meta-data/"}, 422, "non-public"),
        ({"webhook_url": "http://[::1]:9108/metrics"}, 422, "non-public"),
        ({"webhook_url": "file:///etc/passwd"}, 422, "https://"),
        ({"webhook_url": "https://user:pw@93.184.215.14/"}, 422, "password"),
        ({"email": "not-an-address"}, 422, "email"),
    ],
)
def test_bad_subscriptions_get_a_reason_and_store_nothing(api, smtp_server, conn, body, status, reason):
    to = address()
    r = api.post("/v1/alerts/subscriptions", json={"email": to, "target": "area:GM0375", **body})
    assert r.status_code == status, r.text
    assert reason in r.json()["detail"]
    stored = conn.execute("SELECT count(*) FROM alert_subscriptions WHERE email = %s", (to,)).fetchone()[0]
    assert stored == (1 if status == 202 else 0)


def test_an_area_feed_is_atom_with_its_events_in_both_languages(api, conn):
    hour = datetime(2020, 1, 1, tzinfo=UTC)
    store.ensure_feed_watches(conn, hour)
    (watch,) = conn.execute(
        "SELECT id FROM alert_watches WHERE target = 'area:WK037500' AND trigger = %s AND band = %s AND hours = %s",
        (FEED_RULES[0].trigger, FEED_RULES[0].band, FEED_RULES[0].hours),
    ).fetchone()
    conn.execute(
        "INSERT INTO alert_events (watch_id, start_hour, raised_hour, last_hour, peak) VALUES (%s, %s, %s, %s, 321.4)"
        " ON CONFLICT DO NOTHING",
        (watch, hour, hour, hour),
    )
    r = api.get("/v1/alerts/feed/WK037500.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(r.content)
    [entry] = feed.findall(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary").text
    assert "2020-01-01 00:00 UTC" in summary and "321" in summary
    assert "indicatieve gegevens" in summary and "indicative data" in summary
    assert feed.find(f"{ATOM}id").text.endswith("/v1/alerts/feed/WK037500.atom")
    assert api.get("/v1/alerts/feed/GM0375.atom").status_code == 200  # any area, events or not
    assert api.get("/v1/alerts/feed/GM9999.atom").status_code == 422  # not an area the schema lists


EXAMPLES = {"kit_id": "seed-beverwijk", "station_id": "NL49570", "calibration_id": "1", "area": "GM0375"}


def test_no_api_answer_carries_a_subscribers_address(api, smtp_server, admin_key, seeded_kits):
    """Every GET path of the published API, with and without an admin key, after subscribing an address."""
    to = address()
    hook = {"webhook_url": "https://93.184.215.14/hook"}
    answers = [api.post("/v1/alerts/subscriptions", json={"email": to, "target": "area:GM0375", **hook}).text]
    link = confirm_link(smtp_server, to)
    answers.append(api.get(link[link.index("/v1/") :]).text)
    paths = [p for p, ops in api.get("/openapi.json").json()["paths"].items() if "get" in ops]
    assert len(paths) > 20
    for path in paths:
        url = re.sub(r"\{(\w+)\}", lambda m: EXAMPLES.get(m.group(1), "x"), path)
        for headers in ({}, {"X-API-Key": admin_key}):
            r = api.get(url, headers=headers, params={"kits": "seed-beverwijk", "limit": 5})
            answers.append(r.text)
    assert all(to not in a and to.split("@")[0] not in a for a in answers)
