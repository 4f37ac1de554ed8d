"""Shared fixtures: real PostgreSQL+TimescaleDB and Mosquitto, private to the test run.

The test services live in <project>/.state/test on their own ports, so `make test` never touches the data of
`make up`. Each session starts from an empty database with the migrations applied.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Set before any settings object is built, so every service under test talks to the test instances.
TEST_ENV = {
    "IJLUCHT_STATE_DIR": os.environ.get("IJLUCHT_TEST_STATE_DIR", str(ROOT / ".state" / "test")),
    "IJLUCHT_PG_PORT": os.environ.get("IJLUCHT_TEST_PG_PORT", "25433"),
    "IJLUCHT_MQTT_PORT": os.environ.get("IJLUCHT_TEST_MQTT_PORT", "18840"),
    "IJLUCHT_MQTT_TLS_PORT": os.environ.get("IJLUCHT_TEST_MQTT_TLS_PORT", "18841"),
    "IJLUCHT_PG_DBNAME": "ijlucht_test",
    "IJLUCHT_API_PORT": str(free_port()),
    "IJLUCHT_DASHBOARD_PORT": str(free_port()),
    "IJLUCHT_INGEST_METRICS_PORT": "0",
    "IJLUCHT_PUSH_PORT": str(free_port()),
}
os.environ.update(TEST_ENV)

from ijlucht import db  # noqa: E402
from ijlucht.kits import NewKit, register_kit  # noqa: E402
from ijlucht.settings import PlatformSettings  # noqa: E402

SERVICES_SH = ROOT / "deploy" / "local" / "services.sh"


def wait_for(predicate: Callable[[], object], timeout: float = 20.0, interval: float = 0.1, what: str = "") -> object:
    """Poll until `predicate` returns something truthy; fail the test with `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what or predicate}")
        time.sleep(interval)


def services(action: str, only: str = "all") -> None:
    subprocess.run(["bash", str(SERVICES_SH), action, only], check=True, env={**os.environ, **TEST_ENV})


@pytest.fixture(scope="session")
def settings() -> Iterator[PlatformSettings]:
    """Running test services and an empty, migrated test database."""
    # A clean broker each session: no retained messages or queued sessions left from earlier runs.
    services("stop")
    shutil.rmtree(Path(TEST_ENV["IJLUCHT_STATE_DIR"]) / "mosquitto" / "data", ignore_errors=True)
    services("start")
    s = PlatformSettings()
    db.recreate_database(s)
    yield s
    if not os.environ.get("IJLUCHT_TEST_KEEP_SERVICES"):
        services("stop")


@pytest.fixture
def conn(settings: PlatformSettings):
    import psycopg

    with psycopg.connect(settings.dsn, autocommit=True) as c:
        yield c


@pytest.fixture
def make_kit(settings: PlatformSettings, conn) -> Callable[..., tuple[str, str]]:
    """Register a kit with a unique id; returns (kit_id, broker password)."""

    def make(prefix: str = "kit", lat: float = 52.48, lon: float = 4.65, **kw) -> tuple[str, str]:
        kit_id = f"{prefix}-{uuid.uuid4().hex[:8]}"
        password = register_kit(conn, settings, NewKit(kit_id, kw.pop("name", kit_id), lat, lon, **kw))
        return kit_id, password

    return make


class WorkerHandle:
    """An ingest worker in a thread that tests can stop and start again (same client id, same session)."""

    def __init__(self, **overrides) -> None:
        from ingest.settings import IngestSettings

        self.settings = IngestSettings(**{"ingest_batch_wait_s": 0.1, **overrides})
        self.worker = None
        self.thread: threading.Thread | None = None

    def start(self):
        from ingest.worker import IngestWorker

        self.worker = IngestWorker(self.settings)
        self.thread = threading.Thread(target=self.worker.run, daemon=True)
        self.thread.start()
        wait_for(self.worker.subscribed.is_set, what="ingest worker subscribed")
        return self.worker

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.thread.join(15)
            self.worker = None

    @property
    def running(self) -> bool:
        return self.worker is not None


_session_worker: WorkerHandle | None = None


@pytest.fixture(scope="session")
def ingest_worker(settings: PlatformSettings):
    """One ingest worker for the session, in a thread, with its own persistent session on the broker."""
    global _session_worker
    _session_worker = WorkerHandle(ingest_client_id=f"ijlucht-ingest-test-{uuid.uuid4().hex[:6]}")
    worker = _session_worker.start()
    yield worker
    _session_worker.stop()
    _session_worker = None


@pytest.fixture
def without_session_worker(settings: PlatformSettings):
    """Pause the session's worker, so that a test sees only what its own workers store."""
    was_running = _session_worker is not None and _session_worker.running
    if was_running:
        _session_worker.stop()
    yield
    if was_running:
        _session_worker.start()


@pytest.fixture(scope="session")
def api_base_url(settings: PlatformSettings) -> Iterator[str]:
    """The real API served by uvicorn on a free port against the test database."""
    import httpx
    import uvicorn

    from api.app import create_app
    from api.settings import ApiSettings

    config = uvicorn.Config(create_app(ApiSettings()), host="127.0.0.1", port=settings.api_port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = settings.api_url

    def up() -> bool:
        try:
            return httpx.get(f"{url}/v1/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, what="API health")
    yield url
    server.should_exit = True
    thread.join(10)


SEEDED = (  # kit id, name, lat, lon, PM2.5 level of its series
    ("seed-wijkaanzee", "Wijk aan Zee", 52.493, 4.596, 30.0),
    ("seed-beverwijk", "Beverwijk", 52.487, 4.657, 12.0),
    ("seed-heemskerk", "Heemskerk", 52.511, 4.673, 4.0),
    ("seed-ijmuiden", "IJmuiden", 52.458, 4.619, 60.0),
    ("seed-velsen-zuid", "Velsen-Zuid", 52.452, 4.650, 100.0),
)


@pytest.fixture(scope="session")
def seeded_kits(settings: PlatformSettings) -> list[str]:
    """Five kits across the IJmond with 24 h of 5-minute readings, stored through the ingest store."""
    import math
    from datetime import UTC, datetime, timedelta

    import psycopg

    from ingest.store import Batch, store_batch
    from ingest.validate import Row

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    batch = Batch()
    with psycopg.connect(settings.dsn, autocommit=True) as c:
        for kit_id, name, lat, lon, level in SEEDED:
            register_kit(c, settings, NewKit(kit_id, name, lat, lon, created_at=now - timedelta(days=30)))
            for i in range(288):
                t = now - timedelta(minutes=5 * (287 - i))
                pm25 = round(level * (1 + 0.3 * math.sin(i / 20)), 1)
                values = {"pm1": None, "pm25": pm25, "pm10": round(pm25 * 1.6, 1), "t": 8.0, "rh": 80.0, "p": 1012.0}
                batch.rows.append((Row(t.timestamp(), kit_id, values, 0, i), t.timestamp()))
            batch.status[kit_id] = (True, now.timestamp())
        store_batch(c, batch)
    return [k[0] for k in SEEDED]


@pytest.fixture(scope="session")
def rolled_up(settings, seeded_kits) -> list[str]:
    """The seeded kits with their rollups computed."""
    import psycopg

    from ingest.rollups import refresh_rollups

    with psycopg.connect(settings.dsn, autocommit=True) as c:
        while refresh_rollups(c):
            pass
    return seeded_kits
