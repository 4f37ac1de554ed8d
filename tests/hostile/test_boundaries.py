"""Attacks on the platform's boundaries (issue 9): each gets the platform's exact answer, and valid requests around
it still work. The dashboard must not carry a browser's id into the API; an export must not be held open by a
reader that stops reading; the push endpoint must refuse before it reads; rate limits must not trust a header that
any client can write."""

import base64
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
import uvicorn
from fastapi.testclient import TestClient

from ijlucht.kits import NewKit, register_kit
from tests.conftest import free_port, wait_for
from tests.dashboard.recording import kit_panel_callback, panel_message

REFUSED_KIT_ID = (
    "Refused: that is not a kit id (kit ids are lowercase letters, digits and hyphens). Nothing was requested."
)
EXPORT_BUSY = "too many exports are running (at most 1 at once); retry in a minute"
EXPORT_DEADLINE_S = 4.0
BIG_EXPORT_READINGS = 100_000  # ~500,000 CSV rows, ~35 MB: far more than the socket buffers hold


class SeenPaths:
    """ASGI wrapper around the API that notes the path of every request it receives: the API's own view."""

    def __init__(self, app) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


def serve(app) -> Iterator[str]:
    """`app` under uvicorn on a free port, in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="uvicorn")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def watched_api(settings, seeded_kits) -> Iterator[tuple[str, SeenPaths]]:
    from api.app import create_app
    from api.settings import ApiSettings

    seen = SeenPaths(create_app(ApiSettings()))
    for url in serve(seen):
        yield url, seen


def test_dashboard_refuses_a_kit_id_that_walks_to_the_export_and_the_api_never_sees_it(watched_api):
    from dashboard.api_client import ApiClient
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings

    url, seen = watched_api
    # The attack as it worked before: the id pasted into /v1/kits/{id} is normalised by the HTTP client into an
    # unbounded export, asked from 127.0.0.1 (exempt from rate limits).
    httpx.get(f"{url}/v1/kits/../export?kits=seed-beverwijk&resolution=raw", timeout=30)
    assert seen.paths[-1] == "/v1/export"
    seen.paths.clear()

    dashboard = create_app(DashboardSettings(language="en"), client=ApiClient(url)).server
    for attack in ("../export?kits=seed-beverwijk&resolution=raw&start=2000-01-01", "%2e%2e%2fexport",
                   "kit/../../export", "seed-beverwijk/../../export", "k" * 5000, "bév-01"):  # fmt: skip
        answer = kit_panel_callback(dashboard, {"kit_id": attack, "name": "x"})
        assert panel_message(answer) == REFUSED_KIT_ID and answer["kit-status"]["children"] is None
        answer = kit_panel_callback(dashboard, {"kit_id": "seed-beverwijk", "name": "B"}, [attack])
        assert panel_message(answer) == REFUSED_KIT_ID
    assert seen.paths == []

    answer = kit_panel_callback(dashboard, {"kit_id": "seed-beverwijk", "name": "Beverwijk"}, ["seed-heemskerk"])
    assert "Beverwijk" in str(answer["kit-status"]["children"])
    assert seen.paths[0] == "/v1/kits/seed-beverwijk" and "/v1/series" in seen.paths
    assert "/v1/export" not in seen.paths


@pytest.fixture(scope="module")
def big_kit(settings) -> str:
    """A kit (no position: off the map) with BIG_EXPORT_READINGS raw readings, 10 s apart, ending an hour ago."""
    kit_id = f"big-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        register_kit(conn, settings, NewKit(kit_id, "big export", None, None))
        conn.execute(
            "INSERT INTO readings (time, kit_id, pm25, pm10, t, rh, p) "
            "SELECT now() - interval '1 hour' - g * interval '10 s', %s, 5 + g %% 17, 9 + g %% 23, 8.5, 80, 1012 "
            "FROM generate_series(1, %s) g",
            (kit_id, BIG_EXPORT_READINGS),
        )
    return kit_id


@pytest.fixture(scope="module")
def export_api(settings) -> Iterator[str]:
    from api.app import create_app
    from api.settings import ApiSettings

    yield from serve(create_app(ApiSettings(api_exports_at_once=1, api_export_deadline_s=EXPORT_DEADLINE_S)))


def _export_path(kit_id: str) -> str:
    end = datetime.now(UTC)
    query = httpx.QueryParams(kits=kit_id, resolution="raw", start=(end - timedelta(days=30)).isoformat(),
                              end=end.isoformat())  # fmt: skip
    return f"/v1/export?{query}"


def _start_export_and_stop_reading(base_url: str, kit_id: str) -> socket.socket:
    """Ask for the export with a tiny receive buffer, read the status line, then read nothing more."""
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(20)
    sock.connect((host, int(port)))
    sock.sendall(f"GET {_export_path(kit_id)} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    return sock


def _status_line(sock: socket.socket) -> str:
    return sock.recv(64).split(b"\r\n", 1)[0].decode()


def _exports_in_progress(settings) -> int:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ijlucht' AND pg_backend_pid() <> pid "
            "AND state <> 'idle' AND query ILIKE '%ijlucht_export%'"
        ).fetchone()[0]


def test_a_reader_that_stops_reading_an_export_loses_its_slot_and_connection_at_the_deadline(
    settings, export_api, big_kit, seeded_kits
):
    stalled = _start_export_and_stop_reading(export_api, big_kit)
    started = time.monotonic()
    assert _status_line(stalled) == "HTTP/1.1 200 OK"
    busy = httpx.get(f"{export_api}/v1/export", params={"kits": "seed-beverwijk"}, timeout=10)
    assert (busy.status_code, busy.json()["detail"], busy.headers["retry-after"]) == (429, EXPORT_BUSY, "60")
    assert _exports_in_progress(settings) == 1  # the stalled export holds a connection inside its transaction

    def slot_free() -> httpx.Response | None:
        r = httpx.get(f"{export_api}/v1/export", params={"kits": "seed-beverwijk", "resolution": "raw"}, timeout=10)
        return r if r.status_code == 200 else None

    after = wait_for(slot_free, timeout=EXPORT_DEADLINE_S + 10, interval=0.25, what="the export slot back")
    assert time.monotonic() - started >= EXPORT_DEADLINE_S - 0.5  # freed by the deadline, not by the reader
    lines = [line for line in after.text.splitlines() if not line.startswith("#")]  # past the licence lines
    assert len(lines) == 1 + 288 * 5 and lines[0].startswith("kit_id,time,quantity")  # valid: whole
    assert _exports_in_progress(settings) == 0

    stalled.settimeout(10)
    received = b""
    while chunk := stalled.recv(1 << 20):
        received += chunk
    stalled.close()
    assert 100_000 < len(received) < 35_000_000 and not received.endswith(b"\r\n0\r\n\r\n")  # cut off, not finished


def test_two_exports_at_once_cannot_both_take_the_last_slot(export_api, big_kit):
    barrier = threading.Barrier(2)
    sockets: list[socket.socket] = []
    statuses: list[str] = []

    def ask() -> None:
        barrier.wait()
        sock = _start_export_and_stop_reading(export_api, big_kit)
        sockets.append(sock)
        statuses.append(_status_line(sock))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(statuses) == ["HTTP/1.1 200 OK", "HTTP/1.1 429 Too Many Requests"]
    for sock in sockets:
        sock.close()  # the reader goes away: its export ends and the slot comes back
    wait_for(
        lambda: httpx.get(f"{export_api}/v1/export", params={"kits": "seed-beverwijk"}, timeout=10).status_code == 200,
        timeout=EXPORT_DEADLINE_S + 10, what="the slot back after the reader left",
    )  # fmt: skip


PUSH = {"esp8266id": "1234567", "sensordatavalues": [{"value_type": "SDS_P1", "value": "12.40"},
                                                      {"value_type": "SDS_P2", "value": "7.10"}]}  # fmt: skip
NO_CREDENTIALS = "send the IJlucht kit id as user and the kit's token as password (HTTP Basic)"
PUSH_RATE_PER_MIN, PUSH_RATE_KIT_PER_MIN = 6, 3


def _basic(user: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()


def _not_near_a_minute_boundary() -> None:
    """Rate limits count in fixed minute windows: start a counting test early in one."""
    if time.time() % 60 > 45:
        time.sleep(60 - time.time() % 60 + 0.1)


@pytest.fixture(scope="module")
def push_url(settings) -> Iterator[str]:
    """The push server with small limits, behind a trusted proxy at 127.0.0.1 (the tests say who the client is)."""
    from ingest.push_server import create_app
    from ingest.push_settings import PushSettings

    yield from serve(create_app(PushSettings(push_rate_per_min=PUSH_RATE_PER_MIN,
                                             push_rate_kit_per_min=PUSH_RATE_KIT_PER_MIN,
                                             push_trusted_proxies=("127.0.0.1",))))  # fmt: skip


def _head_only(base_url: str, headers: dict[str, str]) -> tuple[int, dict, dict[str, str]]:
    """POST the headers and never send a body: only an answer that did not wait for the body arrives in time."""
    host, port = base_url.removeprefix("http://").split(":")
    lines = ["POST /v1/push/airrohr HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        raw = b""
        while b"\r\n\r\n" not in raw or len(raw.split(b"\r\n\r\n", 1)[1]) < int(
            re.search(rb"content-length: (\d+)", raw.lower()).group(1)  # type: ignore[union-attr]
        ):
            raw += sock.recv(65536)
    head, body = raw.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ")[1])
    pairs = (line.decode().split(": ", 1) for line in head.split(b"\r\n")[1:])
    answer_headers = {name.lower(): value for name, value in pairs}
    return status, json.loads(body), answer_headers


def test_push_is_refused_before_its_body_is_read_when_too_large_undeclared_or_unauthenticated(
    push_url, make_kit, conn, ingest_worker
):
    kit, token = make_kit("push")
    auth = _basic(kit, token)
    too_large = "a push is at most 16 KiB (airRohr sends under 2 KB)"
    no_length = "send the push with a Content-Length (at most 16 KiB)"
    cases = [
        ({"Authorization": auth, "Content-Length": "100000"}, 413, too_large),
        ({"Authorization": auth, "Transfer-Encoding": "chunked"}, 411, no_length),
        ({"Authorization": auth}, 411, no_length),
        ({"Content-Length": "1000"}, 401, NO_CREDENTIALS),
        ({"Authorization": _basic("../../v1/export", "x"), "Content-Length": "1000"}, 401, NO_CREDENTIALS),
        ({"Authorization": "Bearer " + "x" * 5000, "Content-Length": "1000"}, 401, NO_CREDENTIALS),
    ]  # fmt: skip
    for i, (headers, status, detail) in enumerate(cases):
        answer = _head_only(push_url, {**headers, "X-Forwarded-For": f"198.51.100.{i}"})
        assert answer[:2] == (status, {"detail": detail}), headers
        if status == 401:
            assert answer[2]["www-authenticate"] == 'Basic realm="IJlucht kit"'

    # A kit's refused pushes count against its per-kit limit (3 here): the valid push comes from another kit.
    other, other_token = make_kit("push")
    r = httpx.post(push_url + "/v1/push/airrohr", content=json.dumps(PUSH), auth=(other, other_token), timeout=20)
    assert r.status_code == 201 and r.json()["stored_as"]["pm25"] == 7.1
    row = wait_for(lambda: conn.execute("SELECT pm25 FROM readings WHERE kit_id = %s", (other,)).fetchone(),
                   what="the valid push stored")  # fmt: skip
    assert row == (pytest.approx(7.1),)


def test_push_401_does_not_say_whether_the_kit_exists(push_url, make_kit):
    kit, _ = make_kit("push")
    answers = []
    for user in (kit, f"push-{uuid.uuid4().hex[:8]}"):  # registered with a wrong token; never registered
        r = httpx.post(push_url + "/v1/push/airrohr", content=json.dumps(PUSH), auth=(user, "wrong-token"),
                       headers={"X-Forwarded-For": "198.51.100.20"}, timeout=20)  # fmt: skip
        answers.append((r.status_code, r.json(), r.headers["www-authenticate"]))
    assert answers[0] == answers[1] == (401, {"detail": "kit id or token not accepted"}, 'Basic realm="IJlucht kit"')


def test_push_flood_is_limited_per_address_and_per_kit(push_url, make_kit):
    _not_near_a_minute_boundary()
    url = push_url + "/v1/push/airrohr"
    kit, _ = make_kit("push")
    ghost = f"push-{uuid.uuid4().hex[:8]}"

    def push(user: str, secret: str, address: str) -> httpx.Response:
        return httpx.post(url, content=json.dumps(PUSH), auth=(user, secret), headers={"X-Forwarded-For": address},
                          timeout=20)  # fmt: skip

    kit_limit = re.compile(rf"more than {PUSH_RATE_KIT_PER_MIN} pushes a minute for this kit id; retry in \d+ s")
    for user in (kit, ghost):  # guessing one kit's token from many addresses; a kit that does not exist alike
        statuses = [push(user, "guess", f"198.51.100.{30 + i}").status_code for i in range(PUSH_RATE_KIT_PER_MIN)]
        assert statuses == [401] * PUSH_RATE_KIT_PER_MIN
        r = push(user, "guess", "198.51.100.99")
        assert r.status_code == 429 and kit_limit.fullmatch(r.json()["detail"]) and int(r.headers["retry-after"]) > 0

    address_limit = re.compile(rf"more than {PUSH_RATE_PER_MIN} pushes a minute from your address; retry in \d+ s")
    flood = [httpx.post(url, content=b"{}", headers={"X-Forwarded-For": "203.0.113.50"}) for _ in range(7)]
    assert [r.status_code for r in flood] == [401] * PUSH_RATE_PER_MIN + [429]
    assert address_limit.fullmatch(flood[-1].json()["detail"])

    other, other_token = make_kit("push")  # valid pushes around the flood still arrive
    assert push(other, other_token, "198.51.100.77").status_code == 201


def test_rate_limits_ignore_x_forwarded_for_from_a_client_that_is_no_proxy(settings, seeded_kits):
    from api.app import create_app
    from api.settings import ApiSettings
    from ingest.push_server import create_app as create_push_app
    from ingest.push_settings import PushSettings

    _not_near_a_minute_boundary()
    limited = re.compile(r"rate limit of 3 requests a minute reached; retry in \d+ s \(an API key raises the limit\)")
    with TestClient(create_app(ApiSettings(api_rate_per_min=3)), client=("203.0.113.7", 40000)) as hostile:
        answers = [hostile.get("/v1/quantities", headers={"X-Forwarded-For": xff})
                   for xff in ("127.0.0.1", "::1", "127.0.0.1, 10.0.0.1", "198.51.100.1")]  # fmt: skip
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert limited.fullmatch(answers[-1].json()["detail"]) and answers[0].headers["x-ratelimit-limit"] == "3"
        with TestClient(hostile.app, client=("127.0.0.1", 40001)) as dashboard:  # the real loopback stays exempt
            assert {dashboard.get("/v1/quantities").status_code for _ in range(5)} == {200}

    with TestClient(create_push_app(PushSettings(push_rate_per_min=2)), client=("203.0.113.7", 40000)) as hostile:
        answers = [hostile.post("/v1/push/airrohr", content=b"{}", headers={"X-Forwarded-For": f"198.51.100.{i}"})
                   for i in range(3)]  # fmt: skip
        assert [r.status_code for r in answers] == [401, 401, 429]
        assert re.fullmatch(
            r"more than 2 pushes a minute from your address; retry in \d+ s", answers[-1].json()["detail"]
        )
