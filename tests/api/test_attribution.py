"""Is it the steelworks? /v1/emitters, /v1/direction, /v1/exposure and /v1/exposure/map and `ijlucht analyse` on the
real 2023 IJmond data (Luchtmeetnet PM2.5 of six stations, KNMI 225 wind; data/reference, imported as the demo does).
"""

import json
from datetime import UTC, datetime, timedelta

import pytest

from ijlucht import cli
from ijlucht.science import direction
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures)

pytestmark = pytest.mark.usefixtures("imported")

Y2023 = {"start": "2023-01-01T00:00:00Z", "end": "2023-09-01T00:00:00Z"}
NEAR = ("NL49551", "NL49553", "NL49572", "NL49573")  # within 2 km of the works' centre


@pytest.fixture(scope="module")
def exposures(imported, api_base_url):  # noqa: F811
    """All-speed exposure rows of every station with a position, from the API (read by several tests)."""
    import httpx

    out = {}
    with httpx.Client(base_url=api_base_url, timeout=60) as client:
        for station in ("NL49551", "NL49553", "NL49570", "NL49572", "NL49573"):
            r = client.get("/v1/exposure", params={"source": f"station:{station}", **Y2023})
            assert r.status_code == 200, r.text
            out[station] = r.json()
    return out


def test_emitters_are_served_with_outline_centre_and_their_source(api):
    r = api.get("/v1/emitters")
    assert r.status_code == 200
    tata = {e["id"]: e for e in r.json()["results"]}["tata-steel-ijmuiden"]
    assert tata["centre"] == {"lat": 52.48, "lon": 4.6}
    assert tata["outline"]["type"] == "Polygon" and len(tata["outline"]["coordinates"][0]) >= 8
    assert "approximate" in tata["source_note"]


def test_stations_next_to_the_works_show_a_positive_increment_whose_interval_excludes_zero(exposures):
    for station in NEAR:
        doc = exposures[station]
        row = doc["results"][0]
        assert row["emitter"] == "tata-steel-ijmuiden" and row["speed_from"] is None
        assert row["increment"] > 0 and row["increment_low"] > 0, (station, row)
        assert row["increment_low"] < row["increment"] < row["increment_high"]
        assert doc["meta"]["method"] == "exposure-v1" and doc["meta"]["interval"]["bootstrap"] == "days"


def test_exposure_reports_hours_per_class_and_per_speed_bin(exposures):
    doc = exposures["NL49553"]
    rows = doc["results"]
    assert [(r["speed_from"], r["speed_to"]) for r in rows] == [
        (None, None), (0.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 10.0), (10.0, None)
    ]  # fmt: skip
    every = rows[0]
    assert sum(r["downwind_hours"] for r in rows[1:]) == every["downwind_hours"]
    # Wijk aan Zee sees the works to the south: south-westerlies, the most common wind, blow its plume there.
    assert every["downwind_hours"] > 1000
    assert doc["meta"]["emitters"][0]["rule"] == "outline"
    assert 180 < doc["meta"]["emitters"][0]["bearing_deg"] < 190


def test_the_interval_is_reproducible(api, exposures):
    again = api.get("/v1/exposure", params={"source": "station:NL49553", **Y2023}).json()
    assert again["results"] == exposures["NL49553"]["results"]


def test_direction_rose_points_at_the_works_for_wijk_aan_zee(api):
    r = api.get("/v1/direction", params={"source": "station:NL49553", "sectors": 12, **Y2023})
    assert r.status_code == 200, r.text
    doc = r.json()
    meta, rows = doc["meta"], doc["results"]
    assert meta["method"] == "direction-v1" and meta["unit"] == "µg/m³" and meta["sector_width_deg"] == 30
    every = [x for x in rows if x["speed_from"] is None]
    assert len(every) == 12 and every[0]["from_deg"] == 345 and every[0]["to_deg"] == 15
    top = max((x for x in every if x["hours"] >= 50), key=lambda x: x["mean"])
    # The highest mean and CPF come from the sector that holds the works (bearing 185°: sector 180° or 210°).
    assert top["centre_deg"] in (180.0, 210.0), top
    # The CPF peaks in a sector inside the works' downwind arc as seen from Wijk aan Zee (about 109°–248°).
    works = meta["emitters"][0]
    assert (
        works["downwind_from_deg"] <= max(every, key=lambda x: x["cpf"] or 0)["centre_deg"] <= works["downwind_to_deg"]
    )
    assert (
        sum(x["hours"] for x in every) + meta["calm"]["hours"] + meta["variable"]["hours"] + meta["missing_wind_hours"]
        == meta["hours"]
    )


