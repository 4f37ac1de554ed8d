"""The private Mosquitto enforces the production rules: no anonymous access, a password per kit, a per-kit ACL."""

import ssl
import tempfile
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt

from ijlucht import contract
from ijlucht.dynsec import INGEST_CLIENT_PREFIX, INGEST_USER
from tests.conftest import free_port, wait_for


def connect(settings, user=None, password=None, tls=False, client_id=None) -> tuple[mqtt.Client, mqtt.ReasonCode]:
    """Log in; a kit's client id is its kit id (the only one its account may use), the worker's its prefix."""
    if client_id is None:
        client_id = f"{INGEST_CLIENT_PREFIX}-t-{uuid.uuid4().hex[:8]}" if user == INGEST_USER else user or "anonymous"
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if user:
        c.username_pw_set(user, password)
    result: dict = {}
    done = threading.Event()

    def on_connect(client, userdata, flags, rc, props):
        result["rc"] = rc
        done.set()

    c.on_connect = on_connect
    port = settings.mqtt_port
    if tls:
        c.tls_set(ca_certs=str(settings.mosquitto_dir / "tls" / "ca.crt"), cert_reqs=ssl.CERT_REQUIRED)
        port = settings.mqtt_tls_port
    c.connect(settings.mqtt_host, port)
    c.loop_start()
    assert done.wait(10), "no CONNACK"
    return c, result["rc"]


def ingest_password(settings) -> str:
    return (settings.secrets_dir / "mqtt-ingest.pass").read_text().strip()


def test_anonymous_and_wrong_password_are_refused(settings, make_kit):
    kit, _ = make_kit()
    for user, pw in ((None, None), (kit, "wrong"), ("nobody", "x")):
        c, rc = connect(settings, user, pw)
        c.loop_stop()
        assert rc.is_failure, (user, str(rc))


def test_kit_can_publish_only_below_its_own_topic(settings, make_kit):
    kit_a, pw_a = make_kit()
    kit_b, _ = make_kit()
    received: list[str] = []
    sub, rc = connect(settings, "ingest", ingest_password(settings))
    assert not rc.is_failure
    sub.on_message = lambda c, u, m: received.append(m.topic)
    sub.subscribe("ijlucht/kits/+/readings", qos=1)
    pub, rc = connect(settings, kit_a, pw_a)
    assert not rc.is_failure
    wait_for(lambda: sub.is_connected(), what="subscriber")
    time.sleep(0.3)  # let the subscription settle
    pub.publish(contract.topic(kit_b, contract.READINGS), b"forged", qos=1).wait_for_publish(5)
    pub.publish(contract.topic(kit_a, contract.READINGS), b"mine", qos=1).wait_for_publish(5)
    wait_for(lambda: contract.topic(kit_a, contract.READINGS) in received, what="own message delivered")
    time.sleep(0.3)
    assert contract.topic(kit_b, contract.READINGS) not in received
    for c in (pub, sub):
        c.disconnect()
        c.loop_stop()


def test_kit_cannot_read_other_kits_data(settings, make_kit):
    kit, pw = make_kit()
    c, rc = connect(settings, kit, pw)
    assert not rc.is_failure
    got = []
    c.on_message = lambda cl, u, m: got.append(m.topic)
    c.subscribe("ijlucht/kits/#", qos=1)
    other, opw = make_kit()
    o, _ = connect(settings, other, opw)
    o.publish(contract.topic(other, contract.READINGS), b"x", qos=1).wait_for_publish(5)
    time.sleep(0.5)
    assert got == []
    for cl in (c, o):
        cl.disconnect()
        cl.loop_stop()


def test_tls_listener_verifies_with_the_local_ca(settings, make_kit):
    kit, pw = make_kit()
    c, rc = connect(settings, kit, pw, tls=True)
    assert not rc.is_failure
    c.disconnect()
    c.loop_stop()


def test_a_kit_may_log_in_only_with_its_own_id_as_client_id(settings, make_kit):
    kit, pw = make_kit()
    other, _ = make_kit()
    for client_id, answer in ((kit, "Success"), (other, "Not authorized"), (f"{kit}-2", "Not authorized")):
        c, rc = connect(settings, kit, pw, client_id=client_id)
        c.disconnect()
        c.loop_stop()
        assert str(rc) == answer, client_id


