"""The fallbacks that derive the map, series and area answers from /v1/kits and readings."""

from datetime import UTC, datetime, timedelta

import pytest

from dashboard import derive
from dashboard.geo import load_outlines
from tests.dashboard.samples import KITS, readings

NOW = datetime(2026, 11, 29, 0, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def outlines():
    return load_outlines()


def test_latest_has_the_map_latest_shape_with_band_district_and_staleness(outlines):
    body = derive.latest_from_kits(KITS, "pm25", "eaqi-2024", outlines, now=NOW)
    assert (body["quantity"], body["unit"], body["scale"]) == ("pm25", "µg/m³", "eaqi-2024")
    first = body["features"][0]["properties"]
    assert first["value"] == 7.1 and first["band"]["name_en"] == "fair" and first["stale"] is False
    assert first["district"] == "WK037500"  # Beverwijk Centrum lies in wijk Centrum of Beverwijk
    assert body["features"][3]["properties"]["band"] is None  # no PM2.5 value
    late = derive.latest_from_kits(KITS, "pm25", "eaqi-2024", outlines, now=NOW + timedelta(minutes=20))
    assert all(f["properties"]["stale"] for f in late["features"])


def test_lki_band_in_derived_latest(outlines):
    body = derive.latest_from_kits(KITS, "pm25", "lki", outlines, now=NOW)
    assert body["features"][1]["properties"]["band"]["name_nl"] == "slecht (9)"


def test_hourly_map_has_one_mean_or_none_per_kit_per_hour():
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    rows = readings(n=24, step_minutes=5, start=start)["results"]  # pm25 5..28 over 12:00–13:55
    body = derive.hourly_map({"bev-01": rows, "empty": []}, "pm25", start, start + timedelta(hours=3))
    assert body["hours"] == [(start + timedelta(hours=h)).isoformat() for h in range(3)]
    assert body["kits"]["bev-01"] == [10.5, 22.5, None]
    assert body["kits"]["empty"] == [None, None, None]


def test_series_rows_raw_and_hourly_count_flagged_readings():
    rows = readings(n=24, step_minutes=5)["results"]
    rows[2]["flags"] = 4
    raw = derive.series_rows("bev-01", rows, "pm25", "raw")
    assert len(raw) == 24 and raw[2]["flags"] == 4 and raw[2]["n_flagged"] == 1
    hourly = derive.series_rows("bev-01", rows, "pm25", "hour")
    assert [(r["value"], r["n"], r["n_flagged"]) for r in hourly] == [(10.5, 12, 1), (22.5, 12, 0)]


def test_areas_average_fresh_online_kits_per_municipality_and_district(outlines):
    latest = derive.latest_from_kits(KITS, "pm25", "eaqi-2024", outlines, now=NOW)
    rows = derive.areas_from_latest(latest, "municipality", outlines, "eaqi-2024")
    assert [(r["name"], r["kits"], r["mean"]) for r in rows] == [("Beverwijk", 2, 51.05)]  # offline/no value: out
    assert rows[0]["band"]["name_nl"] == "slecht"
    districts = derive.areas_from_latest(latest, "district", outlines, "eaqi-2024")
    assert sum(r["kits"] for r in districts) == 2 and all(r["code"].startswith("WK0375") for r in districts)


def test_derived_areas_leave_out_kits_the_api_marks_excluded(outlines):
    latest = derive.latest_from_kits(KITS, "pm25", "eaqi-2024", outlines, now=NOW)
    before = derive.areas_from_latest(latest, "municipality", outlines, "eaqi-2024")
    counted = next(f for f in latest["features"] if f["properties"].get("value") is not None)
    counted["properties"]["excluded"] = True
    after = derive.areas_from_latest(latest, "municipality", outlines, "eaqi-2024")
    assert [r["kits"] for r in after] == [before[0]["kits"] - 1]
