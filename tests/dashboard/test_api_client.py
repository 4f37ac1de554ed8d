"""The API client against the real API (tests/conftest.py) and against a port where nothing listens."""

import re

import pytest

from dashboard.api_client import ApiClient, ApiUnavailable, KitNotFound
from tests.conftest import free_port


def test_api_down_raises_api_unavailable_naming_the_address():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ApiUnavailable, match=re.escape(url)):
        ApiClient(url, timeout=2).kits()


def test_kits_returns_the_feature_collection_with_latest_values(api_base_url, seeded_kits):
    body = ApiClient(api_base_url).kits()
    assert body["type"] == "FeatureCollection"
    by_id = {f["properties"]["kit_id"]: f for f in body["features"]}
    assert set(seeded_kits) <= set(by_id)
    assert by_id[seeded_kits[0]]["properties"]["latest"]["pm25"] is not None


def test_readings_of_the_last_24_h_come_oldest_first(api_base_url, seeded_kits):
    body = ApiClient(api_base_url).readings(seeded_kits[0])
    times = [r["time"] for r in body["results"]]
    assert len(times) >= 280
    assert times == sorted(times)


def test_unknown_kit_raises_kit_not_found(api_base_url, seeded_kits):
    with pytest.raises(KitNotFound, match="no-such-kit"):
        ApiClient(api_base_url).readings("no-such-kit")
