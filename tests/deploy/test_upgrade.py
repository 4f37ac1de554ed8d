"""An upgrade from release 8f6ab1c keeps every row, and ingest keeps its broker session across the restart.

The old release's code comes from git (`git archive`): the test needs the repository's history, which a fresh
clone has (a shallow clone with --depth does not: the test then fails and says so).
"""

import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import uuid
from io import BytesIO
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import psycopg
import pytest
from psycopg import sql

from ijlucht import broker, contract, db
from ijlucht.dynsec import INGEST_USER
from tests.conftest import ROOT, WorkerHandle, free_port, wait_for
from tests.deploy.fingerprint import fingerprint, shape_of

OLD_RELEASE = "8f6ab1c"

# Run with the old release's code: its migrations, its API key code, rows written as that schema had them.
OLD_DATA = """
import psycopg
from ijlucht import apikeys, db
from ijlucht.settings import PlatformSettings
s = PlatformSettings()
db.migrate(s.dsn)
with psycopg.connect(s.dsn, autocommit=True) as c:
    apikeys.create_key(c, "operator", "admin")
    apikeys.create_key(c, "researcher", "reader")
    for i, kit in enumerate(KITS):
        c.execute("INSERT INTO kits (kit_id, name, lat, lon) VALUES (%s, %s, %s, %s)", (kit, kit, 52.46 + i / 100, 4.6))
        c.execute(
            "INSERT INTO readings (time, kit_id, pm25, pm10, rh, flags, seq)"
            " SELECT now() - g * interval '1 minute', %s, g %% 37, g %% 53, 60, g %% 3, g"
            " FROM generate_series(1, 1440) g",
            (kit,),
        )
        c.execute("INSERT INTO latest_readings (kit_id, time, pm25) VALUES (%s, now() - interval '1 min', 1)", (kit,))
        c.execute("INSERT INTO rejects (topic, kit_id, reason, excerpt) VALUES ('t', %s, 'old reason', 'x')", (kit,))
"""


def old_release(tmp_path: Path) -> Path:
    """The old release's Python packages, unpacked from git."""
    check = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{OLD_RELEASE}^{{commit}}"], capture_output=True)
    if check.returncode:
        pytest.fail(
            f"the upgrade test needs commit {OLD_RELEASE} from the repository's history (clone without --depth): "
            f"{check.stderr.decode().strip()}"
        )
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", OLD_RELEASE, "ijlucht", "ingest"],
        capture_output=True,
        check=True,
    ).stdout
    target = tmp_path / "old"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def old_env(settings, dbname: str, **extra: str) -> dict[str, str]:
    # The old release's DSN has no passfile= of its own: libpq finds the password through PGPASSFILE.
    env = {**os.environ, "IJLUCHT_PG_DBNAME": dbname, "PGPASSFILE": str(settings.pg_passfile(settings.pg_user))}
    return {**env, **extra}


@pytest.fixture
def upgrade_db(settings):
    name = f"ijlucht_upgrade_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as su:
        su.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(settings.pg_user))
        )
    with psycopg.connect(settings.superuser_dsn(name), autocommit=True) as su:
        su.execute("CREATE EXTENSION timescaledb")
    yield name
    with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as su:
        su.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def publish_readings(settings, kit: str, password: str, stamps: list[int]) -> None:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit)
    c.username_pw_set(kit, password)
    c.connect(settings.mqtt_host, settings.mqtt_port)
    c.loop_start()
    for i, ts in enumerate(stamps):
        msg = {"v": 1, "seq": i, "fw": "t", "readings": [{"ts": ts, "pm25": 3.0}]}
        c.publish(contract.topic(kit, contract.READINGS), json.dumps(msg), qos=1).wait_for_publish(10)
    c.disconnect()
    c.loop_stop()


def test_upgrade_from_8f6ab1c_keeps_every_row_and_the_workers_broker_session(settings, upgrade_db, tmp_path):
    old = old_release(tmp_path)
    kits = [f"upg-{uuid.uuid4().hex[:6]}-{i}" for i in range(3)]
    script = f"KITS = {kits!r}\n" + OLD_DATA
    subprocess.run([sys.executable, "-c", script], cwd=old, env=old_env(settings, upgrade_db), check=True)
    dsn = settings.model_copy(update={"pg_dbname": upgrade_db}).dsn
    with psycopg.connect(dsn) as c:
        assert max(r[0] for r in c.execute("SELECT version FROM schema_migrations")) < 25  # really the old schema

    # The old worker subscribes with its persistent session, stores one live reading, and is stopped.
    password = broker.new_password()
    broker.set_kit_account(settings, kits[0], password)
    client_id = f"ijlucht-ingest-upg-{uuid.uuid4().hex[:6]}"
    port = free_port()
    env = old_env(settings, upgrade_db, IJLUCHT_INGEST_CLIENT_ID=client_id, IJLUCHT_INGEST_METRICS_PORT=str(port))
    log = (tmp_path / "old-worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "ingest"], cwd=old, env=env, stdout=log, stderr=log)
    try:
        wait_for(lambda: _health(port) == 200, what="the old worker subscribed")
        now = int(time.time())
        publish_readings(settings, kits[0], password, [now])
        with psycopg.connect(dsn, autocommit=True) as c:
            stored = "SELECT count(*) FROM readings WHERE kit_id = %s AND time > now() - interval '1 minute'"
            wait_for(lambda: c.execute(stored, (kits[0],)).fetchone()[0] == 1, what="the old worker storing")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    shape, before = shape_of(dsn), fingerprint(dsn)
    assert before["readings"][0] == 3 * 1440 + 1 and before["api_keys"][0] == 2 and before["kits"][0] == 3

    # While the worker is down for the upgrade, the kit keeps sending: the broker holds it in the worker's session.
    publish_readings(settings, kits[0], password, [now + 1, now + 2, now + 3])
    applied = db.migrate(dsn)
    assert applied and applied[-1].version == db.find_migrations()[-1].version
    assert fingerprint(dsn, shape) == before, "the upgrade changed or lost rows"

    handle = WorkerHandle(ingest_client_id=client_id, pg_dbname=upgrade_db)
    handle.start()
    try:
        with psycopg.connect(dsn, autocommit=True) as c:
            total = "SELECT count(*) FROM readings WHERE kit_id = %s"
            wait_for(lambda: c.execute(total, (kits[0],)).fetchone()[0] == 1440 + 4, what="the queued readings")
    finally:
        handle.stop()
        _drop_session(settings, client_id)


def _health(port: int) -> int:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def _drop_session(settings, client_id: str) -> None:
    """Connect once with a clean start and no expiry, so the broker forgets the test's session and its queue."""
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.username_pw_set(INGEST_USER, broker.service_password(settings, INGEST_USER))
    c.connect(settings.mqtt_host, settings.mqtt_port, clean_start=True)
    c.loop_start()
    wait_for(c.is_connected, what="a clean connection")
    c.disconnect()
    c.loop_stop()
