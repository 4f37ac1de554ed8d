"""/v1/stats (per kit, per area, by hour of day) and /v1/areas (mean latest value per municipality/district), both
over clean values only (docs/quality.md)."""

from datetime import UTC, datetime, timedelta

import pytest

from ijlucht import bands, quality


def _range():
    end = datetime.now(UTC) + timedelta(hours=1)
    return {"start": (end - timedelta(days=2)).isoformat(), "end": end.isoformat()}


def test_stats_per_kit_with_percentiles_and_who_hours(api, rolled_up):
    r = api.get("/v1/stats", params={"kits": "seed-heemskerk,seed-velsen-zuid", "quantity": "pm25", **_range()})
    assert r.status_code == 200, r.text
    body = r.json()
    meta = body["meta"]
    assert meta["group"] == "kit" and meta["guideline"]["value"] == bands.WHO_2021_24H_AQG["pm25"]
    assert (meta["unit"], meta["ucum"]) == ("µg/m³", "ug/m3")
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
    # An empty `kits=` beside an area is a question with two answers, not an area question (found by the fuzz test).
    assert "exactly one" in api.get("/v1/stats", params={"kits": "", "district": "WK037500"}).json()["detail"]
    assert "kits is required" in api.get("/v1/stats", params={"kits": ""}).json()["detail"]
    r = api.get("/v1/stats", params={"municipality": "GM9999"})
    assert r.status_code == 422 and "GM9999" in r.json()["detail"]
    many = ",".join(f"kit-{i:03d}" for i in range(100))
    r = api.get("/v1/stats", params={"kits": many, "start": "2001-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"})
    assert r.status_code == 422 and "kit-hours" in r.json()["detail"]


def test_areas_give_every_municipality_and_the_mean_of_fresh_kits(api, rolled_up, conn):
    r = api.get("/v1/areas", params={"level": "municipality", "quantity": "pm25", "scale": "who2021"})
    assert r.status_code == 200
    assert r.json()["meta"]["ucum"] == "ug/m3"
    areas = {a["code"]: a for a in r.json()["results"]}
    assert {"GM0375", "GM0396", "GM0453"} <= set(areas)
    velsen = areas["GM0453"]
    latest = dict(
        conn.execute(
            "SELECT kit_id, pm25 FROM latest_readings WHERE kit_id IN ('seed-ijmuiden', 'seed-velsen-zuid')"
        ).fetchall()
    )
    assert velsen["name"] == "Velsen" and velsen["kits"] >= 2
    if velsen["kits"] == 2:
        assert abs(velsen["mean"] - sum(latest.values()) / 2) < 1e-4
    assert velsen["band"]["index"] == bands.band_for("pm25", velsen["mean"], "who2021").index


def test_areas_per_district(api, rolled_up):
    r = api.get("/v1/areas", params={"level": "district", "quantity": "pm10"})
    districts = {a["code"]: a for a in r.json()["results"]}
    assert len(districts) == 32
    assert districts["WK037508"]["name"] == "Wijk aan Zee" and districts["WK037508"]["kits"] >= 1
    assert districts["WK037508"]["parent_code"] == "GM0375"
    assert api.get("/v1/areas", params={"level": "province"}).status_code == 422


def _store_latest(conn, kit, values, flags):
    from ingest.store import Batch, store_batch
    from ingest.validate import Row

    now = datetime.now(UTC).timestamp()
    row = Row(now, kit, {**dict.fromkeys(("pm1", "pm25", "pm10", "t", "rh", "p")), **values}, flags, None)
    batch = Batch(rows=[(row, now)])
    batch.status[kit] = (True, now)
    store_batch(conn, batch)


@pytest.fixture
def online_kit(make_kit, conn):
    """A kit made by make_kit that goes offline after the test, so later tests do not count its fresh value."""
    from ingest.store import Batch, store_batch

    made = []

    def make(prefix, **kw):
        made.append(make_kit(prefix, **kw)[0])
        return made[-1]

    yield make
    batch = Batch()
    for kit in made:
        batch.status[kit] = (False, datetime.now(UTC).timestamp())
    store_batch(conn, batch)


def _heemskerk(api):
    r = api.get("/v1/areas", params={"level": "municipality", "quantity": "pm25"})
    return next(a for a in r.json()["results"] if a["code"] == "GM0396")


def test_areas_leave_out_kits_whose_latest_reading_has_a_flag_of_the_one_unclean_definition(
    api, rolled_up, online_kit, conn, monkeypatch
):
    calm, kit = online_kit("calm", lat=52.511, lon=4.673), online_kit("humid", lat=52.511, lon=4.673)  # Heemskerk
    _store_latest(conn, calm, {"pm25": 5.0}, 0)  # a fresh value in the mean, however long the session runs
    before = _heemskerk(api)
    _store_latest(conn, kit, {"pm25": 40.0, "rh": 92.0}, quality.HIGH_HUMIDITY)
    counted = _heemskerk(api)  # high humidity is flagged but not unclean: the value counts
    assert (counted["kits"], counted["n_excluded"]) == (before["kits"] + 1, before["n_excluded"])
    assert counted["mean"] > before["mean"]
    monkeypatch.setattr(quality, "UNCLEAN", quality.UNCLEAN | quality.HIGH_HUMIDITY)
    left_out = _heemskerk(api)
    assert (left_out["kits"], left_out["n_excluded"], left_out["mean"]) == (
        before["kits"],
        before["n_excluded"] + 1,
        before["mean"],
    )


def test_stats_of_a_kit_whose_every_value_was_left_out_say_so_without_a_mean(api, rolled_up, online_kit, conn):
    from ingest.rollups import refresh_rollups

    kit = online_kit("broken")
    _store_latest(conn, kit, {"pm25": 2000.0}, quality.OUT_OF_RANGE)
    while refresh_rollups(conn):
        pass
    r = api.get("/v1/stats", params={"kits": f"{kit},seed-heemskerk", **_range()})
    by_kit = {x["kit_id"]: x for x in r.json()["results"]}
    assert by_kit[kit] == {
        "kit_id": kit,
        "slot": None,
        "n_hours": 0,
        "mean": None,
        "min": None,
        "max": None,
        "percentiles": None,
        "hours_above_who": 0,
        "n_excluded": 1,
    }
    assert by_kit["seed-heemskerk"]["n_excluded"] == 0 and by_kit["seed-heemskerk"]["n_hours"] >= 24
