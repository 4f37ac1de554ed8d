"""Backups of the production layout restore into a fresh instance; a second install run keeps what the first made."""

import shutil
import subprocess
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from tests.conftest import wait_for
from tests.deploy import unitrun
from tests.deploy.layout import (
    SERVER,
    Kit,
    Layout,
    _port_open,
    admin_key,
    api,
    on_map,
    start_services,
    stop_services,
)


def test_a_backup_restores_into_a_fresh_instance_with_every_reading_kit_and_account(layout):
    from ijlucht.settings import PlatformSettings
    from tests.deploy.fingerprint import fingerprint

    lay, ca = layout, layout.work / "ca.crt"
    key = admin_key(lay)
    kit_id = f"bak-{uuid.uuid4().hex[:6]}"
    r = api(lay, ca, "POST", "/v1/admin/kits", headers={"X-API-Key": key},
            json={"kit_id": kit_id, "name": "Backup", "lat": 52.46, "lon": 4.6})  # fmt: skip
    assert r.status_code == 201, r.text
    password = r.json()["mqtt"]["password"]
    kit = Kit(lay, ca, kit_id, password)
    try:
        assert kit.connected.wait(10)
        kit.send(7.5)
        wait_for(lambda: on_map(lay, ca, kit_id), timeout=30, what="the reading stored")
    finally:
        kit.close()
    for name in ("ijlucht-ingest", "ijlucht-api"):  # a quiet database, so both sides can be compared row by row
        unitrun.stop(lay.procs.pop(name))
    state = lay.path("/var/lib/ijlucht")
    before = fingerprint(PlatformSettings(pg_port=lay.ports["PG"], pg_dbname="ijlucht", state_dir=state).dsn)
    assert before["readings"][0] >= 1 and before["kits"][0] >= 1 and before["api_keys"][0] == 1

    backup = unitrun.parse_unit(lay.path("/etc/systemd/system/ijlucht-backup.service"))
    for _ in range(3):  # retention: keep the newest two
        done = unitrun.run(lay.root, backup, extra_env={"IJLUCHT_BACKUP_KEEP": "2"})
        assert done.returncode == 0, done.stderr
    kept = sorted(lay.path("/var/backups/ijlucht").glob("2*Z"))
    assert len(kept) == 2 and not list(lay.path("/var/backups/ijlucht").glob(".partial-*"))

    fresh = Layout()  # another host: its own root, an empty PostgreSQL cluster
    try:
        shutil.copytree(lay.path("/etc/postgresql"), fresh.path("/etc/postgresql"))  # what install.sh layout writes
        fresh.start_postgres()
        t0 = time.monotonic()
        fresh.sh(str(SERVER / "restore.sh"), str(kept[-1]), PGHOST=str(fresh.socket_dir),
                 IJLUCHT_PG_PORT=str(fresh.ports["PG"]))  # fmt: skip
        print(f"\n[figure] restore.sh of {before['readings'][0]} readings: {time.monotonic() - t0:.1f} s")
        fresh_state = fresh.path("/var/lib/ijlucht")
        after = fingerprint(PlatformSettings(pg_port=fresh.ports["PG"], pg_dbname="ijlucht", state_dir=fresh_state).dsn)
        assert after == before
        assert (fresh_state / "secrets/position-jitter.key").read_text() == (
            state / "secrets/position-jitter.key"
        ).read_text()
        # The broker's accounts came back: the kit logs in with its old password on a broker of the new host.
        assert _kit_logs_in(fresh, kit_id, password)
        with pytest.raises(subprocess.CalledProcessError):  # never over a database that holds data
            fresh.sh(str(SERVER / "restore.sh"), str(kept[-1]), PGHOST=str(fresh.socket_dir),
                     IJLUCHT_PG_PORT=str(fresh.ports["PG"]))  # fmt: skip
    finally:
        fresh.teardown()
        stop_services(lay)  # all running again, for the tests that follow
        start_services(lay)


def _kit_logs_in(fresh: Layout, kit_id: str, password: str) -> bool:
    """A bare broker on the restored accounts file (the plugin, a loopback listener), then the kit's login."""
    conf = fresh.work / "mosquitto.conf"
    plugin = subprocess.run(["dpkg", "-L", "mosquitto"], capture_output=True, text=True).stdout.split()
    plugin_path = next(p for p in plugin if p.endswith("/mosquitto_dynamic_security.so"))
    accounts = fresh.path("/var/lib/mosquitto/dynamic-security.json")
    shutil.chown(accounts.parent, "mosquitto")
    shutil.chown(accounts, "mosquitto")
    conf.write_text(f"allow_anonymous false\nplugin {plugin_path}\nplugin_opt_config_file {accounts}\n"
                    f"listener {fresh.ports['MQTT']} 127.0.0.1\n")  # fmt: skip
    broker = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _port_open(fresh.ports["MQTT"]), what="the restored broker")
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit_id)
        c.username_pw_set(kit_id, password)
        result: dict = {}
        c.on_connect = lambda cl, u, f, rc, p=None: result.setdefault("rc", rc)
        c.connect("127.0.0.1", fresh.ports["MQTT"])
        c.loop_start()
        wait_for(lambda: "rc" in result, what="CONNACK")
        c.disconnect()
        c.loop_stop()
        return not result["rc"].is_failure
    finally:
        broker.terminate()
        broker.wait(10)


def test_running_the_install_again_keeps_settings_secrets_and_accounts(layout):
    """`install.sh upgrade` (new code and environment) on an installed host changes no setting and no secret."""
    kept = [layout.path(p) for p in ("/etc/ijlucht/ijlucht.env", "/var/lib/mosquitto/dynamic-security.json")]
    kept += sorted(layout.path("/var/lib/ijlucht/secrets").iterdir())
    before = {p: p.read_bytes() for p in kept}
    stop_services(layout)  # what `install.sh upgrade` does with systemctl on a real host: new code, then restart
    layout.sh(str(SERVER / "install.sh"), "upgrade")
    layout.sh(str(SERVER / "install.sh"), "broker")
    start_services(layout)
    assert {p: p.read_bytes() for p in kept} == before
    assert layout.path("/opt/ijlucht/VERSION").read_text().strip()
