"""/v1/admin: registration gives broker credentials that work at once; disable and rotate; exact data by key only."""

import threading
import uuid

import paho.mqtt.client as mqtt
import pytest

from ijlucht.privacy import distance_m


def broker_accepts(settings, username: str, password: str) -> bool:
    """Log in to the test broker; True when CONNACK says success."""
    result: dict[str, bool] = {}
    done = threading.Event()

    def on_connect(client, userdata, flags, reason_code, properties):
        result["ok"] = not reason_code.is_failure
        done.set()

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=username, protocol=mqtt.MQTTv5)
    c.username_pw_set(username, password)
    c.on_connect = on_connect
    c.connect(settings.mqtt_host, settings.mqtt_port)
    c.loop_start()
    done.wait(10)
    c.loop_stop()
    c.disconnect()
    return result.get("ok", False)


def _registration(**kw):
    body = {
        "kit_id": f"reg-{uuid.uuid4().hex[:8]}",
        "name": "Zeestraat 12",
        "lat": 52.4874,
        "lon": 4.6573,
        "height_m": 3.5,
        "owner": {"name": "A. Bewoner", "email": "bewoner@example.org"},
        "sensors": ["pms5003", "bme280"],
    }
    return {**body, **kw}


def test_registration_gives_credentials_the_broker_accepts_at_once(api, settings, admin_key):
    body = _registration()
    r = api.post("/v1/admin/kits", json=body, headers={"X-API-Key": admin_key})
    assert r.status_code == 201, r.text
    answer = r.json()
    mqtt_login = answer["mqtt"]
    assert mqtt_login["username"] == body["kit_id"] and len(mqtt_login["password"]) >= 20
    assert answer["kit"]["municipality"] == "Beverwijk" and answer["kit"]["district"] == "Centrum"
    assert answer["kit"]["owner"] == body["owner"] and answer["kit"]["lat"] == body["lat"]
    assert broker_accepts(settings, body["kit_id"], mqtt_login["password"])
    assert not broker_accepts(settings, body["kit_id"], "wrong-password")
    # Publicly: the jittered position, no owner.
    public = api.get(f"/v1/kits/{body['kit_id']}").json()
    lon, lat = public["geometry"]["coordinates"]
    assert 40 <= distance_m(lat, lon, body["lat"], body["lon"]) <= 100
    assert "bewoner" not in str(public) and public["properties"]["exact_location"] is False
    assert api.post("/v1/admin/kits", json=body, headers={"X-API-Key": admin_key}).status_code == 409


def test_disable_and_rotate(api, settings, admin_key):
    body = _registration()
    auth = {"X-API-Key": admin_key}
    old = api.post("/v1/admin/kits", json=body, headers=auth).json()["mqtt"]["password"]
    kit = body["kit_id"]
    r = api.post(f"/v1/admin/kits/{kit}/password", headers=auth)
    new = r.json()["mqtt"]["password"]
    assert r.status_code == 200 and new != old
    assert broker_accepts(settings, kit, new) and not broker_accepts(settings, kit, old)
    assert api.post(f"/v1/admin/kits/{kit}/disable", headers=auth).json()["disabled"] is True
    assert not broker_accepts(settings, kit, new)
    assert api.get(f"/v1/kits/{kit}").json()["properties"]["disabled"] is True
    assert api.post("/v1/admin/kits/no-such-kit/disable", headers=auth).status_code == 404


def test_owner_may_opt_in_to_the_exact_position(api, admin_key):
    body = _registration(exact_location_public=True)
    api.post("/v1/admin/kits", json=body, headers={"X-API-Key": admin_key})
    public = api.get(f"/v1/kits/{body['kit_id']}").json()
    assert public["geometry"]["coordinates"] == [body["lon"], body["lat"]]
    assert public["properties"]["exact_location"] is True


def test_indoor_kits_have_no_public_position(api, admin_key):
    body = _registration(indoor=True)
    api.post("/v1/admin/kits", json=body, headers={"X-API-Key": admin_key})
    assert api.get(f"/v1/kits/{body['kit_id']}").json()["geometry"] is None
    ids = [f["id"] for f in api.get("/v1/kits", params={"indoor": "false"}).json()["features"]]
    assert body["kit_id"] not in ids


def test_admin_needs_an_admin_key(api, reader_key):
    assert api.get("/v1/admin/kits").status_code == 401
    r = api.get("/v1/admin/kits", headers={"X-API-Key": reader_key})
    assert r.status_code == 403 and "admin" in r.json()["detail"]
    r = api.get("/v1/admin/kits", headers={"X-API-Key": "ijl_00000000_not-a-real-key"})
    assert r.status_code == 401 and "unknown" in r.json()["detail"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"kit_id": "Bad Id"}, "kit_id"),
        ({"lat": 95}, "lat"),
        ({"name": "a\x00b"}, "name"),
        ({"owner": {"name": "x", "email": "not-an-email"}}, "email"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_registrations_are_422_naming_the_field(api, admin_key, change, words):
    r = api.post("/v1/admin/kits", json=_registration(**change), headers={"X-API-Key": admin_key})
    assert r.status_code == 422 and words in r.json()["detail"]


def test_exact_positions_and_owners_only_for_admins(api, admin_key, rolled_up):
    rows = api.get("/v1/admin/kits", headers={"X-API-Key": admin_key}).json()["results"]
    wijk = next(k for k in rows if k["kit_id"] == "seed-wijkaanzee")
    assert (wijk["lat"], wijk["lon"]) == (52.493, 4.596) and wijk["public_lat"] != 52.493
    public = api.get("/v1/kits", params={"format": "json"}).json()["results"]
    assert all(k.get("lat") != 52.493 for k in public) and "owner_email" not in str(public)
