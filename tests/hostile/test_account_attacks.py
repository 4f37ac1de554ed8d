"""Attacks on broker accounts (issue 10, items 1-3): session takeover, reserved names, racing and failing account
changes. Each test asserts the platform's exact answer and that the sessions and readings around it are kept.
The answers are listed in docs/security.md."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import paho.mqtt.client as mqtt
import psycopg
import pytest
from fastapi.testclient import TestClient

from ijlucht import apikeys, broker, cli, contract, dynsec, kits
from tests.conftest import WorkerHandle, free_port, wait_for


class Session:
    """One MQTT v5 connection; remembers its CONNACK and whether (and why) the broker closed it."""

    def __init__(self, settings, user: str, password: str, client_id: str, clean_start: bool = True) -> None:
        self.connack: str | None = None
        self.closed: str | None = None
        self.answered, self.dropped = threading.Event(), threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.username_pw_set(user, password)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.connect(settings.mqtt_host, settings.mqtt_port, clean_start=clean_start)
        self.client.loop_start()
        assert self.answered.wait(10), "no CONNACK"

    def _on_connect(self, client, userdata, flags, rc, props) -> None:
        self.connack = str(rc)
        self.answered.set()

    def _on_disconnect(self, client, userdata, flags, rc, props) -> None:
        self.closed = str(rc)
        self.dropped.set()

    def publish(self, topic: str, body: dict) -> None:
        self.client.publish(topic, json.dumps(body), qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def login(settings, user: str, password: str, client_id: str | None = None) -> str:
    """The CONNACK reason of one login (a kit's client id is its kit id unless given)."""
    s = Session(settings, user, password, client_id or user)
    s.close()
    return s.connack or ""


@pytest.fixture(scope="module")
def admin_headers(settings) -> dict[str, str]:
    with psycopg.connect(settings.dsn, autocommit=True) as c:
        _, plain = apikeys.create_key(c, "account attacks", "admin")
    return {"X-API-Key": plain}


@pytest.fixture
def api(api_base_url) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_base_url, timeout=30) as client:
        yield client


def registration(kit_id: str) -> dict:
    return {"kit_id": kit_id, "name": "Zeestraat", "lat": 52.4874, "lon": 4.6573}


def reading(seq: int, ts: int) -> dict:
    return {"v": 1, "seq": seq, "fw": "0.1.0", "readings": [{"ts": ts, "pm25": 10.0 + seq, "pm10": 20.0}]}


def test_a_kit_cannot_take_over_the_workers_session_or_another_kits_and_no_reading_is_lost(
    settings, conn, make_kit, without_session_worker
):
    worker_id = f"{dynsec.INGEST_CLIENT_PREFIX}-takeover-{uuid.uuid4().hex[:6]}"
    handle = WorkerHandle(ingest_client_id=worker_id)
    handle.start()
    handle.stop()  # its persistent session now queues what kits send
    victim, victim_pw = make_kit("victim")
    attacker, attacker_pw = make_kit("attacker")
    kit = Session(settings, victim, victim_pw, victim)
    now = int(time.time()) - 120
    kit.publish(contract.topic(victim, contract.READINGS), reading(1, now))

    # A clean start under the worker's id would wipe its backlog; without one it would receive it and could ack it.
    for clean in (True, False):
        takeover = Session(settings, attacker, attacker_pw, worker_id, clean_start=clean)
        assert takeover.connack == "Not authorized"
        takeover.close()
    assert login(settings, attacker, attacker_pw, client_id=victim) == "Not authorized"
    assert login(settings, victim, "a guess", client_id=victim) == "Not authorized"
    assert kit.client.is_connected() and kit.closed is None  # the owner of the id was not disconnected

    kit.publish(contract.topic(victim, contract.READINGS), reading(2, now + 60))
    handle.start()  # the same session: both readings were kept for it
    try:
        rows = wait_for(
            lambda: (
                conn.execute("SELECT pm25 FROM readings WHERE kit_id = %s ORDER BY time", (victim,)).fetchall()
                if len(conn.execute("SELECT 1 FROM readings WHERE kit_id = %s", (victim,)).fetchall()) == 2
                else None
            ),
            what="both readings stored by the worker whose session was attacked",
        )
        assert rows == [(11.0,), (12.0,)]
    finally:
        handle.stop()
        kit.close()


