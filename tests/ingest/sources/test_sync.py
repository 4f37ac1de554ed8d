"""The sync against a local HTTP server serving samples written from the services' documentation (samples/README.md).

Incremental, resumable, and a service that is down, slow or answers garbage costs a cycle, never the runner.
"""

import logging
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.sources import sync
from tests.conftest import free_port, wait_for
from tests.ingest.sources.conftest import TABLES

SAMPLES = Path(__file__).with_name("samples")
NOW = datetime(2023, 3, 2, 0, 30, tzinfo=UTC)


class Service:
    """Both services on one local server; `mode` decides how it answers: ok, garbage, error or slow."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[str, dict[str, str]]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                service.requests.append((url.path, query))
                if service.mode == "slow":
                    time.sleep(1.5)
                if service.mode == "error":
                    self.send_error(503, "maintenance")
                    return
                if service.mode == "garbage":
                    body = b"<html><body>Bad gateway</body></html>"
                elif url.path.endswith("/measurements"):
                    body = (SAMPLES / f"luchtmeetnet_measurements_page{query.get('page', '1')}.json").read_bytes()
                else:
                    body = (SAMPLES / "knmi_uurgegevens_225.txt").read_bytes()
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (slow mode)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def service():
    s = Service()
    yield s
    s.server.shutdown()


@pytest.fixture
def empty(settings, conn):
    conn.execute(f"TRUNCATE {TABLES} CASCADE")


def sync_settings(url: str, **kw) -> sync.SyncSettings:
    return sync.SyncSettings(
        sync_luchtmeetnet_url=f"{url}/open_api",
        sync_knmi_url=f"{url}/knmi",
        sync_stations="NL49570",
        sync_components="PM25",
        sync_knmi_stations="225",
        sync_start="2023-03-01T00:00:00+00:00",
        sync_timeout_s=0.5,
        **kw,
    )


def test_sync_stores_start_of_hour_values_and_resumes_from_where_it_stopped(empty, service, conn):
    service.mode, service.requests[:] = "ok", []
    report = sync.run_cycle(sync_settings(service.url), now=NOW)
    assert (report.stored, report.failed) == (4 + 5, 0)
    assert conn.execute(
        "SELECT extract(hour FROM hour)::int, value FROM reference_hourly ORDER BY hour"
    ).fetchall() == [(0, 7.1), (1, 6.4), (2, -0.3), (3, 5.9)]
    assert conn.execute(
        "SELECT count(*) FROM weather_hourly WHERE wind_state IN ('calm', 'variable') AND wind_dir IS NULL"
    ).fetchone() == (2,)
    lmn = [q for p, q in service.requests if p.endswith("/measurements")]
    assert [q["page"] for q in lmn] == ["1", "2"]
    assert (lmn[0]["start"], lmn[0]["end"]) == ("2023-03-01T01:00:00+00:00", "2023-03-02T00:00:00+00:00")
    knmi = [q for p, q in service.requests if p == "/knmi"]
    assert (knmi[0]["stns"], knmi[0]["start"], knmi[0]["end"]) == ("225", "2023030101", "2023030124")
    state = conn.execute("SELECT source, done_until, last_error FROM sync_state ORDER BY source").fetchall()
    midnight = datetime(2023, 3, 2, tzinfo=UTC)
    assert state == [("knmi", midnight, None), ("luchtmeetnet", midnight, None)]
    # The next cycle, five hours later, asks only from a little before where it stopped, and changes nothing known.
    service.requests[:] = []
    again = sync.run_cycle(sync_settings(service.url), now=datetime(2023, 3, 2, 5, 30, tzinfo=UTC))
    assert again.stored == 0 and again.unchanged == 9
    first = next(q for p, q in service.requests if p.endswith("/measurements"))
    assert first["start"] == "2023-03-01T19:00:00+00:00"  # done_until − 6 h lookback, as an end-of-hour label


@pytest.mark.parametrize("mode", ["down", "error", "slow", "garbage"])
def test_a_service_down_slow_or_answering_garbage_costs_one_cycle_and_the_next_catches_up(empty, service, conn, mode):
    url = f"http://127.0.0.1:{free_port()}" if mode == "down" else service.url
    service.mode = mode
    report = sync.run_cycle(sync_settings(url), now=NOW)
    assert report.failed == 2 and report.stored == 0
    errors = conn.execute("SELECT done_until, last_error FROM sync_state ORDER BY source").fetchall()
    expected = {"down": "unreachable", "slow": "too slow", "error": "HTTP 503", "garbage": "not"}[mode]
    assert all(done is None and expected in error for done, error in errors), errors
    service.mode = "ok"
    assert sync.run_cycle(sync_settings(service.url), now=NOW).stored == 9
    assert conn.execute("SELECT count(*) FROM sync_state WHERE last_error IS NULL").fetchone() == (2,)


def test_knmi_hour_labels_run_from_1_to_24():
    assert sync.knmi_hour_label(datetime(2023, 3, 1, 1, tzinfo=UTC)) == "2023030101"
    assert sync.knmi_hour_label(datetime(2023, 3, 2, 0, tzinfo=UTC)) == "2023030124"


def test_the_service_entry_point_runs_a_cycle_from_its_environment(empty, service, conn, monkeypatch):
    service.mode = "ok"
    for key, value in {"SYNC_LUCHTMEETNET_URL": f"{service.url}/open_api", "SYNC_KNMI_URL": f"{service.url}/knmi",
                       "SYNC_STATIONS": "NL49570", "SYNC_COMPONENTS": "PM25", "SYNC_KNMI_STATIONS": "225",
                       "SYNC_START": "2023-03-01T00:00:00+00:00"}.items():  # fmt: skip
        monkeypatch.setenv(f"IJLUCHT_{key}", value)
    assert sync.main(["--once"]) == 0
    assert conn.execute("SELECT count(*) FROM reference_hourly").fetchone() == (4,)


def test_the_runner_keeps_going_until_stopped(empty, service, conn):
    service.mode, service.requests[:] = "error", []
    stop = threading.Event()
    runner = threading.Thread(target=sync.run_forever, args=(sync_settings(service.url, sync_interval_s=0.05), stop))
    runner.start()
    wait_for(lambda: sum(1 for p, _ in service.requests if p == "/knmi") >= 2, what="a second cycle")
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive()
    assert sum(1 for p, _ in service.requests if p == "/knmi") >= 2  # it tried again after the failures


def test_a_service_that_stays_down_is_reported_once_per_series_not_every_cycle(empty, conn, caplog):
    down = sync_settings(f"http://127.0.0.1:{free_port()}")
    with caplog.at_level(logging.DEBUG, logger="ijlucht.sync"):
        for _ in range(3):
            assert sync.run_cycle(down, now=NOW).failed == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and {r.args[0] for r in warnings} == {"luchtmeetnet", "knmi"}
    cycles = [r for r in caplog.records if r.getMessage().startswith("sync cycle:")]
    assert len(cycles) == 3 and all("2 series failed" in r.getMessage() for r in cycles)