def test_regional_background_is_subtracted_hour_by_hour(api):
    plain = api.get("/v1/direction", params={"place": "station:NL49553", **Y2023}).json()
    regional = api.get("/v1/direction", params={"place": "station:NL49553", "background": "regional", **Y2023})
    assert regional.status_code == 200, regional.text
    doc = regional.json()
    assert doc["meta"]["background"] == "regional" and doc["meta"]["hours_without_background"] >= 0
    north = next(x for x in doc["results"] if x["speed_from"] is None and x["centre_deg"] == 0)
    plain_north = next(x for x in plain["results"] if x["speed_from"] is None and x["centre_deg"] == 0)
    # From the sea (north) Wijk aan Zee measures what the region measures: the excess is near zero.
    assert abs(north["mean"]) < 2.0 < plain_north["mean"]


def test_a_station_without_a_position_is_refused_with_the_reason(api):
    r = api.get("/v1/direction", params={"source": "station:NL49557", **Y2023})
    assert r.status_code == 422
    assert "no known position" in r.json()["detail"] and "NL49557" in r.json()["detail"]


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"source": "NL49553"}, 422, "station:"),
        ({"source": "station:NL49553", "place": "station:NL49551"}, 422, "once"),
        ({"source": "station:NL49553", "speed_bins": "4,2"}, 422, "ascending"),
        ({"source": "station:NL40000"}, 404, "no reference station"),
        ({"source": "kit:nobody-here"}, 404, "no public kit"),
        ({"source": "station:NL49553", "weather_station": "999"}, 404, "no weather station"),
        ({"source": "station:NL49553", "emitter": "hoogovens"}, 422, "tata-steel-ijmuiden"),
    ],
)
def test_bad_requests_get_a_readable_reason(api, params, status, words):
    r = api.get("/v1/exposure", params={**Y2023, **params})
    assert r.status_code == status and words in r.json()["detail"], r.text


def test_the_map_layer_lists_every_located_station_and_leaves_out_the_one_without(api, exposures):
    r = api.get("/v1/exposure/map", params=Y2023)
    assert r.status_code == 200, r.text
    doc = r.json()
    rows = {x["place"]: x for x in doc["results"]}
    assert {f"station:{s}" for s in ("NL49551", "NL49553", "NL49570", "NL49572", "NL49573")} <= set(rows)
    assert {"place": "station:NL49557", "reason": pytest.approx(doc["meta"]["left_out"][0]["reason"])} in doc["meta"][
        "left_out"
    ]
    wijk = rows["station:NL49553"]
    api_row = exposures["NL49553"]["results"][0]
    # The same days and the same method: the map's numbers are the exposure endpoint's.
    assert wijk["increment"] == pytest.approx(api_row["increment"], abs=1e-9)
    assert wijk["increment_low"] == pytest.approx(api_row["increment_low"], abs=1e-9)
    assert 0 < wijk["downwind_share"] < 1 and wijk["kind"] == "station"
    again = api.get("/v1/exposure/map", params=Y2023).json()
    assert again["meta"]["days_computed_now"] == 0 and again["results"] == doc["results"]


