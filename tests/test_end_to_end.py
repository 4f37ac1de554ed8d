"""The whole road: a virtual kit (real firmware under MicroPython) → Mosquitto → ingest → TimescaleDB → API."""

import time

import httpx

from ijlucht.privacy import distance_m
from tests.conftest import wait_for
from virtualkit import fleet
from virtualkit.launch import start_kit, write_kit_dir


def test_virtual_kit_readings_arrive_in_the_api_with_the_replayed_values(
    settings, make_kit, ingest_worker, api_base_url, tmp_path
):
    kit_id, password = make_kit("e2e", lat=52.458, lon=4.619, name="IJmuiden e2e")
    # A series with a recognisable level: 42.0 µg/m³ PM2.5 every hour, 12.3 °C, 81 % RH.
    rows = [(h * 3600, 3.0, 42.0, 61.5, 12.3, 81.0, 1013.2) for h in range(336)]
    config = {
        "kit_id": kit_id,
        "mqtt_host": settings.mqtt_host,
        "mqtt_port": settings.mqtt_port,
        "mqtt_user": kit_id,
        "mqtt_password": password,
        "interval": 1,
        "wifi_ssid": "virtual",
        "wifi_password": "virtual",
        "sensors": ["replay"],
        "replay_anchor": fleet.replay_anchor(time.time()),
        "replay_period": fleet.SERIES_PERIOD_S,
    }
    proc = start_kit(write_kit_dir(tmp_path / kit_id, config, rows))
    try:

        def latest():
            props = httpx.get(f"{api_base_url}/v1/kits/{kit_id}").json()["properties"]
            return props["latest"] if props["online"] else None

        value = wait_for(latest, timeout=30, what="the kit's reading in the API")
        assert value["pm25"] == 42.0 and value["pm10"] == 61.5 and value["pm1"] == 3.0
        assert value["t"] == 12.3 and value["rh"] == 81.0 and value["p"] == 1013.2
        series = wait_for(
            lambda: len(r := httpx.get(f"{api_base_url}/v1/kits/{kit_id}/readings").json()["results"]) >= 3 and r,
            timeout=30,
            what="three readings in the time series",
        )
        assert all(abs(x["pm25"] - 42.0) < 1e-6 for x in series)
        times = [x["time"] for x in series]
        assert times == sorted(set(times))  # distinct moments, oldest first
    finally:
        proc.terminate()
        proc.wait(10)
    feature = wait_for(
        lambda: (f := httpx.get(f"{api_base_url}/v1/kits/{kit_id}").json())["properties"]["online"] is False and f,
        timeout=20,
        what="the last will marking the kit offline",
    )
    lon, lat = feature["geometry"]["coordinates"]  # public position: jittered, never the exact one
    assert 40 <= distance_m(lat, lon, 52.458, 4.619) <= 100
