"""The production layout (deploy/server/) installed into a temporary root and run as its units say, end to end.

PostgreSQL, Mosquitto and nginx are Debian's, started as their Debian units would be (Mosquitto and nginx in the
layout's namespace, reading the configs install.sh wrote); the IJlucht services run through tests/deploy/unitrun.py:
the unit's User=, EnvironmentFile=, WorkingDirectory=, ExecStartPre=/ExecStart=, and a read-only / except
StateDirectory=/ReadWritePaths=. `systemctl` is the one fake: a script that records what the certificate hook asks.
"""

import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest

from ijlucht import contract
from tests.conftest import ROOT, free_port, wait_for
from tests.deploy import unitrun

SERVER = ROOT / "deploy" / "server"
PGBIN = (
    Path("/usr/lib/postgresql")
    / subprocess.run(
        ["bash", str(ROOT / "deploy" / "local" / "services.sh"), "pg-major"], capture_output=True, text=True
    ).stdout.strip()
    / "bin"
)
SERVICES = ("ijlucht-ingest", "ijlucht-api", "ijlucht-push", "ijlucht-dashboard")
SERVER_NAME = "ijlucht.test"
# Bound from the root, not seen through the overlay: an overlay need not show files renamed into its lower layer.
TLS = ["/etc/ijlucht/tls"]


def local_ca(d: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=IJlucht test CA",
         "-keyout", d / "ca.key", "-out", d / "ca.crt"], check=True, capture_output=True)  # fmt: skip


def server_cert(d: Path, name: str) -> tuple[Path, Path]:
    key, csr, crt, ext = d / f"{name}.key", d / f"{name}.csr", d / f"{name}.crt", d / f"{name}.ext"
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={SERVER_NAME}", "-keyout", key,
                    "-out", csr], check=True, capture_output=True)  # fmt: skip
    ext.write_text(f"subjectAltName=DNS:{SERVER_NAME},IP:127.0.0.1\n")
    ca = ["-CA", d / "ca.crt", "-CAkey", d / "ca.key", "-CAcreateserial"]
    subprocess.run(["openssl", "x509", "-req", "-in", csr, *ca, "-days", "2", "-extfile", ext, "-out", crt],
                   check=True, capture_output=True)  # fmt: skip
    return crt, key


def served_serial(port: int, ca: Path) -> int:
    ctx = ssl.create_default_context(cafile=str(ca))
    import socket

    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s,
    ):
        der = s.getpeercert(binary_form=True)
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der, capture_output=True)
    return int(out.stdout.decode().split("=")[1], 16)


