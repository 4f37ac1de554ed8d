"""Residents register a kit alone: a sign-up mails a one-time link (to a real local SMTP server), following it
registers the kit and shows a configuration the firmware takes and the broker lets in; bad sign-ups get clear
answers, sign-ups are rate limited, and with approval switched on the kit waits for an admin."""

import re
import ssl
import tempfile
import threading
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from ijlucht import broker, owners
from ijlucht.flash import firmware_module
from ijlucht.settings import PlatformSettings

# The mailed link opens the dashboard's confirmation page (dashboard/signup_page.py), which asks the API.
LINK = re.compile(r"(http://\S+)/signup/confirm\?token=([A-Za-z0-9_-]+)")


def signup(kit_id: str, email: str | None = None, **extra) -> dict:
    body = {"email": email or f"{kit_id}@example.org", "kit_id": kit_id, "name": "Balcony, Zeestraat"}
    return {**body, "lat": 52.4874, "lon": 4.6573, "height_m": 3.5, "sensors": ["sds011", "bme280"], **extra}


def unique(prefix: str = "res") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def mailed_token(smtp_server, address: str) -> str:
    """The token of the link mailed to `address`, after checking the link opens the site's confirmation page."""
    [message] = smtp_server.to(address)
    found = LINK.search(message.get_payload(decode=True).decode())
    assert found and found.group(1) == PlatformSettings().site_url, "the link opens the dashboard's page"
    return found.group(2)


def mailed_link(smtp_server, address: str) -> str:
    """The API request the mailed link's page makes."""
    return f"/v1/accounts/confirm?token={mailed_token(smtp_server, address)}"


def broker_accepts(settings, config: dict) -> bool:
    """Whether the broker's TLS listener lets the kit in with this configuration (its CA, host, port, password)."""
    with tempfile.TemporaryDirectory() as d:
        ca = Path(d) / "ca.pem"
        ca.write_text(config["ca"])
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=config["kit_id"], protocol=mqtt.MQTTv5)
        c.username_pw_set(config["kit_id"], config["mqtt_password"])
        c.tls_set(ca_certs=str(ca), cert_reqs=ssl.CERT_REQUIRED)
        result, done = {}, threading.Event()
        c.on_connect = lambda client, userdata, flags, rc, props: (result.update(rc=rc), done.set())
        c.connect(config["mqtt_host"], config["mqtt_port"])
        c.loop_start()
        try:
            assert done.wait(10), "no CONNACK"
        finally:
            c.disconnect()
            c.loop_stop()
    return not result["rc"].is_failure


def test_a_confirmed_signup_registers_the_kit_with_a_configuration_the_kit_boots_with(api, smtp_server, conn, settings):
    kit_id = unique()
    r = api.post("/v1/accounts/signups", json=signup(kit_id))
    assert r.status_code == 202, r.text
    link = mailed_link(smtp_server, f"{kit_id}@example.org")
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (0,)
    got = api.get(link)
    assert got.status_code == 200 and got.headers["cache-control"] == "no-store", got.text
    answer = got.json()
    config = answer["kit_config"]
    assert answer["approval_pending"] is False
    assert (config["mqtt_host"], config["mqtt_port"], config["tls"]) == (
        settings.kit_broker_host,
        settings.mqtt_tls_port,
        True,
    )
    assert config["ca"].startswith("-----BEGIN CERTIFICATE-----") and re.fullmatch(
        r"[0-9a-f]{64}", config["update_key"]
    )
    kit_json = {k: v for k, v in config.items() if k not in ("ca", "update_key")}
    firmware_module("config").validate({**kit_json, "wifi_ssid": "Thuis"})  # what the kit boots with
    assert broker_accepts(settings, config)
    row = conn.execute(
        "SELECT lat, lon, owner_email, sensors, indoor, height_m, owner_token_hash, public_lat FROM kits"
        " WHERE kit_id = %s",
        (kit_id,),
    ).fetchone()
    assert row[:6] == (52.4874, 4.6573, f"{kit_id}@example.org", ["sds011", "bme280"], False, 3.5)
    assert answer["owner_page"] == f"/kit/{kit_id}?token={answer['owner_token']}"
    assert row[6] == owners.hash_token(answer["owner_token"]) and row[7] != 52.4874  # public position jittered
    exact = conn.execute("SELECT lat, lon FROM kit_signups WHERE kit_id = %s", (kit_id,)).fetchone()
    assert exact == (None, None)  # the exact position lives in the kit's row only
    again = api.get(link)
    assert again.status_code == 404 and "used already" in again.json()["detail"]


