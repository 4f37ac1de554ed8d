"""The API client against the real API (tests/conftest.py) and against a port where nothing listens."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.api_client import ApiClient, ApiUnavailable, InvalidKitId, KitNotFound, checked_kit_id, kit_path
from tests.conftest import free_port
from tests.dashboard.recording import HOSTILE_KIT_IDS, RecordingTransport


def test_api_down_raises_api_unavailable_naming_the_address():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ApiUnavailable, match=re.escape(url)):
        ApiClient(url, timeout=2).map_latest("pm25", "eaqi-2024")


def test_unknown_kit_raises_kit_not_found(api_base_url, seeded_kits):
    with pytest.raises(KitNotFound, match="no-such-kit"):
        ApiClient(api_base_url).kit("no-such-kit")


@pytest.fixture
def source(api_base_url, rolled_up):
    return ApiClient(api_base_url)


def seeded(features, seeded_kits):
    return {f["properties"]["kit_id"]: f["properties"] for f in features if f["properties"]["kit_id"] in seeded_kits}


def test_map_latest_has_values_bands_and_staleness(source, seeded_kits):
    from ijlucht.bands import band_for

    body = source.map_latest("pm25", "lki")
    assert (body["quantity"], body["unit"], body["scale"]) == ("pm25", "µg/m³", "lki")
    assert body["stale_after_s"] > 0
    kits = seeded(body["features"], seeded_kits)
    assert set(kits) == set(seeded_kits)
    for p in kits.values():
        assert p["value"] is not None and p["stale"] is False and p["online"] is True
        assert p["band"]["name_nl"] == band_for("pm25", p["value"], "lki").name_nl


def test_hourly_map_has_one_slot_per_hour_for_each_kit(source, seeded_kits):
    body = source.hourly_window("pm25", 24)
    assert 24 <= len(body["hours"]) <= 25
    assert all(len(means) == len(body["hours"]) for means in body["kits"].values())
    assert all(sum(m is not None for m in body["kits"][k]) >= 23 for k in seeded_kits)


def test_series_raw_and_hourly_rows(source, seeded_kits):
    kits = seeded_kits[:2]
    raw = source.series_window(kits, "pm25", 24, "raw")
    assert {r["kit_id"] for r in raw} == set(kits) and len(raw) >= 2 * 280
    assert all({"time", "value", "flags"} <= set(r) for r in raw)
    hourly = source.series_window(kits, "pm25", 24, "hour")
    assert all({"kit_id", "time", "value", "n"} <= set(r) for r in hourly)
    assert 2 * 23 <= len(hourly) <= 2 * 26


def test_areas_name_the_ijmond_municipalities_with_kit_counts(source, seeded_kits):
    rows = {r["name"]: r for r in source.areas("municipality", "pm25", "eaqi-2024")}
    assert {"Beverwijk", "Heemskerk", "Velsen"} <= set(rows)
    assert all({"code", "kits", "mean", "band"} <= set(r) for r in rows.values())
    assert sum(r["kits"] for r in rows.values()) >= len(seeded_kits)


def test_hourly_window_is_asked_once_per_few_minutes(api_base_url, rolled_up):
    now = [0.0]
    transport = RecordingTransport()
    client = ApiClient(api_base_url, transport=transport, clock=lambda: now[0])
    first = client.hourly_window("pm25", 24)
    now[0] = 200.0
    assert client.hourly_window("pm25", 24) is first and len(transport.paths) == 1
    now[0] = 400.0  # past HOURLY_CACHE_SECONDS: asked again
    client.hourly_window("pm25", 24)
    assert len(transport.paths) == 2 and transport.paths[1].startswith("/v1/map/hourly?quantity=pm25&start=")
    corrected = client.hourly_window("pm25", 24, correction="humidity")  # its own cache entry
    assert len(transport.paths) == 3 and transport.paths[2].endswith("&correction=humidity")
    assert corrected["correction"] == "humidity" and "methods" in corrected


def test_an_api_error_status_raises_api_error_with_the_reason(api_base_url):
    from dashboard.api_client import ApiError

    with pytest.raises(ApiError, match=r"/v1/areas answered 422"):
        ApiClient(api_base_url).areas("street", "pm25", "eaqi-2024")


@pytest.mark.parametrize("bad", HOSTILE_KIT_IDS, ids=lambda v: repr(v)[:30])
def test_a_kit_id_that_is_not_one_is_refused_before_any_request(api_base_url, bad):
    transport = RecordingTransport()
    client = ApiClient(api_base_url, transport=transport)
    for call in (
        lambda: client.kit(bad),
        lambda: client.series(["seed-beverwijk", bad], "pm25", datetime.now(UTC) - timedelta(hours=1),
                              datetime.now(UTC), "raw"),
    ):  # fmt: skip
        with pytest.raises(InvalidKitId, match=r"is not a kit id \(.*\); the API was not asked"):
            call()
    assert transport.paths == []


def test_kit_ids_go_into_requests_as_checked_path_segments_and_parameters(api_base_url, seeded_kits):
    transport = RecordingTransport()
    client = ApiClient(api_base_url, transport=transport)
    assert client.kit("seed-beverwijk")["properties"]["kit_id"] == "seed-beverwijk"
    end = datetime.now(UTC)
    client.series(["seed-beverwijk", "seed-heemskerk"], "pm25", end - timedelta(hours=1), end, "hour")
    assert transport.paths[0] == "/v1/kits/seed-beverwijk"
    assert transport.paths[1].startswith("/v1/series?kits=seed-beverwijk%2Cseed-heemskerk&quantities=pm25")


def test_kit_path_quotes_the_id_and_refuses_a_trailing_newline():
    assert kit_path("bev-01", "readings") == "/v1/kits/bev-01/readings"
    with pytest.raises(InvalidKitId, match=r"'bev-01\\n' is not a kit id"):
        checked_kit_id("bev-01\n")  # KIT_ID_PATTERN.match would take it: `$` matches before a final newline
    with pytest.raises(InvalidKitId, match=r"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\.\.\. is not a kit id"):
        checked_kit_id("a" * 500)  # the message stays short
