"""correction=humidity|calibrated on /v1/series: corrected values beside the raw ones, each with its method version
and calibration record, or null with the reason; never the raw value in their place."""

from datetime import UTC, datetime, timedelta

import pytest

from ijlucht.science import calibration, correction
from ingest.rollups import refresh_rollups
from ingest.store import Batch, store_batch
from ingest.validate import Row
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures)

pytestmark = pytest.mark.usefixtures("imported")

HOUR = datetime(2026, 11, 2, 10, tzinfo=UTC)
RH = [80.0, 80.0, 60.0, 60.0, None, 101.0]  # the last two: no humidity, and an implausible one
PM = [10.0, 12.0, 8.0, 9.0, 20.0, 30.0]


@pytest.fixture
def kit(make_kit, conn):
    kit_id, _ = make_kit("corr")
    batch = Batch()
    for i, (pm, rh) in enumerate(zip(PM, RH, strict=True)):
        t = HOUR + timedelta(minutes=10 * i)
        values = {"pm1": None, "pm25": pm, "pm10": pm * 1.5, "t": 8.0, "rh": rh, "p": 1012.0}
        batch.rows.append((Row(t.timestamp(), kit_id, values, 0, i), t.timestamp()))
    store_batch(conn, batch)
    while refresh_rollups(conn):
        pass
    return kit_id