class Layout:
    """One installed layout with its processes; torn down in reverse."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ijlucht-layout-", dir="/srv"))
        self.root.chmod(0o755)
        self.work = Path(tempfile.mkdtemp(prefix="ijlucht-layout-work-"))
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports = {k: free_port() for k in ("PG", "MQTT", "MQTT_TLS", "API", "DASHBOARD", "PUSH", "HTTPS", "HTTP",
                                               "INGEST_METRICS", "API_METRICS", "DASHBOARD_METRICS")}  # fmt: skip
        self.env = unitrun.read_env_file  # set after install

    def path(self, p: str) -> Path:
        return self.root / p.lstrip("/")

    @property
    def socket_dir(self) -> Path:
        """Debian's /run/postgresql of this host (units see it there)."""
        return self.path("/run/postgresql")

    def install(self) -> float:
        env = {**os.environ, "IJLUCHT_SERVER_ROOT": str(self.root), "IJLUCHT_SERVER_NAME": SERVER_NAME}
        env.update({f"IJLUCHT_{k}_PORT": str(v) for k, v in self.ports.items()})
        # The packages step: here everything is installed already (make install), so it only checks, as on a re-run.
        subprocess.run(["bash", str(SERVER / "install.sh"), "packages"], env=env, check=True)
        t0 = time.monotonic()
        subprocess.run(["bash", str(SERVER / "install.sh"), "layout"], env=env, check=True)
        took = time.monotonic() - t0
        envfile = self.path("/etc/ijlucht/ijlucht.env")
        # No internet here: the dashboard draws only its bundled outlines.
        envfile.write_text(envfile.read_text() + "IJLUCHT_DASHBOARD_TILE_URL=\n")
        # What `install.sh enable` does on a real host: Debian's welcome site is no longer enabled (a whiteout).
        subprocess.run(["mknod", self.path("/etc/nginx/sites-enabled/default"), "c", "0", "0"], check=True)
        return took

    def sh(self, *args: str, **env: str) -> None:
        e = {**os.environ, "IJLUCHT_SERVER_ROOT": str(self.root), **env}
        subprocess.run(["bash", *args], env=e, check=True)

    def start_postgres(self) -> None:
        data = self.path("/var/lib/postgresql/main")
        data.parent.mkdir(parents=True)
        shutil.chown(data.parent, "postgres")
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.socket_dir, "postgres")
        subprocess.run(["runuser", "-u", "postgres", "--", PGBIN / "initdb", "-D", data, "--auth-local=peer",
                        "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], check=True,
                       capture_output=True, cwd="/")  # fmt: skip
        confd = next(self.root.glob("etc/postgresql/*/main/conf.d"))
        with (data / "postgresql.conf").open("a") as f:
            f.write(f"include_dir = '{confd}'\nlisten_addresses = '127.0.0.1'\nport = {self.ports['PG']}\n")
            f.write(f"unix_socket_directories = '{self.socket_dir}'\n")
        subprocess.run(["runuser", "-u", "postgres", "--", PGBIN / "pg_ctl", "-D", data, "-l", data / "log", "-w",
                        "start"], check=True, capture_output=True, cwd="/")  # fmt: skip

    def stop_postgres(self) -> None:
        data = self.path("/var/lib/postgresql/main")
        if (data / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", "postgres", "--", PGBIN / "pg_ctl", "-D", data, "-m", "fast", "stop"],
                           capture_output=True, cwd="/")  # fmt: skip

    def debian_unit(self, name: str, argv: list[str], writable: list[str]) -> None:
        """Mosquitto or nginx as Debian's unit starts it, in the layout's view (root, its own writable folders)."""
        for w in writable:
            p = self.path(w)
            if w.endswith(".pid"):
                p.parent.mkdir(parents=True, exist_ok=True)
                p.touch()
            else:
                p.mkdir(parents=True, exist_ok=True)
        unit = unitrun.Unit(name=name, exec_start=" ".join(argv), writable=writable)
        self.procs[name] = subprocess.Popen(
            unitrun.command_line(self.root, unit, argv, unitrun.unit_env(self.root, unit)),
            stdout=(self.work / f"{name}.log").open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def start_mosquitto(self) -> None:
        for d in ("/var/lib/mosquitto", "/var/log/mosquitto", "/run/mosquitto"):
            self.path(d).mkdir(parents=True, exist_ok=True)
            shutil.chown(self.path(d), "mosquitto")
        self.debian_unit("mosquitto", ["/usr/sbin/mosquitto", "-c", "/etc/mosquitto/mosquitto.conf"],
                         ["/var/lib/mosquitto", "/var/log/mosquitto", "/run/mosquitto", *TLS])  # fmt: skip
        wait_for(lambda: _port_open(self.ports["MQTT"]), what="mosquitto")

    def start_nginx(self) -> None:
        self.debian_unit("nginx", ["/usr/sbin/nginx", "-g", "daemon off; master_process on;"],
                         ["/run/nginx.pid", "/var/log/nginx", "/var/lib/nginx", *TLS])  # fmt: skip
        wait_for(lambda: _port_open(self.ports["HTTPS"]), what="nginx")

    def start_unit(self, name: str) -> None:
        unit = unitrun.parse_unit(self.path(f"/etc/systemd/system/{name}.service"))
        self.procs[name] = unitrun.start(self.root, unit, self.work / f"{name}.log")

    def teardown(self) -> None:
        for name in reversed(list(self.procs)):
            unitrun.stop(self.procs[name])
        self.stop_postgres()
        if not os.environ.get("IJLUCHT_TEST_KEEP_LAYOUT"):
            shutil.rmtree(self.root, ignore_errors=True)


def _port_open(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def layout():
    lay = Layout()
    try:
        took = lay.install()
        print(f"\n[figure] install.sh layout into the test root: {took:.1f} s")
        local_ca(lay.work)
        crt, key = server_cert(lay.work, "first")
        lay.start_postgres()
        lay.sh(str(SERVER / "install.sh"), "database", PGHOST=str(lay.socket_dir))
        lay.sh(str(SERVER / "install.sh"), "broker")
        lay.replace_certificate = lambda c, k: _hook(lay, c, k)  # type: ignore[attr-defined]
        _hook(lay, crt, key)
        lay.start_mosquitto()
        lay.start_nginx()
        for name in SERVICES:
            lay.start_unit(name)
        yield lay
    finally:
        lay.teardown()


def _hook(lay: Layout, crt: Path, key: Path) -> list[str]:
    """tls-renewed.sh as certbot would run it, with /etc/ijlucht/tls writable; returns what it asked systemctl."""
    fake = lay.work / "bin"
    fake.mkdir(exist_ok=True)
    lay.path("/run/fake-systemd").mkdir(parents=True, exist_ok=True)
    asked = lay.path("/run/fake-systemd/asked")
    (fake / "systemctl").write_text('#!/bin/sh\necho "$*" >> /run/fake-systemd/asked\n')
    (fake / "systemctl").chmod(0o755)
    shutil.copy(crt, lay.work / "new.crt")
    shutil.copy(key, lay.work / "new.key")
    unit = unitrun.Unit(name="tls", exec_start="", writable=["/etc/ijlucht/tls", "/run/fake-systemd"])
    env = {"PATH": f"{fake}:/usr/sbin:/usr/bin:/sbin:/bin"}
    argv = ["/opt/ijlucht/deploy/server/tls-renewed.sh", str(lay.work / "new.crt"), str(lay.work / "new.key")]
    done = subprocess.run(unitrun.command_line(lay.root, unit, argv, env), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = asked.read_text().splitlines() if asked.exists() else []
    asked.unlink(missing_ok=True)
    return lines


def api(lay: Layout, ca: Path, method: str, path: str, **kw) -> httpx.Response:
    verify = ssl.create_default_context(cafile=str(ca))  # the local CA only: nginx's certificate must chain to it
    return httpx.request(method, f"https://127.0.0.1:{lay.ports['HTTPS']}{path}", verify=verify, timeout=20, **kw)


def admin_key(lay: Layout) -> str:
    if not hasattr(lay, "admin_key"):
        unit = unitrun.parse_unit(lay.path("/etc/systemd/system/ijlucht-api.service"))
        argv = ["/opt/ijlucht/.venv/bin/ijlucht", "apikeys", "create", "--name", "operator"]
        done = unitrun.run(lay.root, unit, argv)
        assert done.returncode == 0, done.stderr
        lay.admin_key = next(w for w in done.stdout.split() if len(w) > 30)  # type: ignore[attr-defined]
    return lay.admin_key  # type: ignore[attr-defined]


class Kit:
    """A kit's MQTT client over TLS, verifying the broker against the local CA; counts its (re)connections."""

    def __init__(self, lay: Layout, ca: Path, kit_id: str, password: str) -> None:
        self.connects = 0
        self.connected = threading.Event()
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit_id)
        self.c.username_pw_set(kit_id, password)
        self.c.tls_set(ca_certs=str(ca), cert_reqs=ssl.CERT_REQUIRED)
        self.c.reconnect_delay_set(1, 2)
        self.c.on_connect = self._on_connect
        self.c.on_disconnect = lambda *a: self.connected.clear()
        self.kit_id = kit_id
        self.c.connect("127.0.0.1", lay.ports["MQTT_TLS"], keepalive=60)
        self.c.loop_start()

    def _on_connect(self, c, u, flags, rc, props=None) -> None:
        if not rc.is_failure:
            self.connects += 1
            self.connected.set()

    def send(self, pm25: float) -> None:
        msg = {"v": 1, "seq": int(time.time()), "fw": "t", "readings": [{"ts": int(time.time()), "pm25": pm25}]}
        self.c.publish(contract.topic(self.kit_id, contract.READINGS), json.dumps(msg), qos=1).wait_for_publish(10)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def on_map(lay: Layout, ca: Path, kit_id: str) -> dict | None:
    features = api(lay, ca, "GET", "/v1/map/latest").json()
    items = features.get("features", features.get("kits", features.get("results", [])))
    for f in items:
        props = f.get("properties", f)
        if props.get("kit_id") == kit_id:
            return props
    return None


def test_a_kit_registered_over_https_reports_through_tls_and_shows_on_the_map_through_the_proxy(layout):
    lay, ca = layout, layout.work / "ca.crt"
    for name in SERVICES:
        assert lay.procs[name].poll() is None, (lay.work / f"{name}.log").read_text()[-2000:]
    wait_for(
        lambda: _ok(lambda: api(lay, ca, "GET", "/v1/health").status_code == 200), timeout=60, what="API via nginx"
    )
    key = admin_key(lay)
    kit_id = f"lay-{uuid.uuid4().hex[:6]}"
    r = api(lay, ca, "POST", "/v1/admin/kits", headers={"X-API-Key": key},
            json={"kit_id": kit_id, "name": "Layout", "lat": 52.47, "lon": 4.62})  # fmt: skip
    assert r.status_code in (200, 201), r.text
    broker = r.json()["mqtt"] if "mqtt" in r.json() else r.json()
    assert broker["host"] == SERVER_NAME and broker["tls_port"] == lay.ports["MQTT_TLS"]
    kit = Kit(lay, ca, kit_id, broker["password"])
    try:
        assert kit.connected.wait(10), "the kit did not connect over TLS"
        kit.send(12.5)
        shown = wait_for(lambda: on_map(lay, ca, kit_id), timeout=30, what="the reading on the map via nginx")
        assert shown
        assert api(lay, ca, "GET", "/v1/push/health").json() == {"status": "ok"}  # the push server behind nginx
        page = api(lay, ca, "GET", "/")
        assert page.status_code == 200 and "_dash" in page.text  # the dashboard, under gunicorn, via nginx
        # Nothing the services wrote lies outside their state folder: / was read-only for them.
        assert (lay.path("/var/lib/ijlucht/secrets/position-jitter.key")).exists()

        # Certificate replaced from the local CA: nginx reloads, the broker restarts, the kit reconnects by itself.
        before = served_serial(lay.ports["HTTPS"], ca)
        crt, keyfile = server_cert(lay.work, "second")
        asked = lay.replace_certificate(crt, keyfile)  # type: ignore[attr-defined]
        assert asked == ["reload nginx", "restart mosquitto"]
        subprocess.run(["kill", "-HUP", str(lay.procs["nginx"].pid)], check=True)
        unitrun.stop(lay.procs["mosquitto"])
        lay.start_mosquitto()
        wait_for(lambda: served_serial(lay.ports["HTTPS"], ca) != before, what="nginx serving the new certificate")
        assert served_serial(lay.ports["MQTT_TLS"], ca) != before
        wait_for(lambda: kit.connects >= 2 and kit.connected.is_set(), timeout=30, what="the kit reconnecting")
        kit.send(33.0)
        wait_for(lambda: (on_map(lay, ca, kit_id) or {}).get("value") == 33.0, timeout=30, what="a reading after it")
        # The worker came back to its persistent session on the restarted broker (nothing queued was lost).
        assert "session present: True" in (lay.work / "ijlucht-ingest.log").read_text()

        # Disabled through the API: its live session is cut at once.
        r = api(lay, ca, "POST", f"/v1/admin/kits/{kit_id}/disable", headers={"X-API-Key": key})
        assert r.status_code == 200, r.text
        wait_for(lambda: not kit.connected.is_set(), timeout=10, what="the disabled kit's session cut")
    finally:
        kit.close()


def _ok(check) -> bool:
    try:
        return bool(check())
    except httpx.HTTPError:
        return False


def test_units_pass_systemd_analyze_verify(layout):
    """Run where the units see /opt/ijlucht as production does (the layout's view, a private /tmp to work in)."""
    units = [f"/etc/systemd/system/{p.name}" for p in sorted(layout.path("/etc/systemd/system").glob("ijlucht-*"))]
    assert len(units) == 6
    broken = layout.path("/run/verify-control/ijlucht-broken.service")  # a control: verify does look at ExecStart
    broken.parent.mkdir(parents=True, exist_ok=True)
    text = layout.path("/etc/systemd/system/ijlucht-push.service").read_text()
    broken.write_text(text.replace("/.venv/bin/python -m", "/.venv/bin/no-such-program -m"))
    view = unitrun.Unit(name="verify", exec_start="", private_tmp=True)

    def verify(*paths: str) -> subprocess.CompletedProcess:
        argv = ["systemd-analyze", "verify", *paths]
        cmd = unitrun.command_line(layout.root, view, argv, unitrun.unit_env(layout.root, view))
        return subprocess.run(cmd, capture_output=True, text=True)

    done = verify(*units)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    control = verify("/run/verify-control/ijlucht-broken.service")
    assert control.returncode != 0 and "no-such-program" in control.stderr, control.stderr


def test_a_unit_can_write_only_its_declared_paths(layout):
    unit = unitrun.parse_unit(layout.path("/etc/systemd/system/ijlucht-ingest.service"))
    assert unit.writable == ["/var/lib/ijlucht"] and unit.user == "ijlucht"
    for target, allowed in [("/var/lib/ijlucht/probe", True), ("/tmp/probe", True), ("/opt/ijlucht/probe", False),
                            ("/etc/ijlucht/probe", False), ("/var/lib/mosquitto/probe", False), ("/srv/probe", False),
                            ("/var/tmp/../log/probe", False)]:  # fmt: skip
        done = unitrun.run(layout.root, unit, ["sh", "-c", f"echo x > {target}"])
        assert (done.returncode == 0) == allowed, (target, done.stderr)
        if not allowed:
            assert "Read-only file system" in done.stderr or "Permission denied" in done.stderr, done.stderr
    # As root too (the backup unit): outside its ReadWritePaths nothing is writable.
    backup = unitrun.parse_unit(layout.path("/etc/systemd/system/ijlucht-backup.service"))
    assert unitrun.run(layout.root, backup, ["sh", "-c", "echo x > /var/lib/ijlucht/probe2"]).returncode != 0
    # The state folder and the secrets are the service user's alone.
    state, secrets = layout.path("/var/lib/ijlucht"), layout.path("/var/lib/ijlucht/secrets")
    assert oct(state.stat().st_mode & 0o777) == "0o750" and oct(secrets.stat().st_mode & 0o777) == "0o700"
    assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in secrets.iterdir() if f.is_file())


def test_each_service_serves_prometheus_metrics_on_loopback_and_the_api_logs_requests(layout):
    def scrape(port_name: str) -> str:
        return httpx.get(f"http://127.0.0.1:{layout.ports[port_name]}/metrics", timeout=10).text

    api_text = scrape("API_METRICS")
    assert 'ijlucht_api_request_duration_seconds_bucket{le="0.005",method="GET",route="/v1/map/latest"' in api_text
    assert "ijlucht_kits_active " in api_text and "ijlucht_kits_reporting " in api_text
    assert "ijlucht_dashboard_request_duration_seconds_bucket" in scrape("DASHBOARD_METRICS")
    assert "ijlucht_ingest_stored_total" in scrape("INGEST_METRICS")
    log = (layout.work / "ijlucht-api.log").read_text()
    assert " GET /v1/map/latest 200 " in log


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
    for name in ("ijlucht-ingest", "ijlucht-api"):  # a quiet database, so both sides can be compared row by row
        unitrun.stop(lay.procs.pop(name))
    state = lay.path("/var/lib/ijlucht")
    before = fingerprint(PlatformSettings(pg_port=lay.ports["PG"], pg_dbname="ijlucht", state_dir=state).dsn)
    assert before["readings"][0] >= 2 and before["kits"][0] == 2 and before["api_keys"][0] == 1

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
    layout.sh(str(SERVER / "install.sh"), "upgrade")
    layout.sh(str(SERVER / "install.sh"), "broker")
    assert {p: p.read_bytes() for p in kept} == before
    assert layout.path("/opt/ijlucht/VERSION").read_text().strip()