@pytest.mark.parametrize(
    "kit_id",
    ["ingest", "admin", "ijlucht-ingest", "ijlucht-cmd", "ijlucht-admin", "ijlucht-ingest-x1", "mosquitto", "root"],
)
def test_reserved_ids_cannot_be_registered_and_the_platforms_accounts_keep_their_passwords(
    settings, conn, api, admin_headers, kit_id
):
    r = api.post("/v1/admin/kits", json=registration(kit_id), headers=admin_headers)
    assert r.status_code == 422
    assert r.json()["detail"] == dynsec.reserved_reason(kit_id)
    assert "is reserved" in r.json()["detail"]
    assert conn.execute("SELECT 1 FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() is None
    if kit_id in dynsec.SERVICE_ACCOUNTS:  # its broker password is still the one in the secrets folder
        client_id = {dynsec.INGEST_USER: dynsec.INGEST_CLIENT_PREFIX + "-check"}.get(kit_id, kit_id + "-check")
        assert login(settings, kit_id, broker.service_password(settings, kit_id), client_id) == "Success"


def test_reserved_ids_are_refused_by_the_cli_too_and_dollar_names_by_the_id_rule(api, admin_headers, capsys):
    assert cli.main(["kits", "add", "ingest", "--lat", "52.48", "--lon", "4.65"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {dynsec.reserved_reason('ingest')}"
    r = api.post("/v1/admin/kits", json=registration("$SYS"), headers=admin_headers)
    assert r.status_code == 422 and "kit_id" in r.text
    assert dynsec.reserved_reason("$control") is not None  # the core list says so even if the id rule changed


def test_twenty_concurrent_registrations_while_kits_are_connected_all_work_and_nobody_is_dropped(
    settings, api_base_url, admin_headers, make_kit
):
    online = [Session(settings, k, pw, k) for k, pw in (make_kit("online") for _ in range(3))]
    ids = [f"conc-{uuid.uuid4().hex[:8]}" for _ in range(20)]

    def register(kit_id: str) -> httpx.Response:
        return httpx.post(f"{api_base_url}/v1/admin/kits", json=registration(kit_id), headers=admin_headers, timeout=30)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(register, ids))
    try:
        assert [a.status_code for a in answers] == [201] * 20, [a.text for a in answers if a.status_code != 201]
        for kit_id, a in zip(ids, answers, strict=True):
            assert a.json()["mqtt"]["client_id"] == kit_id
            assert login(settings, kit_id, a.json()["mqtt"]["password"]) == "Success"
        assert all(s.client.is_connected() and s.closed is None for s in online)
    finally:
        for s in online:
            s.close()


def test_two_registrations_of_one_id_at_once_exactly_one_wins_the_others_get_409(
    settings, conn, api_base_url, admin_headers
):
    kit_id = f"race-{uuid.uuid4().hex[:8]}"

    def register(_: int) -> httpx.Response:
        return httpx.post(f"{api_base_url}/v1/admin/kits", json=registration(kit_id), headers=admin_headers, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(register, range(8)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 7
    lost = [a.json()["detail"] for a in answers if a.status_code == 409]
    assert set(lost) == {f"kit {kit_id!r} exists; rotate its password or pick another id"}
    won = next(a for a in answers if a.status_code == 201).json()["mqtt"]["password"]
    assert login(settings, kit_id, won) == "Success"  # the losers did not overwrite the winner's password
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (1,)


def test_a_disabled_kits_live_session_is_closed_at_once_and_its_login_refused(settings, api, admin_headers, make_kit):
    kit, pw = make_kit("dis")
    bystander, bpw = make_kit("dis")
    session, other = Session(settings, kit, pw, kit), Session(settings, bystander, bpw, bystander)
    try:
        r = api.post(f"/v1/admin/kits/{kit}/disable", headers=admin_headers)
        assert r.status_code == 200 and r.json() == {"kit_id": kit, "disabled": True}
        assert session.dropped.wait(2), "the disabled kit's session was not closed"
        assert session.closed == "Administrative action"
        assert login(settings, kit, pw) == "Not authorized"
        assert other.client.is_connected() and other.closed is None
    finally:
        session.close()
        other.close()


def test_a_rotated_password_works_at_once_and_the_old_one_does_not(settings, api, admin_headers, make_kit):
    kit, old = make_kit("rot")
    session = Session(settings, kit, old, kit)
    try:
        r = api.post(f"/v1/admin/kits/{kit}/password", headers=admin_headers)
        assert r.status_code == 200
        new = r.json()["mqtt"]["password"]
        assert session.dropped.wait(2), "the session logged in with the old password was not closed"
        assert session.closed == "Administrative action"
        assert login(settings, kit, new) == "Success"
        assert login(settings, kit, old) == "Not authorized"
    finally:
        session.close()


def test_a_broker_failure_during_registration_stores_nothing_and_says_so(settings, conn, admin_headers, make_kit):
    from api.app import create_app
    from api.settings import ApiSettings

    down = free_port()  # nothing listens here: the broker is unreachable
    kit_id = f"fail-{uuid.uuid4().hex[:8]}"
    with TestClient(create_app(ApiSettings(mqtt_port=down))) as client:
        r = client.post("/v1/admin/kits", json=registration(kit_id), headers=admin_headers)
    assert r.status_code == 503
    assert r.json()["detail"] == (
        "nothing was changed: the broker did not take the account change (broker at 127.0.0.1:"
        f"{down} unreachable: [Errno 111] Connection refused); try again"
    )
    assert conn.execute("SELECT 1 FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() is None
    kit, pw = make_kit("fail")  # a rotation that fails changes nothing either (the CLI takes this path too)
    changed = "SELECT password_changed_at FROM kits WHERE kit_id = %s"
    before = conn.execute(changed, (kit,)).fetchone()
    with pytest.raises(broker.BrokerAccountError, match="unreachable"):
        kits.rotate_password(conn, settings.model_copy(update={"mqtt_port": down}), kit)
    assert conn.execute(changed, (kit,)).fetchone() == before and login(settings, kit, pw) == "Success"
    # Once the broker answers again, the same registration simply works.
    password = kits.register_kit(conn, settings, kits.NewKit(kit_id, "x", 52.48, 4.65), replace=False)
    assert login(settings, kit_id, password) == "Success"