def test_platform_accounts_have_only_their_own_rights(settings, make_kit):
    from ijlucht.broker import service_password
    from ijlucht.dynsec import ADMIN_USER, CMD_USER, CONTROL_TOPIC

    kit, pw = make_kit()
    got: list[str] = []
    listener, _ = connect(settings, kit, pw)
    listener.on_message = lambda c, u, m: got.append(m.topic)
    listener.subscribe(contract.topic(kit, contract.CMD), qos=1)
    seen: list[str] = []  # the worker's view: everything below the kit's topics
    worker, _ = connect(settings, "ingest", ingest_password(settings))
    worker.on_message = lambda c, u, m: seen.append(m.topic)
    worker.subscribe(f"{contract.TOPIC_ROOT}/{kit}/#", qos=1)
    cmd, rc = connect(settings, CMD_USER, service_password(settings, CMD_USER), client_id="ijlucht-cmd-t")
    assert not rc.is_failure
    time.sleep(0.3)
    cmd.publish(contract.topic(kit, contract.READINGS), b"forged", qos=1).wait_for_publish(5)  # not its topic
    cmd.publish(CONTROL_TOPIC, b'{"commands":[{"command":"listClients"}]}', qos=1).wait_for_publish(5)
    cmd.publish(contract.topic(kit, contract.CMD), b'{"cmd":"info","id":"t"}', qos=1).wait_for_publish(5)
    wait_for(lambda: got and seen, what="the command delivered")
    time.sleep(0.2)
    assert got == [contract.topic(kit, contract.CMD)] and seen == got  # the forged reading never arrived
    # The admin account changes accounts but cannot read or write kits' data.
    admin, rc = connect(settings, ADMIN_USER, service_password(settings, ADMIN_USER), client_id="ijlucht-admin-t")
    granted: list = []
    admin.on_subscribe = lambda c, u, m, codes, p: granted.extend(codes)
    admin.subscribe("ijlucht/kits/#", qos=1)
    wait_for(lambda: granted, what="SUBACK")
    assert granted[0].is_failure
    for c in (listener, worker, cmd, admin):
        c.disconnect()
        c.loop_stop()


def test_the_broker_caps_keepalive_as_configured(settings, make_kit):
    kit, pw = make_kit()
    props: dict = {}
    done = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit, protocol=mqtt.MQTTv5)
    c.username_pw_set(kit, pw)
    c.on_connect = lambda cl, u, f, rc, p: (props.update(keepalive=getattr(p, "ServerKeepAlive", None)), done.set())
    c.connect(settings.mqtt_host, settings.mqtt_port, keepalive=3600)
    c.loop_start()
    assert done.wait(10)
    c.disconnect()
    c.loop_stop()
    assert props["keepalive"] == 600


LIMITS = ("persistent_client_expiration", "max_queued_messages", "max_queued_bytes", "max_keepalive", "max_packet_size")


