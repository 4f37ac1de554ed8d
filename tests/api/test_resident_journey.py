"""The whole journey of a resident, as one test: sign up → confirm (the mail read from a real SMTP server) → the kit
configuration → a virtual kit flashed from it (the resident's flash tool stages the files, MicroPython boots from
exactly those) → readings on the map → the owner page with health → the kit moves → its history intact → the owner
deletes it. Real PostgreSQL, Mosquitto (TLS, the CA from the configuration), ingest worker and API."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from ijlucht import broker, kithistory
from tests.api.test_accounts import mailed_link, signup
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
    # Sign up and confirm from the mail.
    body = signup(kit_id, email, lat=BEVERWIJK[0], lon=BEVERWIJK[1], sensors=["sds011", "bme280"])
    assert api.post("/v1/accounts/signups", json=body).status_code == 202
    answer = api.get(mailed_link(smtp_server, email)).json()
    token = answer["owner_token"]

    # The configuration exactly as the answer gives it (a short interval, so the test need not wait minutes).
    (tmp_path / "kit.json").write_text(json.dumps({**answer["kit_config"], "interval": 5}))
    out = tmp_path / "flash"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "flasher")}
    staged = subprocess.run(
        [sys.executable, "-m", "ijlucht_flash", "--store", str(tmp_path / "store"), "stage", "--config",
         str(tmp_path / "kit.json"), "--wifi-ssid", "virtual", "--out", str(out)],
        capture_output=True, text=True, timeout=120, env=env, cwd=str(tmp_path),
    )  # fmt: skip
    assert staged.returncode == 0, staged.stderr
    assert (out / "ca.pem").read_text() == answer["kit_config"]["ca"]
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
    kithistory.move_kit(conn, settings, kit_id, *IJMUIDEN)
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
    r = api.delete(f"/v1/owner/kits/{kit_id}", params={"measurements": "delete"}, headers=headers)
    assert r.status_code == 200, r.text
    assert broker.kit_account(settings, kit_id) is None
    wait_for(lambda: on_map(api, kit_id) is None, 30, what="the kit off the map")
    for table in ("kits", "readings", "kit_versions", "kit_signups", "latest_readings"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE kit_id = %s", (kit_id,)).fetchone() == (0,), table