@pytest.mark.parametrize(
    "change, status, says",
    [
        ({"kit_id": "ijlucht-mine"}, 422, "reserved"),
        ({"kit_id": "admin"}, 422, "reserved"),
        ({"lat": 52.0}, 422, "lat"),
        ({"lon": 5.2}, 422, "lon"),
        ({"email": "not-an-address"}, 422, "email"),
        ({"sensors": ["pms5003", "sds011"]}, 422, "particle sensors"),
        ({"sensors": ["sht3x", "sht4x"]}, 422, "SHT sensors"),
        ({"sensors": ["PMS5003"]}, 422, "sensors"),
        ({"sensors": []}, 422, "sensors"),
    ],
)
def test_bad_signups_say_what_to_change(api, smtp_server, change, status, says):
    r = api.post("/v1/accounts/signups", json={**signup(unique()), **change})
    assert r.status_code == status and says in r.json()["detail"], r.text


def test_a_name_in_use_is_refused_before_any_mail(api, smtp_server, make_kit):
    taken, _ = make_kit("taken")
    r = api.post("/v1/accounts/signups", json=signup(taken, email="second@example.org"))
    assert r.status_code == 409 and "taken" in r.json()["detail"]
    held = unique()
    assert api.post("/v1/accounts/signups", json=signup(held, email="first@example.org")).status_code == 202
    r = api.post("/v1/accounts/signups", json=signup(held, email="other@example.org"))
    assert r.status_code == 409  # an open sign-up of another address holds the name
    assert smtp_server.to("second@example.org") == [] and smtp_server.to("other@example.org") == []


def test_an_address_may_sign_up_three_times_a_day(api, smtp_server):
    address = f"{unique('eager')}@example.org"
    assert [api.post("/v1/accounts/signups", json=signup(unique(), address)).status_code for _ in range(3)] == [202] * 3
    r = api.post("/v1/accounts/signups", json=signup(unique(), address.upper()))
    assert r.status_code == 429 and "tomorrow" in r.json()["detail"]
    assert len(smtp_server.to(address)) == 3


CLIENTS = iter(range(1, 255))


@pytest.fixture
def resident_client(settings):
    """A fresh in-process app seen from a remote client of its own, with approval of new kits switched on."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings

    app = create_app(ApiSettings(kits_need_approval=True, api_map_cache_s=0))
    with TestClient(app, client=(f"198.51.100.{next(CLIENTS)}", 40000)) as client:
        yield client


def test_one_client_may_sign_up_ten_times_a_day(resident_client, smtp_server):
    codes = [
        resident_client.post("/v1/accounts/signups", json=signup(unique(), f"{unique('c')}@example.org")).status_code
        for _ in range(11)
    ]
    assert codes == [202] * 10 + [429]


def test_with_approval_on_the_kit_waits_for_an_admin(resident_client, smtp_server, admin_key, settings, conn):
    kit_id = unique("wait")
    assert resident_client.post("/v1/accounts/signups", json=signup(kit_id, indoor=True)).status_code == 202
    link = mailed_link(smtp_server, f"{kit_id}@example.org")
    answer = resident_client.get(link).json()
    assert answer["approval_pending"] is True and "approved" in answer["note"]
    assert answer["kit_config"]["indoor"] is True
    assert broker.kit_account(settings, kit_id)["disabled"] is True
    assert not broker_accepts(settings, answer["kit_config"])
    headers = {"X-API-Key": admin_key}
    r = resident_client.post(f"/v1/admin/kits/{kit_id}/approve", headers=headers)
    assert r.status_code == 200 and r.json()["was_waiting"] is True
    assert broker_accepts(settings, answer["kit_config"])  # the password shown once works now
    assert conn.execute("SELECT approval_pending, disabled_at FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (
        False,
        None,
    )
    assert resident_client.post(f"/v1/admin/kits/{kit_id}/approve", headers=headers).json()["was_waiting"] is False
    assert resident_client.post("/v1/admin/kits/no-such-kit/approve", headers=headers).status_code == 404


def test_without_the_ca_file_nothing_is_registered_and_the_link_still_works(
    resident_client, smtp_server, conn, tmp_path
):
    kit_id = unique("noca")
    assert resident_client.post("/v1/accounts/signups", json=signup(kit_id)).status_code == 202
    link = mailed_link(smtp_server, f"{kit_id}@example.org")
    settings = resident_client.app.state.settings
    ca = settings.kit_ca_file
    settings.kit_ca_file = tmp_path / "missing.pem"
    try:
        r = resident_client.get(link)
    finally:
        settings.kit_ca_file = ca
    assert r.status_code == 503 and "CA certificate" in r.json()["detail"]
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (0,)
    assert resident_client.get(link).status_code == 200
