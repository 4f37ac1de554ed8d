"""The whole journey of a resident, as one test: sign up in the dashboard's form → confirm on the page the mailed link
opens (the mail read from a real SMTP server) → the kit configuration → a virtual kit flashed from it (the resident's
flash tool stages the files, MicroPython boots from exactly those) → readings on the map → the owner page with health
→ the kit moves (the owner page's form) → its history intact → the owner deletes it (the owner page's form). Real
PostgreSQL, Mosquitto (TLS, the CA from the configuration), ingest worker, API and the dashboard's pages."""

import base64
import html
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

from dashboard.api_client import ApiClient
from dashboard.app import create_app
from dashboard.settings import DashboardSettings
from ijlucht import broker, kithistory
from tests.api.test_accounts import LINK
from tests.conftest import wait_for
from virtualkit.launch import start_flashed

ROOT = Path(__file__).resolve().parents[2]
BEVERWIJK, IJMUIDEN = (52.4874, 4.6573), (52.458, 4.615)


def on_map(api, kit_id: str) -> dict | None:
    features = api.get("/v1/map/latest", params={"quantity": "pm25"}).json()["features"]
    return next((f for f in features if f["properties"]["kit_id"] == kit_id), None)


def test_a_resident_builds_registers_runs_moves_and_deletes_a_kit_alone(
    api, smtp_server, ingest_worker, conn, settings, tmp_path, kits_running
):
    kit_id = f"res-{uuid.uuid4().hex[:6]}"
    email = f"{kit_id}@example.org"
    # Sign up in the dashboard's form and confirm on the page the mailed link opens (dashboard/signup_page.py;
    # tests/api/test_signup_in_browser.py clicks through the same pages in Chromium).
    site = create_app(DashboardSettings(language="en", tile_url=""), client=ApiClient(str(api.base_url)))
    web = site.server.test_client()
    form = {"email": email, "kit_id": kit_id, "name": "Balcony", "lat": str(BEVERWIJK[0]), "lon": str(BEVERWIJK[1]),
            "indoor": "outdoor", "sensors": ["sds011", "bme280"]}  # fmt: skip
    assert web.post("/signup", data=form).status_code == 202
    link = urlsplit(LINK.search(smtp_server.to(email)[0].get_payload(decode=True).decode()).group(0))
    assert web.get(link.path, query_string=link.query).status_code == 200  # asks first, changes nothing
    page = web.post(link.path, data=dict(parse_qsl(link.query))).get_data(as_text=True)
    config = json.loads(base64.b64decode(re.search(r"data:application/json;base64,([^']+)", page).group(1)))
    owner_page = html.unescape(re.search(r"id='owner-page' href='([^']+)'", page).group(1))
    token = parse_qs(urlsplit(owner_page).query)["token"][0]

    # The configuration exactly as the page gives it (a short interval, so the test need not wait minutes).
    (tmp_path / "kit.json").write_text(json.dumps({**config, "interval": 5}))
    out = tmp_path / "flash"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "flasher")}
    staged = subprocess.run(
        [sys.executable, "-m", "ijlucht_flash", "--store", str(tmp_path / "store"), "stage", "--config",
         str(tmp_path / "kit.json"), "--wifi-ssid", "virtual", "--out", str(out)],
        capture_output=True, text=True, timeout=120, env=env, cwd=str(tmp_path),
    )  # fmt: skip
    assert staged.returncode == 0, staged.stderr
    assert (out / "ca.pem").read_text() == config["ca"]
    # A PC has no SDS011 or BME280: on the flashed files the virtual kit's hardware, the replay sensor playing a
    # recorded series, takes their place; every other setting stays as staged.
    flashed = json.loads((out / "config.json").read_text())
    assert flashed["sensors"] == ["sds011", "bme280"] and flashed["tls"] is True
    (out / "config.json").write_text(json.dumps({**flashed, "sensors": ["replay"], "replay_file": "series.csv"}))
    (out / "series.csv").write_text("offset_s,pm1,pm25,pm10,t,rh,p\n0,,12.0,20.0,9.0,70.0,1012.0\n")
    kits_running.append(start_flashed(out))

    # Readings on the map, at the public (shifted) position, not the exact one.
    feature = wait_for(lambda: on_map(api, kit_id), timeout=60, what="the kit on the map")
    assert feature["geometry"]["coordinates"] != [BEVERWIJK[1], BEVERWIJK[0]]
    wait_for(lambda: (on_map(api, kit_id) or {}).get("properties", {}).get("value") == 12.0, 60, what="its PM2.5")

    # The owner page: online, health from the kit's info message, its latest reading.
    assert "Your kit" in web.get(owner_page).get_data(as_text=True)
    headers = {"X-Owner-Token": token}
    view = wait_for(
        lambda: (v := api.get(f"/v1/owner/kits/{kit_id}", headers=headers).json()).get("firmware") and v,
        60,
        what="the owner page with the kit's info",
    )
    assert view["online"] is True and view["latest"]["pm25"] == 12.0 and view["rejects"] == []
    assert view["health"]["backlog"] is not None and view["firmware"] == (out / "version").read_text().strip()

    # The kit moves; what it measured before stays where it was.
    before = conn.execute("SELECT count(*), max(time) FROM readings WHERE kit_id = %s", (kit_id,)).fetchone()
    move = {"token": token, "lang": "en", "lat": str(IJMUIDEN[0]), "lon": str(IJMUIDEN[1]), "indoor": "outdoor",
            "step": "do"}  # fmt: skip
    assert "GM0453" in web.post(f"/kit/{kit_id}/move", data=move).get_data(as_text=True)
    *earlier, old, new = kithistory.history(conn, kit_id)
    # Registered with the sensors signed up for, then the ones the kit itself reports (its info), then moved.
    assert [v.sensors for v in (*earlier, old)] == [["sds011", "bme280"], ["replay"]]
    assert {(v.lat, v.municipality_code) for v in (*earlier, old)} == {(BEVERWIJK[0], "GM0375")}
    assert (new.lat, new.municipality_code, new.sensors) == (IJMUIDEN[0], "GM0453", ["replay"])
    assert old.valid_to == new.valid_from and before[1] < new.valid_from
    # The last reading before the move belongs to the place it was measured at (a kit's first version also covers
    # readings dated just before its registration: span_from is -infinity there).
    span = "SELECT municipality_code FROM kit_version_spans WHERE kit_id = %s AND %s >= span_from AND %s < valid_to"
    assert conn.execute(span, (kit_id, before[1], before[1])).fetchall() == [("GM0375",)]
    wait_for(
        lambda: conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (kit_id,)).fetchone()[0] > before[0],
        30,
        what="readings after the move",
    )
    assert conn.execute(
        "SELECT count(*) FROM readings WHERE kit_id = %s AND time <= %s", (kit_id, before[1])
    ).fetchone() == (before[0],)

    # The owner deletes the kit with its measurements: nothing of it is left, its broker account is gone.
    gone = {"token": token, "lang": "en", "measurements": "delete", "step": "do", "typed": kit_id}
    r = web.post(f"/kit/{kit_id}/delete", data=gone)
    assert r.status_code == 200 and "is deleted" in r.get_data(as_text=True)
    assert broker.kit_account(settings, kit_id) is None
    wait_for(lambda: on_map(api, kit_id) is None, 30, what="the kit off the map")
    for table in ("kits", "readings", "kit_versions", "kit_signups", "latest_readings"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE kit_id = %s", (kit_id,)).fetchone() == (0,), table
