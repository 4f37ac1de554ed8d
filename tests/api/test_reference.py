"""/v1/stations, /v1/weather, /v1/calibrations and the nearest station of a kit, on the shipped reference data
(data/reference imported with `ijlucht import`, as the demo does)."""

import pytest

from ijlucht import cli, licence
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures)

pytestmark = pytest.mark.usefixtures("imported")


@pytest.fixture(scope="module")
def calibrated(imported):  # noqa: F811
    assert cli.main(["calibrate", "--kit", "HLL_545", "--station", "NL49570"]) == 0
    # too short a period: an invalid record with its reason
    cli.main(["calibrate", "--kit", "HLL_549", "--station", "NL49570", "--start", "2023-03-01", "--end", "2023-03-03"])
    return imported


def test_stations_are_geojson_with_their_latest_value_unit_and_luchtmeetnet_licence(api):
    r = api.get("/v1/stations")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    doc = r.json()
    by_id = {f["id"]: f for f in doc["features"]}
    assert doc["licence"]["id"] == licence.LUCHTMEETNET.id and doc["time_label"] == "start"
    bev = by_id["NL49570"]
    assert bev["geometry"] == {"type": "Point", "coordinates": [4.64053, 52.4893]}
    latest = bev["properties"]["latest"]["PM25"]
    # NL49570.csv ends with the hour labelled 2023-09-01 23:00 (end of the hour): served as its start, 22:00
    assert latest["time"] == "2023-09-01T22:00:00Z"
    assert latest["unit"] == "µg/m³" and latest["ucum"] == "ug/m3"
    assert set(by_id) >= {"NL49551", "NL49553", "NL49570", "NL49572"}


def test_a_station_without_a_known_position_has_no_geometry(api, conn):
    conn.execute("INSERT INTO reference_stations (station_id, name) VALUES ('NL99998', 'nowhere')")
    try:
        features = {f["id"]: f for f in api.get("/v1/stations").json()["features"]}
    finally:
        conn.execute("DELETE FROM reference_stations WHERE station_id = 'NL99998'")
    assert features["NL99998"]["geometry"] is None and features["NL99998"]["properties"]["latest"] == {}


def test_station_series_gives_values_as_stored_in_hour_order_and_pages(api, conn):
    q = {"components": "PM25", "start": "2023-01-01T00:00:00Z", "end": "2023-01-02T00:00:00Z", "limit": 10}
    first = api.get("/v1/stations/NL49570/series", params=q).json()
    assert first["meta"]["licence"]["id"] == licence.LUCHTMEETNET.id
    assert first["meta"]["name"] == "Beverwijk-Creutzberglaan" and first["meta"]["time_label"] == "start"
    assert [r["time"] for r in first["results"]][:2] == ["2023-01-01T00:00:00Z", "2023-01-01T01:00:00Z"]
    rows = list(first["results"])
    page = first
    while page["meta"]["next"]:
        page = api.get(page["meta"]["next"]).json()
        rows += page["results"]
    stored = conn.execute(
        "SELECT value FROM reference_hourly WHERE station_id = 'NL49570' AND component = 'PM25' "
        "AND hour >= '2023-01-01Z' AND hour < '2023-01-02Z' ORDER BY hour"
    ).fetchall()
    assert [r["value"] for r in rows] == [v for (v,) in stored] and len(rows) == 24
    assert {r["ucum"] for r in rows} == {"ug/m3"}


def test_negative_reference_values_are_served_unclipped(api, conn):
    (hour,) = conn.execute(
        "SELECT min(hour) FROM reference_hourly WHERE station_id = 'NL49570' AND value < 0"
    ).fetchone()
    start = hour.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = api.get("/v1/stations/NL49570/series", params={"components": "PM25", "start": start}).json()["results"]
    assert rows[0]["value"] < 0


