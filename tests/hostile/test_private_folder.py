"""A newcomer's clone in a private folder (mode 700, like root's home), and a database that wants passwords.

The clone runs its own code (this virtual environment's Python with the clone on PYTHONPATH) on its own state folder
and ports: services start, a kit's reading travels MQTT -> ingest worker -> PostgreSQL, and `ijlucht down` stops
everything with exit 0, leaving no daemon of that state running. The daemon users (postgres, mosquitto) cannot enter
the clone, so their folders live in /var/lib/ijlucht-private, linked from the state folder: every start, stop and
status must use the real paths. A login without a password is refused over TCP and, for the superuser, over the
socket; clusters made with `trust` by earlier versions are upgraded in place at the next start, their data kept.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg
import pytest

from ijlucht.processes import wait_http_ok
from ijlucht.settings import PlatformSettings
from tests.conftest import ROOT, free_port, wait_for

PG_BIN = Path("/usr/lib/postgresql")
PRIVATE_BASE = Path("/var/lib/ijlucht-private")  # deploy/local/services.sh
AS_ROOT = os.geteuid() == 0  # the CI runs as root: the daemons then run as their own users, who cannot enter


class Clone:
    def __init__(self, path: Path, state: str = ".state") -> None:
        self.path = path
        self.state = path / state
        ports = {"PG_PORT": free_port(), "MQTT_PORT": free_port(), "MQTT_TLS_PORT": free_port()}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("IJLUCHT_")}
        self.env |= {f"IJLUCHT_{k}": str(v) for k, v in ports.items()}
        self.env |= {
            "IJLUCHT_STATE_DIR": str(self.state),
            "IJLUCHT_PG_DBNAME": "ijlucht",
            "IJLUCHT_INGEST_METRICS_PORT": str(free_port()),
            "IJLUCHT_INGEST_BATCH_WAIT_S": "0.1",
            "PYTHONPATH": str(path),
        }
        self.settings = PlatformSettings(
            state_dir=self.state, pg_port=ports["PG_PORT"], mqtt_port=ports["MQTT_PORT"], pg_dbname="ijlucht"
        )

    def run(self, *argv: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            argv, cwd=self.path, env=env or self.env, capture_output=True, text=True, check=check, timeout=120
        )

    def services(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("bash", "deploy/local/services.sh", *args, check=check)

    def ijlucht(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(sys.executable, "-m", "ijlucht.cli", *args, check=check)

    def real(self, name: str) -> Path:
        return (self.state / name).resolve()

    def running(self) -> str:
        """Processes whose command line names the clone or the daemons' real folders (empty when none)."""
        places = {str(self.path)} | {str(self.real(n)) for n in ("pg", "mosquitto") if (self.state / n).exists()}
        found = [subprocess.run(["pgrep", "-af", p], capture_output=True, text=True).stdout for p in places]
        return "".join(found).strip()


@pytest.fixture(scope="module")
def clone() -> Iterator[Clone]:
    base = Path(tempfile.mkdtemp(prefix="ijlucht-private-"))
    base.chmod(0o700)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(base / "ijlucht")], check=True, timeout=60)
    c = Clone(base / "ijlucht")
    yield c
    c.ijlucht("down", check=False)
    linked = set()
    for state in c.path.glob(".state*"):  # the tests' state folders, stopped whatever happened
        Clone(c.path, state.name).services("stop", check=False)
        linked |= {(state / n).resolve().parent for n in ("pg", "mosquitto") if (state / n).is_symlink()}
    shutil.rmtree(base, ignore_errors=True)
    for folder in linked:
        if folder.parent == PRIVATE_BASE:
            shutil.rmtree(folder, ignore_errors=True)


def refused(**conninfo) -> str:
    with pytest.raises(psycopg.OperationalError) as e:
        psycopg.connect(host="127.0.0.1", connect_timeout=5, passfile="/nonexistent", **conninfo).close()
    return str(e.value)


