"""/v1/stats (per kit, per area, by hour of day) and /v1/areas (mean latest value per municipality/district)."""

from datetime import UTC, datetime, timedelta

from ijlucht import bands


def _range():
    end = datetime.now(UTC) + timedelta(hours=1)
    return {"start": (end - timedelta(days=2)).isoformat(), "end": end.isoformat()}


def test_stats_per_kit_with_percentiles_and_who_hours(api, rolled_up):
    r = api.get("/v1/stats", params={"kits": "seed-heemskerk,seed-velsen-zuid", "quantity": "pm25", **_range()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["group"] == "kit" and body["guideline"]["value"] == bands.WHO_2021_24H_AQG["pm25"]
    by_kit = {x["kit_id"]: x for x in body["results"]}
    low, high = by_kit["seed-heemskerk"], by_kit["seed-velsen-zuid"]
    assert 24 <= low["n_hours"] <= 26 and low["hours_above_who"] == 0
    assert high["hours_above_who"] == high["n_hours"]
    p = high["percentiles"]
    assert high["min"] <= p["p10"] <= p["p50"] <= p["p90"] <= p["p98"] <= high["max"]
    assert 70 < high["mean"] < 130


def test_stats_by_hour_of_day_and_per_municipality(api, rolled_up):
    r = api.get("/v1/stats", params={"kits": "seed-beverwijk", "by": "hour_of_day", **_range()})
    slots = [x["slot"] for x in r.json()["results"]]
    assert slots == sorted(slots) and set(slots) == set(range(24))
    r = api.get("/v1/stats", params={"municipality": "GM0375", "by": "day_of_week", **_range()})
    assert r.status_code == 200 and {x["area"] for x in r.json()["results"]} == {"GM0375"}
    assert all(1 <= x["slot"] <= 7 for x in r.json()["results"])


def test_stats_refuses_unclear_or_too_large_questions(api):
    assert "exactly one" in api.get("/v1/stats", params={}).json()["detail"]
    r = api.get("/v1/stats", params={"municipality": "GM9999"})
    assert r.status_code == 422 and "GM9999" in r.json()["detail"]
    many = ",".join(f"kit-{i:03d}" for i in range(100))
    r = api.get("/v1/stats", params={"kits": many, "start": "2001-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"})
    assert r.status_code == 422 and "kit-hours" in r.json()["detail"]


def test_areas_give_every_municipality_and_the_mean_of_fresh_kits(api, rolled_up, conn):
    r = api.get("/v1/areas", params={"level": "municipality", "quantity": "pm25", "scale": "who2021"})
    assert r.status_code == 200
    areas = {a["code"]: a for a in r.json()}
    assert {"GM0375", "GM0396", "GM0453"} <= set(areas)
    velsen = areas["GM0453"]
    latest = dict(
        conn.execute(
            "SELECT kit_id, pm25 FROM latest_readings WHERE kit_id IN ('seed-ijmuiden', 'seed-velsen-zuid')"
        ).fetchall()
    )
    assert velsen["name"] == "Velsen" and velsen["kits"] >= 2
    if velsen["kits"] == 2:
        assert abs(velsen["mean"] - sum(latest.values()) / 2) < 0.06
    assert velsen["band"]["index"] == bands.band_for("pm25", velsen["mean"], "who2021").index


def test_areas_per_district(api, rolled_up):
    r = api.get("/v1/areas", params={"level": "district", "quantity": "pm10"})
    districts = {a["code"]: a for a in r.json()}
    assert len(districts) == 32
    assert districts["WK037508"]["name"] == "Wijk aan Zee" and districts["WK037508"]["kits"] >= 1
    assert districts["WK037508"]["parent_code"] == "GM0375"
    assert api.get("/v1/areas", params={"level": "province"}).status_code == 422
