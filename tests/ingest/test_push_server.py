"""Sensor.Community pushes over HTTP reach TimescaleDB through the broker and the worker, like any reading."""

import base64
import json
import threading

import anyio
import httpx
import pytest
import uvicorn
from fastapi import HTTPException, Request

from ingest.push_server import basic_credentials, create_app, declared_length, read_body
from ingest.push_settings import PushSettings
from tests.conftest import free_port, wait_for

BODY = {
    "esp8266id": "1234567",
    "software_version": "NRZ-2024-135",
    "sensordatavalues": [
        {"value_type": "SDS_P1", "value": "12.40"},
        {"value_type": "SDS_P2", "value": "7.10"},
        {"value_type": "BME280_humidity", "value": "81.20"},
        {"value_type": "signal", "value": "-67"},
    ],
}


@pytest.fixture(scope="module")
def push_url(settings):
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(PushSettings()), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/v1/push/airrohr"

    def up():
        try:
            return httpx.get(f"http://127.0.0.1:{port}/v1/push/health").status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, what="push server")
    yield url
    server.should_exit = True
    thread.join(10)


def test_airrohr_push_is_stored_as_a_reading(push_url, conn, make_kit, ingest_worker):
    kit, token = make_kit("sc")
    r = httpx.post(push_url, content=json.dumps(BODY), auth=(kit, token), headers={"X-Sensor": "esp8266-1234567"})
    assert r.status_code == 201, r.text
    assert r.json()["stored_as"]["pm25"] == 7.1 and r.json()["ignored"] == ["signal"]
    row = wait_for(
        lambda: conn.execute("SELECT pm25, pm10, rh FROM readings WHERE kit_id = %s", (kit,)).fetchone(),
        what="the pushed reading in the database",
    )
    assert row == pytest.approx((7.1, 12.4, 81.2))


def test_wrong_token_or_unknown_kit_is_401(push_url, make_kit):
    kit, _ = make_kit("sc")
    assert httpx.post(push_url, content=json.dumps(BODY), auth=(kit, "wrong")).status_code == 401
    assert httpx.post(push_url, content=json.dumps(BODY), auth=("NOT A KIT", "x")).status_code == 401
    assert httpx.post(push_url, content=json.dumps(BODY)).status_code == 401


def test_unreadable_push_is_400_with_reason(push_url, make_kit):
    kit, token = make_kit("sc")
    r = httpx.post(push_url, content=b"{nonsense", auth=(kit, token))
    assert r.status_code == 400 and "not valid JSON" in r.json()["detail"]
    bad = {"sensordatavalues": [{"value_type": "SDS_P2", "value": "-5000000"}]}
    r = httpx.post(push_url, content=json.dumps(bad), auth=(kit, token))
    assert r.status_code == 400 and "not a possible measurement" in r.json()["detail"]


def test_basic_credentials_need_a_kit_id_and_a_token():
    def header(raw: bytes) -> str:
        return "Basic " + base64.b64encode(raw).decode()

    assert basic_credentials(header(b"bev-01:s3cret")) == ("bev-01", "s3cret")
    assert basic_credentials(header(b"bev-01:a:b")) == ("bev-01", "a:b")
    for bad in (None, "", "Bearer x", "Basic !!!", header(b"bev-01"), header(b"bev-01:"), header(b"BEV 01:x"),
                header(b"bev-01\n:x"), header(b"\xff\xfe:x"), header(b"bev-01:" + b"x" * 201)):  # fmt: skip
        assert basic_credentials(bad) is None, bad


def test_declared_length_is_required_and_bounded():
    assert declared_length("1500", None) == 1500
    for length, encoding, status in (
        (None, None, 411), ("10", "chunked", 411), (None, "chunked", 411), ("16385", None, 413), ("-1", None, 413),
        ("1e3", None, 413),
    ):  # fmt: skip
        with pytest.raises(HTTPException) as refused:
            declared_length(length, encoding)
        assert refused.value.status_code == status


def _request(chunks: list[bytes], complete: bool = True, delay: float = 0.0) -> Request:
    """A request whose body arrives in `chunks` (then ends, or the client goes away), each after `delay`."""
    more = [True] * (len(chunks) - 1) + [not complete]
    messages = [{"type": "http.request", "body": c, "more_body": m} for c, m in zip(chunks, more, strict=True)]

    async def receive() -> dict:
        await anyio.sleep(delay)
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return Request({"type": "http", "method": "POST", "headers": []}, receive)


@pytest.mark.parametrize(
    ("request_", "declared", "status", "detail"),
    [
        (_request([b"x" * 10, b"y" * 10]), 15, 413, "the body is longer than its Content-Length"),
        (_request([b"x" * 10, b"y" * 10], delay=0.4), 20, 408, "the body did not arrive within 0.5 s"),
        (_request([b"x" * 5], complete=False), 20, 400, "the connection closed before the whole body arrived"),
    ],
    ids=["longer than declared", "trickling", "client gone"],
)
def test_a_body_that_does_not_match_its_declaration_is_refused(request_, declared, status, detail):
    with pytest.raises(HTTPException) as refused:
        anyio.run(read_body, request_, declared, 0.5)
    assert (refused.value.status_code, refused.value.detail) == (status, detail)


def test_read_body_returns_a_body_that_matches_its_declaration():
    assert anyio.run(read_body, _request([b"{}", b"[]"]), 4, 1.0) == b"{}[]"