def test_a_clone_in_a_private_folder_carries_a_reading_and_down_leaves_nothing_running(clone):
    started = time.monotonic()
    assert stat.S_IMODE(clone.path.parent.stat().st_mode) == 0o700
    clone.services("start")
    if AS_ROOT:  # postgres and mosquitto cannot enter the clone: their folders live outside, linked
        for name in ("pg", "mosquitto"):
            assert (clone.state / name).is_symlink() and clone.real(name).parent.parent == PRIVATE_BASE
    secrets = clone.settings.secrets_dir
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    files = sorted(p.name for p in secrets.iterdir())
    assert files == ["mqtt-admin.pass", "mqtt-cmd.pass", "mqtt-ingest.pass", "pg-ijlucht.pgpass", "pg-postgres.pgpass"]
    assert all(stat.S_IMODE((secrets / f).stat().st_mode) == 0o600 for f in files)

    assert "migrations applied: 001_" in clone.ijlucht("migrate").stdout
    out = clone.ijlucht("kits", "add", "priv-001", "--name", "Private", "--lat", "52.48", "--lon", "4.65").stdout
    password = out.rsplit("password ", 1)[1].strip()
    code = (
        "import sys; from ijlucht import processes; from ijlucht.settings import PlatformSettings;"
        "print(processes.start(PlatformSettings().state_dir, 'ingest', [sys.executable, '-m', 'ingest']))"
    )
    worker = int(clone.run(sys.executable, "-c", code).stdout)
    health = f"http://127.0.0.1:{clone.env['IJLUCHT_INGEST_METRICS_PORT']}/health"
    assert wait_http_ok(health, timeout=30, alive=worker), (clone.state / "logs" / "ingest.log").read_text()
    assert Path(f"/proc/{worker}/cwd").resolve() == clone.path  # `python -m ingest` runs the clone's code

    ts = int(time.time()) - 60
    kit = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="priv-001")
    kit.username_pw_set("priv-001", password)
    kit.connect("127.0.0.1", clone.settings.mqtt_port)
    kit.loop_start()
    body = {"v": 1, "seq": 1, "fw": "0.1.0", "readings": [{"ts": ts, "pm25": 12.5, "pm10": 20.0}]}
    kit.publish("ijlucht/kits/priv-001/readings", json.dumps(body), qos=1).wait_for_publish(10)
    kit.disconnect()
    kit.loop_stop()

    def stored():
        with psycopg.connect(clone.settings.dsn) as c:  # the clone's app role, password from its secrets
            return c.execute("SELECT pm25, pm10 FROM readings WHERE kit_id = 'priv-001'").fetchall()

    assert wait_for(stored, timeout=20, what="the reading stored by the clone's worker") == [(12.5, 20.0)]

    port = clone.settings.pg_port
    assert "no password supplied" in refused(port=port, user="ijlucht", dbname="ijlucht")
    assert "no password supplied" in refused(port=port, user="postgres", dbname="postgres")
    assert 'password authentication failed for user "postgres"' in refused(
        port=port, user="postgres", dbname="postgres", password="postgres"
    )
    if AS_ROOT:  # another local account on the socket gets nowhere as the superuser
        psql = sorted(PG_BIN.glob("*/bin/psql"))[-1]
        sock = clone.real("pg") / "run"
        other = clone.run(
            "runuser", "-u", "nobody", "--", str(psql), "-X", "-w", "-h", str(sock), "-p", str(port), "-U", "postgres",
            "-c", "SELECT 1", check=False, env={"PATH": os.environ["PATH"]},
        )  # fmt: skip
        assert other.returncode != 0 and 'Peer authentication failed for user "postgres"' in other.stderr

    down = clone.ijlucht("down", check=False)
    assert down.returncode == 0, down.stderr
    assert "ingest stopped" in down.stdout and "PostgreSQL stopped" in down.stderr
    assert clone.services("stop").returncode == 0  # again: nothing to stop is fine too
    status = clone.services("status", check=False)
    assert status.returncode == 1 and status.stdout.split() == ["postgresql", "down", "mosquitto", "down"]
    assert not Path(f"/proc/{worker}").exists()
    assert clone.running() == ""
    print(f"\nprivate-folder round trip: {time.monotonic() - started:.1f} s")


TRUST_HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"  # initdb -A trust


def test_a_trust_cluster_of_earlier_versions_asks_for_passwords_after_the_next_start_and_keeps_its_data(clone):
    old = Clone(clone.path, ".state-old")
    try:
        old.services("start", "postgres")
        for running in (True, False):  # upgraded while it runs (reload) and when it starts
            with psycopg.connect(old.settings.superuser_dsn("ijlucht"), autocommit=True) as c:
                c.execute("ALTER ROLE ijlucht PASSWORD NULL")
                c.execute("ALTER ROLE postgres PASSWORD NULL")
                (old.real("pg") / "data" / "pg_hba.conf").write_text(TRUST_HBA)
                c.execute("SELECT pg_reload_conf()")
            for role in ("ijlucht", "postgres"):
                old.settings.pg_passfile(role).unlink()
            if not running:
                old.services("stop", "postgres")

            def trusted():
                plain = {"host": "127.0.0.1", "port": old.settings.pg_port, "user": "ijlucht", "dbname": "ijlucht"}
                with psycopg.connect(**plain) as c:
                    c.execute("CREATE TABLE IF NOT EXISTS kept (x int); INSERT INTO kept VALUES (42)")
                return True

            if running:  # as an earlier version left it: anyone gets in without a password
                wait_for(trusted, timeout=5, what="the old trust setup")
            old.services("start", "postgres")
            assert "no password supplied" in refused(port=old.settings.pg_port, user="ijlucht", dbname="ijlucht")
            assert "no password supplied" in refused(port=old.settings.pg_port, user="postgres", dbname="postgres")
            with psycopg.connect(old.settings.dsn) as c:
                assert c.execute("SELECT x FROM kept").fetchall() == [(42,)]
            assert stat.S_IMODE(old.settings.pg_passfile("ijlucht").stat().st_mode) == 0o600
    finally:
        assert old.services("stop").returncode == 0
    assert old.running() == ""


def test_a_state_folder_made_again_at_the_same_path_starts_afresh_and_purge_removes_the_private_folders(clone):
    again = Clone(clone.path, ".state-again")
    try:
        again.services("start", "postgres")
        with psycopg.connect(again.settings.dsn) as c:
            c.execute("CREATE TABLE old_data (x int)")
        first = again.real("pg")
        again.services("stop")
        # The clone's state goes (rm -rf, a clone removed and made again); the daemons' folder outside it stays.
        shutil.rmtree(again.state)
        if AS_ROOT:
            assert first.parent.parent == PRIVATE_BASE and (first / "data").exists()
        again.services("start", "postgres")  # new secrets: the earlier cluster must not be taken up
        with psycopg.connect(again.settings.dsn) as c:
            assert c.execute("SELECT to_regclass('old_data')").fetchone() == (None,)
        real = again.real("pg")
        purged = again.services("purge")
        assert purged.returncode == 0, purged.stderr
        assert not (again.state / "pg").exists() and not real.exists()
        if AS_ROOT:
            assert real == first and not real.parent.exists(), "the private folder of this state is gone"
        assert again.services("status", check=False).stdout.split() == ["postgresql", "down", "mosquitto", "down"]
    finally:
        again.services("stop", check=False)
    assert again.running() == ""
