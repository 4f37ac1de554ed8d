"""Sensor.Community pushes over HTTP reach TimescaleDB through the broker and the worker, like any reading."""

import json
import threading

import httpx
import pytest
import uvicorn

from ingest.push_server import create_app
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
