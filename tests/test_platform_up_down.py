"""The README's promise: `ijlucht up` brings the whole platform with its demo fleet up, `down` stops it, data stays.

Runs the real command line in its own state folder and ports, with a short demo interval.
"""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest

from ijlucht.settings import PlatformSettings
from tests.conftest import TEST_ENV, free_port, wait_for

pytestmark = pytest.mark.slow
UP_STATE = Path(TEST_ENV["IJLUCHT_STATE_DIR"] + "-up")


@pytest.fixture(scope="module")
def platform_env(tmp_path_factory):
    env = {
        **os.environ,
        "IJLUCHT_STATE_DIR": str(UP_STATE),
        "IJLUCHT_PG_PORT": str(free_port()),
        "IJLUCHT_MQTT_PORT": str(free_port()),
        "IJLUCHT_MQTT_TLS_PORT": str(free_port()),
        "IJLUCHT_PG_DBNAME": "ijlucht",
        "IJLUCHT_API_PORT": str(free_port()),
        "IJLUCHT_DASHBOARD_PORT": str(free_port()),
        "IJLUCHT_INGEST_METRICS_PORT": str(free_port()),
        "IJLUCHT_PUSH_PORT": str(free_port()),
    }
    yield env
    ijlucht(env, "down", check=False)


def ijlucht(env, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ijlucht.cli", *args], env=env, capture_output=True, text=True, check=check, timeout=300
    )


def kits_with_values(api: str) -> list[dict]:
    try:
        features = httpx.get(f"{api}/v1/kits", timeout=5).json()["features"]
    except httpx.HTTPError:
        return []
    return [f for f in features if f["properties"]["latest"]]


def test_up_shows_live_demo_readings_and_down_stops_everything_keeping_data(platform_env):
    env = platform_env
    api = f"http://127.0.0.1:{env['IJLUCHT_API_PORT']}"
    dashboard = f"http://127.0.0.1:{env['IJLUCHT_DASHBOARD_PORT']}/"

    started = time.monotonic()
    out = ijlucht(env, "up", "--interval", "5")
    assert api in out.stdout and dashboard in out.stdout  # the URLs are printed

    live = wait_for(
        lambda: len(kits_with_values(api)) >= 20 and kits_with_values(api),
        timeout=120,
        interval=1,
        what="20 demo kits with values in the API",
    )
    elapsed = time.monotonic() - started
    print(f"\n`ijlucht up` to 20 kits with values: {elapsed:.1f} s")
    names = " ".join(f["properties"]["name"] for f in live)
    for place in ("Velsen", "Beverwijk", "Heemskerk", "Wijk aan Zee"):
        assert place in names or place.replace("Velsen", "IJmuiden") in names
    assert httpx.get(dashboard, timeout=10).status_code == 200
    # The shipped reference data, imported on the first up: the demo shows the official stations.
    stations = {f["id"] for f in httpx.get(f"{api}/v1/stations", timeout=10).json()["features"]}
    # (The import line is printed only when the database had no stations yet: a kept .state may hold them.)
    assert {"NL49570", "NL49553"} <= stations
    # The alert service runs for the demo: the feed of an area answers, the service has evaluated its rules.
    assert httpx.get(f"{api}/v1/alerts/feed/GM0375.atom", timeout=10).status_code == 200
    alerts_log = UP_STATE / "logs" / "alerts.log"
    wait_for(lambda: "alerts evaluation:" in alerts_log.read_text(), timeout=30, what="an alerts evaluation")

    # Readings keep arriving from the virtual kits (interval 5 s), not only the seeded history.
    kit = live[0]["id"]
    first = live[0]["properties"]["latest"]["time"]
    wait_for(
        lambda: httpx.get(f"{api}/v1/kits/{kit}").json()["properties"]["latest"]["time"] > first,
        timeout=30,
        interval=1,
        what="a newer live reading",
    )
    series = httpx.get(f"{api}/v1/kits/{kit}/readings").json()["results"]
    # 24 h of seeded history at 5-minute steps (the replayed measurements have a few gaps), plus live readings
    assert len(series) > 200
    assert datetime.fromisoformat(series[0]["time"]) < datetime.now(UTC) - timedelta(hours=23)

    dsn = PlatformSettings(state_dir=UP_STATE, pg_port=int(env["IJLUCHT_PG_PORT"]), pg_dbname="ijlucht").dsn
    with psycopg.connect(dsn) as conn:
        before = conn.execute("SELECT count(*) FROM readings").fetchone()[0]

    state = UP_STATE
    app_pids = [int(f.read_text()) for f in (state / "run").glob("*.pid")]
    assert len(app_pids) == 7  # ingest, push, api, dashboard, sync, alerts, fleet
    ijlucht(env, "down")
    status = ijlucht(env, "status", check=False)
    lines = [line for line in status.stdout.splitlines() if line.strip()]
    assert status.returncode != 0 and len(lines) == 9
    assert all(line.split()[1] == "down" for line in lines), status.stdout
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{api}/v1/health", timeout=2)
    for pid in app_pids:
        assert not os.path.exists(f"/proc/{pid}"), f"process {pid} still running after down"
    leftover = subprocess.run(["pgrep", "-f", str(state)], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "services or virtual kits still running after down"

    ijlucht(env, "up", "--interval", "5")
    with psycopg.connect(dsn) as conn:
        after = conn.execute("SELECT count(*) FROM readings").fetchone()[0]
    assert after >= before  # data survived down/up


def test_up_reports_services_that_cannot_start_with_their_reason_and_no_traceback(tmp_path):
    env = {**os.environ, "IJLUCHT_STATE_DIR": str(tmp_path / "state"), "IJLUCHT_PG_MAJOR": "99"}
    out = ijlucht(env, "up", "--no-fleet", check=False)
    assert out.returncode == 1
    assert "PostgreSQL 99 is not installed; run: make install" in out.stderr
    assert "error: `services.sh start` failed (exit 1), see its messages above" in out.stderr
    assert "Traceback" not in out.stderr
