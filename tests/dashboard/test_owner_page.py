"""The owner page /kit/<id>?token=… (dashboard/owner_page.py): the owner endpoint's answer as a page in Dutch and
English, every value escaped, never cached; a wrong link gets a plain 404 page."""

import uuid

import pytest
from psycopg.types.json import Jsonb

from dashboard.api_client import ApiClient
from dashboard.app import create_app
from dashboard.owner_page import render
from dashboard.settings import DashboardSettings
from ijlucht import owners

VIEW = {
    "kit_id": "zeestraat-12",
    "name": "Balcony <b>",
    "online": True,
    "indoor": True,
    "approval_pending": False,
    "last_seen": "2026-12-02T10:00:00Z",
    "firmware": "0.2.0",
    "update": {"version": "0.2.1", "took": False},
    "health": {"signal_dbm": -71, "backlog": 4, "reset_cause": "watchdog", "reset_note": "the kit hung",
               "sensors_failing": ["bme280"]},
    "latest": {"time": "2026-12-02T10:00:00Z", "pm25": 9.5, "pm10": 12.0, "t": 21.0, "rh": 40.0},
    "rejects": [{"received_at": "2026-12-02T09:00:00Z", "reason": "'ts' is 3 days in the future",
                 "advice": "The kit's clock is ahead."}],
    "delete_choices": {"keep": "Your address goes; measurements stay.", "delete": "Everything goes."},
}  # fmt: skip


@pytest.mark.parametrize(
    "lang, words",
    [
        ("nl", ["Uw kit", "Wifi-signaal", "-71 dBm", "0.2.1: nog niet geïnstalleerd (de kit draait 0.2.0)", "binnen"]),
        ("en", ["Your kit", "Wi-Fi signal", "-71 dBm", "0.2.1: not installed yet (the kit runs 0.2.0)", "indoors"]),
    ],
)
def test_the_page_shows_health_update_rejects_and_the_reading_in_each_language(lang, words):
    page = render(VIEW, lang)
    assert f"<html lang='{lang}'>" in page and all(w in page for w in words)
    assert "watchdog (the kit hung)" in page and "bme280" in page and "PM2.5 9.5 µg/m³" in page
    assert "The kit&#x27;s clock is ahead." in page and "Balcony &lt;b&gt;" in page and "<b>" not in page
    assert (
        "measurements=keep" in page and "Your address goes; measurements stay." in page and "Everything goes." in page
    )


def test_the_dashboard_serves_the_owners_page_from_the_api(settings, conn, make_kit, api_base_url):
    kit_id, _ = make_kit("page", indoor=True)
    token = owners.new_token()
    conn.execute(
        "UPDATE kits SET owner_token_hash = %s, info = %s, online = true WHERE kit_id = %s",
        (owners.hash_token(token), Jsonb({"rssi": -64, "queued": 0}), kit_id),
    )
    app = create_app(DashboardSettings(language="nl", tile_url=""), client=ApiClient(api_base_url))
    web = app.server.test_client()
    page = web.get(f"/kit/{kit_id}", query_string={"token": token, "lang": "en"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    text = page.get_data(as_text=True)
    assert "Your kit" in text and "-64 dBm" in text and "indoors" in text
    dutch = web.get(f"/kit/{kit_id}", query_string={"token": token}).get_data(as_text=True)
    assert "Uw kit" in dutch
    for query in ({"token": "A" * 43}, {"token": "short"}, {}):
        wrong = web.get(f"/kit/{kit_id}", query_string=query)
        assert wrong.status_code == 404 and "no kit" not in wrong.get_data(as_text=True).lower()
    assert web.get(f"/kit/{uuid.uuid4().hex}", query_string={"token": token}).status_code == 404
