"""The production layout (deploy/server/) installed into a temporary root, with Debian's services around it.

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
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt

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
SERVICES = ("ijlucht-ingest", "ijlucht-api", "ijlucht-push", "ijlucht-dashboard", "ijlucht-sync", "ijlucht-alerts")
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
                                               "INGEST_METRICS", "API_METRICS", "DASHBOARD_METRICS",
                                               "ALERTS_METRICS")}  # fmt: skip

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
        # The reference sync finds its services unreachable (a closed loopback port) and must carry on.
        closed = f"http://127.0.0.1:{free_port()}"
        envfile.write_text(
            envfile.read_text() + "IJLUCHT_DASHBOARD_TILE_URL=\n"
            f"IJLUCHT_SYNC_LUCHTMEETNET_URL={closed}/open_api\nIJLUCHT_SYNC_KNMI_URL={closed}/uurgegevens\n"
            "IJLUCHT_SYNC_TIMEOUT_S=2\nIJLUCHT_SYNC_INTERVAL_S=5\n"
        )
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
        if not os.environ.get("IJLUCHT_TEST_KEEP_LAYOUT"):  # keep both to look into a failure
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.work, ignore_errors=True)


def _port_open(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


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
        argv = ["/opt/ijlucht/.venv/bin/ijlucht", "apikeys", "create", "--name", "operator", "--role", "admin"]
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


def _ok(check) -> bool:
    try:
        return bool(check())
    except httpx.HTTPError:
        return False


def start_services(lay: Layout) -> None:
    """Start the IJlucht units and return once nginx reaches each of them (as `systemctl start` and a health check)."""
    ca = lay.work / "ca.crt"
    for name in SERVICES:
        lay.start_unit(name)
    for path in ("/v1/health", "/v1/push/health", "/"):
        wait_for(lambda p=path: _ok(lambda: api(lay, ca, "GET", p).status_code == 200), timeout=90, what=path)
    for name in SERVICES:
        assert lay.procs[name].poll() is None, (lay.work / f"{name}.log").read_text()[-2000:]


def stop_services(lay: Layout) -> None:
    for name in reversed(SERVICES):
        if name in lay.procs:
            unitrun.stop(lay.procs.pop(name))