def test_unknown_station_is_404_and_a_zoneless_time_is_refused_with_both_spellings(api):
    assert api.get("/v1/stations/NL00000/series").status_code == 404
    r = api.get("/v1/stations/NL49570/series", params={"start": "2023-01-01T00:00:00"})
    assert r.status_code == 422 and "2023-01-01T00:00:00Z" in r.json()["detail"]
    assert "+01:00" in r.json()["detail"]
    assert api.get("/v1/stations/NL49570/series", params={"components": "pm25"}).status_code == 422


def test_weather_keeps_calm_and_variable_apart_from_directions(api, conn):
    calm = conn.execute(
        "SELECT station_id, hour FROM weather_hourly WHERE wind_state = 'calm' ORDER BY hour LIMIT 1"
    ).fetchone()
    assert calm is not None
    start = calm[1].strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = api.get("/v1/weather", params={"stations": calm[0], "start": start, "limit": 1}).json()
    row = doc["results"][0]
    assert row["wind_state"] == "calm" and row["wind_from"] is None and row["time"] == start
    assert doc["meta"]["units"]["wind_speed"] == {"unit": "m/s", "ucum": "m/s"}
    assert doc["meta"]["licence"]["id"] == "CC-BY-4.0" and doc["meta"]["next"]
    directed = api.get("/v1/weather", params={"stations": "240", "start": "2023-06-01T00:00:00Z"}).json()
    assert {r["wind_state"] for r in directed["results"]} <= {"direction", "calm", "variable"}
    assert all((r["wind_from"] is not None) == (r["wind_state"] == "direction") for r in directed["results"])
    assert any(1 <= (r["wind_from"] or 0) <= 360 for r in directed["results"])


def test_calibrations_list_and_one_record_carry_method_metrics_and_reason(api, calibrated):
    records = api.get("/v1/calibrations", params={"kit": "HLL_545"}).json()["results"]
    assert records and all(r["external_id"] == "HLL_545" for r in records)
    good = records[-1]
    assert good["method"] == "kohler-linear-v1" and good["valid"] and good["station_id"] == "NL49570"
    assert good["metrics"]["cv"]["rmse"] <= good["metrics"]["raw"]["rmse"] / 2
    assert good["metrics_unit"]["ucum"] == "ug/m3" and good["source"] == "samenmeten"
    one = api.get(f"/v1/calibrations/{good['id']}").json()
    assert one["coefficients"] == good["coefficients"] and one["licence"]["id"] == "ODbL-1.0"
    bad = api.get("/v1/calibrations", params={"kit": "sm-hll-549"}).json()["results"][-1]
    assert bad["valid"] is False and bad["coefficients"] is None and "168 hours" in bad["reason"]
    assert api.get("/v1/calibrations/999999999").status_code == 404


def test_a_kit_record_names_its_nearest_reference_station(api, rolled_up):
    props = api.get("/v1/kits/seed-beverwijk").json()["properties"]
    assert props["nearest_station"]["station_id"] == "NL49570"
    assert 500 < props["nearest_station"]["distance_m"] < 3000
    flat = api.get("/v1/kits/seed-wijkaanzee", params={"format": "json"}).json()
    assert flat["nearest_station"]["station_id"] == "NL49553"


def test_the_kit_lists_name_each_kits_nearest_reference_station_as_its_record_does(api, rolled_up):
    features = {f["id"]: f["properties"] for f in api.get("/v1/kits").json()["features"]}
    assert features["seed-beverwijk"]["nearest_station"]["station_id"] == "NL49570"
    assert features["seed-wijkaanzee"]["nearest_station"]["station_id"] == "NL49553"
    flat = {k["kit_id"]: k for k in api.get("/v1/kits", params={"format": "json"}).json()["results"]}
    for kit_id, props in features.items():
        one = api.get(f"/v1/kits/{kit_id}").json()["properties"]["nearest_station"]
        assert props["nearest_station"] == flat[kit_id]["nearest_station"] == one