def series(api, kit_id, **q):
    params = {"kits": kit_id, "start": "2026-11-02T10:00:00Z", "end": "2026-11-02T11:00:00Z", **q}
    r = api.get("/v1/series", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def kohler(pm, rh, kappa):
    return pm / (1 + (kappa / correction.DENSITY) / (100 / rh - 1))


def test_humidity_correction_of_each_reading_carries_its_method_and_keeps_the_raw_value(api, kit):
    doc = series(api, kit, quantities="pm25", correction="humidity")
    assert doc["meta"]["correction"] == "humidity"
    rows = doc["results"]
    assert [r["value"] for r in rows] == PM
    for r, pm, rh in zip(rows[:4], PM, RH, strict=False):
        assert r["correction"] == "kohler-v1" and r["calibration_id"] is None
        assert r["corrected_value"] == pytest.approx(kohler(pm, rh, 0.35))
    assert rows[4]["corrected_value"] is None and rows[4]["correction_reason"] == "the reading has no humidity"
    assert rows[5]["corrected_value"] is None and "outside 0-100" in rows[5]["correction_reason"]


def test_an_hourly_corrected_mean_is_the_mean_of_the_readings_corrected_one_by_one(api, kit):
    row = series(api, kit, quantities="pm25", resolution="hour", correction="humidity")["results"][0]
    expected = sum(kohler(pm, rh, 0.35) for pm, rh in zip(PM[:4], RH[:4], strict=True)) / 4
    assert row["value"] == pytest.approx(sum(PM) / 6)  # the raw mean, untouched
    assert row["corrected_value"] == pytest.approx(expected) and row["correction"] == "kohler-v1"


def test_no_calibration_gives_null_with_the_reason_never_the_raw_value(api, kit):
    rows = series(api, kit, quantities="pm25,t", resolution="hour", correction="calibrated")["results"]
    by_q = {r["quantity"]: r for r in rows}
    assert by_q["pm25"]["corrected_value"] is None and by_q["pm25"]["correction"] is None
    assert by_q["pm25"]["correction_reason"] == "no calibration for this kit"
    assert by_q["t"]["corrected_value"] is None and "PM2.5 only" in by_q["t"]["correction_reason"]


def test_a_valid_calibration_is_applied_and_cited_and_an_invalid_newer_one_gives_its_reason(api, kit, conn):
    coefficients = '{"kappa": 0.3, "intercept": 1.5, "slope": 0.8}'
    insert = (
        "INSERT INTO calibrations (kit_id, station_id, method, period_start, period_end, n, coefficients, metrics, "
        "valid, reason) VALUES (%s, 'NL49570', %s, '2026-01-01Z', '2026-03-01Z', 500, %s, '{}', %s, %s) RETURNING id"
    )
    (good,) = conn.execute(insert, (kit, calibration.METHOD, coefficients, True, None)).fetchone()
    row = series(api, kit, quantities="pm25", correction="calibrated")["results"][0]
    assert row["correction"] == "kohler-linear-v1" and row["calibration_id"] == good
    assert row["corrected_value"] == pytest.approx(1.5 + 0.8 * kohler(10.0, 80.0, 0.3))
    humid = series(api, kit, quantities="pm25", correction="humidity")["results"][0]
    assert humid["calibration_id"] == good and humid["corrected_value"] == pytest.approx(kohler(10.0, 80.0, 0.3))
    (bad,) = conn.execute(insert, (kit, calibration.METHOD, None, False, "too few hours")).fetchone()
    row = series(api, kit, quantities="pm25", correction="calibrated")["results"][0]
    assert row["corrected_value"] is None and row["value"] == 10.0
    assert row["correction_reason"] == f"calibration {bad} is not valid: too few hours"


def test_without_correction_rows_have_no_corrected_fields(api, kit):
    doc = series(api, kit, quantities="pm25")
    assert "correction" not in doc["meta"] and "corrected_value" not in doc["results"][0]
    assert api.get("/v1/series", params={"kits": kit, "correction": "smooth"}).status_code == 422


def test_the_map_gives_corrected_latest_values_with_method_or_reason_and_bands_them(api, kit, rolled_up):
    doc = api.get("/v1/map/latest", params={"correction": "humidity"}).json()
    assert doc["correction"] == "humidity"
    by_id = {f["id"]: f["properties"] for f in doc["features"]}
    mine = by_id[kit]  # its latest reading has a humidity of 101 %: no corrected value, the reason why
    assert mine["value"] == 30.0 and mine["corrected_value"] is None and "outside 0-100" in mine["correction_reason"]
    seed = by_id["seed-beverwijk"]  # seeded at 80 % humidity
    assert seed["correction"] == "kohler-v1" and seed["corrected_value"] == pytest.approx(
        kohler(seed["value"], 80, 0.35)
    )
    assert seed["band"] is not None
    raw = api.get("/v1/map/latest").json()
    assert "correction" not in raw and "corrected_value" not in raw["features"][0]["properties"]


def test_exports_carry_the_corrected_columns_with_method_or_reason(api, kit):
    import io

    import pandas as pd

    q = {"kits": kit, "quantities": "pm25", "start": "2026-11-02T10:00:00Z", "end": "2026-11-02T11:00:00Z"}
    csv = api.get("/v1/export", params={**q, "resolution": "raw", "correction": "humidity"})
    assert csv.status_code == 200, csv.text
    frame = pd.read_csv(io.StringIO(csv.text), comment="#")
    assert list(frame.columns[-4:]) == ["corrected_value", "correction", "correction_reason", "calibration_id"]
    assert frame["value"].tolist() == PM
    assert frame["corrected_value"][0] == pytest.approx(kohler(10.0, 80.0, 0.35))
    assert frame["correction"][0] == "kohler-v1" and frame["correction_reason"][4] == "the reading has no humidity"
    parquet = api.get("/v1/export", params={**q, "format": "parquet", "correction": "calibrated"})
    table = pd.read_parquet(io.BytesIO(parquet.content))
    assert table["corrected_value"].isna().all() and (table["correction_reason"] == "no calibration for this kit").all()
    plain = pd.read_csv(io.StringIO(api.get("/v1/export", params=q).text), comment="#")
    assert "corrected_value" not in plain.columns


def test_the_hourly_map_gives_corrected_means_with_the_method_and_the_raw_map_none(api, kit):
    window = {"quantity": "pm25", "start": "2026-11-02T09:00:00Z", "end": "2026-11-02T11:00:00Z"}
    raw = api.get("/v1/map/hourly", params=window).json()
    assert raw["kits"][kit] == [None, pytest.approx(sum(PM) / 6)] and "methods" not in raw
    doc = api.get("/v1/map/hourly", params={**window, "correction": "humidity"}).json()
    expected = sum(kohler(pm, rh, 0.35) for pm, rh in zip(PM[:4], RH[:4], strict=True)) / 4
    assert doc["correction"] == "humidity" and doc["hours"] == raw["hours"]
    assert doc["kits"][kit] == [None, pytest.approx(expected)]  # as /v1/series: corrected one by one, then the mean
    assert doc["methods"][kit] == "kohler-v1" and doc["reasons"][kit] is None
    calibrated = api.get("/v1/map/hourly", params={**window, "correction": "calibrated"}).json()
    assert calibrated["kits"][kit] == [None, None] and calibrated["methods"][kit] is None  # never the raw mean
    assert "calibration" in calibrated["reasons"][kit]
    assert api.get("/v1/map/hourly", params={**window, "correction": "kohler"}).status_code == 422