def test_cli_prints_the_api_answer_as_json(capsys, api):
    rc = cli.main(["analyse", "direction", "--station", "NL49553", "--start", "2023-01-01", "--end", "2023-09-01",
                   "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    from_api = api.get("/v1/direction", params={"source": "station:NL49553", **Y2023}).json()
    assert out["results"] == from_api["results"]
    rc = cli.main(["analyse", "exposure", "--station", "NL49557", "--start", "2023-01-01", "--end", "2023-09-01"])
    assert rc == 2 and "no known position" in capsys.readouterr().err


def test_a_kit_that_moved_is_classed_by_the_position_it_had_in_each_hour(api, conn):
    """A kit north of the works for a month, then south of it; it reads high only when downwind where it stood."""
    conn.execute("DELETE FROM kits WHERE kit_id = 'attrib-mover'")
    t0 = datetime(2023, 3, 1, tzinfo=UTC)
    t1 = t0 + timedelta(days=30)
    conn.execute(
        "INSERT INTO kits (kit_id, name, lat, lon, public_lat, public_lon, indoor, created_at)"
        " VALUES ('attrib-mover', 'mover', 52.51, 4.60, 52.51, 4.60, false, %s)",
        (t0,),
    )
    conn.execute("UPDATE kit_versions SET valid_from = %s WHERE kit_id = 'attrib-mover'", (t0,))
    conn.execute(
        "INSERT INTO kit_versions (kit_id, valid_from, lat, lon, public_lat, public_lon, indoor)"
        " VALUES ('attrib-mover', %s, 52.44, 4.60, 52.44, 4.60, false)",
        (t1,),
    )
    wind = conn.execute(
        "SELECT hour, wind_state, wind_dir FROM weather_hourly WHERE station_id = '225' AND hour >= %s AND hour < %s",
        (t0, t1 + timedelta(days=30)),
    ).fetchall()
    rows = []
    for hour, _state, wd in wind:
        # downwind where it stood: from the south while north of the works, from the north while south of it
        from_works = wd is not None and ((hour < t1 and 150 <= wd <= 210) or (hour >= t1 and (wd >= 330 or wd <= 30)))
        rows.append(
            (hour, "attrib-mover", "pm25", 1, 0, 50.0 if from_works else 10.0, 1, 60, 1, 50.0 if from_works else 10.0)
        )
    with conn.cursor().copy(
        "COPY rollup_hourly (bucket, kit_id, quantity, n, n_flagged, mean, min, max, n_clean, clean_mean) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
    try:
        r = api.get("/v1/exposure", params={"source": "kit:attrib-mover", "background": "none", "start": t0.isoformat(),
                                            "end": (t1 + timedelta(days=30)).isoformat()})  # fmt: skip
        assert r.status_code == 200, r.text
        every = r.json()["results"][0]
        assert every["mean_downwind"] > 45 and every["increment"] > 35
        assert r.json()["meta"]["emitters"][0]["bearing_deg"] == pytest.approx(0, abs=1)  # now south of the works
    finally:
        conn.execute("DELETE FROM rollup_hourly WHERE kit_id = 'attrib-mover'")
        conn.execute("DELETE FROM kits WHERE kit_id = 'attrib-mover'")


def test_above_the_regional_background_every_station_is_highest_with_wind_from_the_works(api, exposures, capsys):
    """The sector with the highest mean excess lies in the works' downwind arc at every station; prints the 2023
    numbers that docs/science.md carries."""
    lines = []
    for station, doc in exposures.items():
        d = api.get("/v1/direction", params={"source": f"station:{station}", **Y2023}).json()
        every = [x for x in d["results"] if x["speed_from"] is None and x["hours"] >= 50]
        top = max(every, key=lambda x: x["mean"])
        dr = api.get("/v1/direction", params={"source": f"station:{station}", "background": "regional", **Y2023})
        excess = max((x for x in dr.json()["results"] if x["speed_from"] is None and x["hours"] >= 50),
                     key=lambda x: x["mean"])  # fmt: skip
        row = doc["results"][0]
        raw = api.get("/v1/exposure", params={"source": f"station:{station}", "background": "none", **Y2023}).json()
        r0 = raw["results"][0]
        works = dr.json()["meta"]["emitters"][0]
        width = (works["downwind_to_deg"] - works["downwind_from_deg"]) % 360
        assert direction.angular_distance_to_arc([excess["centre_deg"]], works["downwind_from_deg"], width)[0] == 0
        lines.append(
            f"{station}: top sector {top['centre_deg']:.0f}° mean {top['mean']:.1f} cpf {top['cpf']:.2f}; above "
            f"regional: top {excess['centre_deg']:.0f}° +{excess['mean']:.1f}; "
            f"downwind {row['downwind_hours']} h; increment {row['increment']:.2f} "
            f"[{row['increment_low']:.2f}, {row['increment_high']:.2f}] (regional); without background "
            f"{r0['increment']:.2f} [{r0['increment_low']:.2f}, {r0['increment_high']:.2f}]"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(lines) == 5