def _options(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        if key and not key.startswith("#"):
            out.setdefault(key, []).append(value)
    return out


def test_limits_are_the_same_for_make_up_and_production_and_hold_a_day_of_the_fleet(settings):
    from tests.conftest import ROOT

    production = _options((ROOT / "deploy" / "mosquitto" / "server.conf.in").read_text())
    running = _options((settings.mosquitto_dir / "mosquitto.conf").read_text())  # what services.sh wrote
    for key in LIMITS:
        assert running[key] == production[key], key
    assert set(running["max_connections"]) == set(production["max_connections"][:1]) == {"12000"}
    assert production["persistent_client_expiration"] == ["3d"]  # longer than a 24-hour outage of the worker
    # deploy/mosquitto/server.conf.in: 9,000 kits x 1,440 messages a day of ~150 bytes fit into one session's bounds
    day = 9_000 * 1_440
    assert int(production["max_queued_messages"][0]) >= day
    assert int(production["max_queued_bytes"][0]) >= day * 150
    assert int(production["max_queued_bytes"][0]) <= 2**31 - 1  # Mosquitto 2.0 parses it as a 32-bit int
    assert "password_file" not in running and "acl_file" not in running
    assert running["plugin"][0].endswith("mosquitto_dynamic_security.so")


def test_an_old_password_file_is_imported_and_its_kits_keep_their_passwords(settings, tmp_path):
    """A .state from the password-file days: its kits log in to a broker run with the plugin, same passwords."""
    import getpass
    import subprocess

    from ijlucht.dynsec import prepare

    plain = tmp_path / "passwd"
    plain.write_text("old-001:first-password\nold-002:second-password\ningest:not-the-workers\n")
    subprocess.run(["mosquitto_passwd", "-U", str(plain)], check=True)  # hashes in place, no password in argv
    plain.write_text(plain.read_text() + "old-003:$6$c2FsdA==$aGFzaA==\n")  # an older hash format
    secrets_dir = tmp_path / "secrets"
    done = prepare(tmp_path / "dynsec.json", secrets_dir, plain)
    assert done[1] == f"imported 2 kit account(s) from {plain} with their passwords"
    assert done[2] == "could not import (old hash format), run `ijlucht kits rotate` for: old-003"
    assert not plain.exists() and (tmp_path / "passwd.imported").exists()

    plugin = _options((settings.mosquitto_dir / "mosquitto.conf").read_text())["plugin"][0]
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(  # a second broker as this user (it can read tmp_path), on the converted accounts
        f"user {getpass.getuser()}\nallow_anonymous false\nplugin {plugin}\n"
        f"plugin_opt_config_file {tmp_path / 'dynsec.json'}\nlistener {port} 127.0.0.1\n"
    )
    broker = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        other = settings.model_copy(update={"mqtt_port": port})
        wait_for(lambda: _port_open(port), what="the second broker")
        for user, pw, answer in (
            ("old-001", "first-password", "Success"),
            ("old-002", "second-password", "Success"),
            ("old-001", "second-password", "Not authorized"),
            ("ingest", "not-the-workers", "Not authorized"),  # the platform's accounts come from the secrets
        ):
            c, rc = connect(other, user, pw, client_id=user if user != "ingest" else "ijlucht-ingest-t")
            c.disconnect()
            c.loop_stop()
            assert str(rc) == answer, (user, pw)
    finally:
        broker.terminate()
        broker.wait(10)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_reserved_ids_follow_one_list():
    from ijlucht.dynsec import reserved_reason

    assert reserved_reason("bev-042") is None and reserved_reason("ingester") is None
    assert reserved_reason("ingest") == (
        "kit id 'ingest' is reserved: it names one of the platform's own broker accounts"
    )
    assert reserved_reason("ijlucht-push-1") == (
        "kit id 'ijlucht-push-1' is reserved: ids starting with 'ijlucht' belong to the platform's own accounts "
        "and client ids"
    )


def test_services_start_moves_a_running_password_file_broker_to_the_plugin_and_kits_keep_their_passwords(settings):
    """`make up` on a .state of the password-file days, its broker still running: restarted once, kits imported."""
    import getpass
    import os
    import shutil
    import subprocess

    from tests.conftest import SERVICES_SH

    # The old broker runs as the mosquitto user from this folder, so it must be one that user can enter (the
    # clone may sit in a mode-700 folder such as /root, where services.sh itself would move the broker out).
    state = Path(tempfile.mkdtemp(prefix="ijlucht-upgrade-"))
    state.chmod(0o755)
    d = state / "mosquitto"
    d.mkdir(parents=True)
    port, tls_port = free_port(), free_port()
    (d / "passwd").write_text("old-kit:old-password\n")
    subprocess.run(["mosquitto_passwd", "-U", str(d / "passwd")], check=True)
    user = "mosquitto" if os.geteuid() == 0 else getpass.getuser()
    (d / "mosquitto.conf").write_text(  # the old style: a password file, signalled on change
        f"user {user}\nallow_anonymous false\npassword_file {d}/passwd\npid_file {d}/mosquitto.pid\n"
        f"listener {port} 127.0.0.1\n"
    )
    if os.geteuid() == 0:
        shutil.chown(d, user)
    subprocess.run(["mosquitto", "-c", str(d / "mosquitto.conf"), "-d"], check=True)
    env = {**os.environ, "IJLUCHT_STATE_DIR": str(state), "IJLUCHT_MQTT_PORT": str(port)}
    env["IJLUCHT_MQTT_TLS_PORT"] = str(tls_port)
    try:
        wait_for(lambda: _port_open(port), what="the old broker")
        old = settings.model_copy(update={"mqtt_port": port})
        c, rc = connect(old, "old-kit", "old-password", client_id="anything")  # the old rules: any client id
        c.disconnect()
        c.loop_stop()
        assert str(rc) == "Success"
        started = subprocess.run(
            ["bash", str(SERVICES_SH), "start", "mosquitto"], env=env, capture_output=True, text=True
        )
        assert started.returncode == 0, started.stderr
        assert "restarting Mosquitto once" in started.stderr and "imported 1 kit account(s)" in started.stderr
        assert (d / "passwd.imported").exists() and (d / "dynamic-security.json").exists()
        for client_id, answer in (("old-kit", "Success"), ("anything", "Not authorized")):
            c, rc = connect(old, "old-kit", "old-password", client_id=client_id)
            c.disconnect()
            c.loop_stop()
            assert str(rc) == answer, client_id
    finally:
        subprocess.run(["bash", str(SERVICES_SH), "stop", "mosquitto"], env=env, check=False, capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


def test_cli_rotates_disables_and_deletes_accounts_through_the_broker(settings, make_kit, capsys):
    from ijlucht import broker, cli

    kit, old = make_kit()

    def answer(password: str) -> str:
        c, rc = connect(settings, kit, password)
        c.disconnect()
        c.loop_stop()
        return str(rc)

    assert cli.main(["kits", "rotate", kit]) == 0
    new = capsys.readouterr().out.split("new broker password ", 1)[1].split(" ", 1)[0]
    assert (answer(new), answer(old)) == ("Success", "Not authorized")
    assert cli.main(["kits", "disable", kit]) == 0
    assert "disabled" in capsys.readouterr().out and answer(new) == "Not authorized"
    assert cli.main(["kits", "delete", kit]) == 0
    assert "account deleted" in capsys.readouterr().out and broker.kit_account(settings, kit) is None
    assert cli.main(["kits", "rotate", kit]) == 0  # a fresh account, client id pinned again
    newest = capsys.readouterr().out.split("new broker password ", 1)[1].split(" ", 1)[0]
    assert answer(newest) == "Success" and broker.kit_account(settings, kit)["clientid"] == kit
    assert cli.main(["kits", "disable", "no-such-kit"]) == 2
    assert capsys.readouterr().err.strip() == "error: no kit with id 'no-such-kit'"
