"""/v1/trend, /v1/compare and /v1/events: on the real 2023 station data with 3.7 years of KNMI 225 wind (the numbers
go in docs/science.md), on a kit with two years of hourly means of known slope under the real 2021–2022 wind, and
the refusals."""

import numpy as np
import pandas as pd
import pytest

from ijlucht import cli
from ijlucht.settings import PROJECT_ROOT
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures)

REFERENCE = PROJECT_ROOT / "data" / "reference"
END_2023 = {"end": "2023-09-01T00:00:00Z"}
YEAR_2023 = {"start": "2023-01-01T00:00:00Z", **END_2023}


@pytest.fixture(scope="module")
def real(imported):  # noqa: F811
    """data/reference, plus KNMI 225 2020–2023 (the long-run wind) and NL49553 Wijk aan Zee 2023."""
    assert cli.main(["import", "knmi", str(REFERENCE / "knmi_2020_2023" / "KNMI_225_2020-2023.csv")]) == 0
    assert cli.main(["import", "luchtmeetnet", str(REFERENCE / "luchtmeetnet_2023" / "NL49553.csv")]) == 0
    return imported


@pytest.fixture(scope="module")
def two_year_kit(real, settings):
    """A kit at Wijk aan Zee (north of the works) with 2021–2022 hourly means: 12 µg/m³, −1.5 µg/m³ a year, a
    season, and +6 µg/m³ in hours downwind of the works falling by 2 µg/m³ a year, under the real KNMI 225 wind."""
    import psycopg

    from ijlucht.kits import NewKit, register_kit
    from ijlucht.science import direction
    from ijlucht.sources import get_emitter

    kit_id = "trend-wijk-01"
    lat, lon = 52.4935, 4.6010
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        register_kit(conn, settings, NewKit(kit_id, "Trend Wijk aan Zee", lat, lon))
        wind = conn.execute(
            "SELECT hour, wind_state, wind_dir, wind_speed::text::float8 FROM weather_hourly WHERE station_id = '225'"
            " AND hour >= '2021-01-01Z' AND hour < '2023-01-01Z' ORDER BY hour"
        ).fetchall()
        hours = pd.DatetimeIndex([w[0] for w in wind]).tz_convert("UTC")
        state = np.array([w[1] for w in wind], dtype=object)
        wdir = np.array([np.nan if w[2] is None else w[2] for w in wind], dtype=float)
        speed = np.array([np.nan if w[3] is None else w[3] for w in wind], dtype=float)
        view = direction.view_of(lat, lon, get_emitter("tata-steel-ijmuiden"))
        downwind = direction.classify_hours(wdir, state, speed, view) == "downwind"
        years = (hours - hours[0]).total_seconds().to_numpy() / (365.25 * 86400)
        rng = np.random.default_rng(11)
        noise = np.convolve(rng.normal(0, 2.0, hours.size + 23), np.ones(24) / np.sqrt(24), "valid")
        season = 3 * np.cos(2 * np.pi * hours.day_of_year.to_numpy() / 365.25)
        values = 12 - 1.5 * years + season + downwind * (6 - 2 * years) + noise
        with conn.cursor().copy(
            "COPY rollup_hourly (bucket, kit_id, quantity, n, n_flagged, mean, min, max, n_clean, clean_mean,"
            " clean_min, clean_max) FROM STDIN"
        ) as copy:
            for t, v in zip(hours, values, strict=True):
                copy.write_row((t.to_pydatetime(), kit_id, "pm25", 60, 0, v, v, v, 60, v, v, v))
    yield kit_id
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM rollup_hourly WHERE kit_id = %s", (kit_id,))


@pytest.mark.parametrize("station", ["NL49570", "NL49553"])
def test_real_station_2023_is_too_short_to_deseasonalise_and_says_so_with_monthly_and_normalised_means(
    api, real, conn, station
):
    r = api.get("/v1/trend", params={"source": f"station:{station}", "normalise": "weather", **YEAR_2023})
    assert r.status_code == 200, r.text
    doc = r.json()
    meta, months = doc["meta"], doc["results"]
    assert meta["deseasonalised"] is False and meta["slope_per_year"] is None
    assert "at least 2 years" in meta["note"] and meta["method"] == "trend-theilsen-mbb-v1"
    assert meta["normalisation"] == "deweather-additive-v1" and meta["unit"] == "µg/m³"
    assert [m["month"][:7] for m in months] == [f"2023-{m:02d}" for m in range(1, 9)]
    stored = conn.execute(
        "SELECT avg(value), count(*) FROM reference_hourly WHERE station_id = %s AND component = 'PM25'"
        " AND hour >= '2023-01-01Z' AND hour < '2023-02-01Z'",
        (station,),
    ).fetchone()
    assert months[0]["mean"] == pytest.approx(stored[0]) and months[0]["hours"] == stored[1]
    assert all(m["normalised"] is not None for m in months)
    # Normalising moves a month by what its wind explains, not by orders of magnitude.
    assert all(abs(m["normalised"] - m["mean"]) < 0.5 * m["mean"] + 2 for m in months)
    assert meta["mean"] > 0 and meta["normalised_mean"] > 0
    assert [i["emitter"] for i in meta["increments"]] == ["tata-steel-ijmuiden"]
    assert meta["increments"][0]["slope_per_year"] is None
    print(
        f"\n{station} 2023 pm25: mean", round(meta["mean"], 2), "normalised", round(meta["normalised_mean"], 2),
        "months", [(m["month"][:7], round(m["mean"], 1), round(m["normalised"], 1)) for m in months],
    )  # fmt: skip


def test_real_wijk_aan_zee_before_after_gives_a_difference_inside_its_interval_and_warns_of_the_season(api, real):
    q = {
        "source": "station:NL49553",
        "before_start": "2023-01-01T00:00:00Z",
        "before_end": "2023-05-01T00:00:00Z",
        "after_start": "2023-05-01T00:00:00Z",
        "after_end": "2023-09-01T00:00:00Z",
    }
    r = api.get("/v1/compare", params=q)
    assert r.status_code == 200, r.text
    meta, (row,) = r.json()["meta"], r.json()["results"]
    assert meta["same_months"] is False and "season" in meta["note"]
    assert row["low"] <= row["difference"] <= row["high"]
    assert row["normalised_low"] <= row["normalised_difference"] <= row["normalised_high"]
    assert row["difference"] == pytest.approx(row["after_mean"] - row["before_mean"])
    assert 110 <= row["before_days"] <= 120 and 110 <= row["after_days"] <= 123  # days with a value
    print("\nNL49553 Jan–Apr vs May–Aug 2023:", {k: round(v, 2) for k, v in row.items() if isinstance(v, float)})


def test_a_kit_with_two_years_recovers_its_slope_and_the_falling_downwind_increment_of_the_works(api, two_year_kit):
    q = {"source": f"kit:{two_year_kit}", "start": "2021-01-01T00:00:00Z", "end": "2023-01-01T00:00:00Z"}
    plain = api.get("/v1/trend", params=q).json()["meta"]
    normal = api.get("/v1/trend", params={**q, "normalise": "weather"}).json()
    meta = normal["meta"]
    assert plain["deseasonalised"] is True and plain["note"] is None and plain["slope_of"] == "deseasonalised"
    assert meta["slope_of"] == "normalised" and len(normal["results"]) == 24
    # background −1.5 a year; the downwind part (6 − 2t, in a share of the hours) falls too: the whole lies below
    assert meta["slope_low"] <= -1.5 - 0.1 and meta["slope_high"] < 0
    (inc,) = meta["increments"]
    assert inc["emitter"] == "tata-steel-ijmuiden" and inc["slope_low"] <= -2.0 <= inc["slope_high"]
    print("\nkit 2021–2022: slope", plain["slope_per_year"], meta["slope_per_year"], "increment", inc)


def test_an_area_answers_from_its_kits_without_emitter_increments(api, two_year_kit):
    q = {"source": "area:GM0375", "start": "2021-01-01T00:00:00Z", "end": "2023-01-01T00:00:00Z"}
    meta = api.get("/v1/trend", params=q).json()["meta"]
    assert meta["hours"] >= 17_000 and meta["increments"] == [] and "area" in meta["increments_note"]


@pytest.mark.parametrize(
    ("path", "query", "status", "says"),
    [
        ("/v1/trend", {"source": "nowhere"}, 422, "is not a place"),
        ("/v1/trend", {"source": "station:NL00001"}, 404, "no reference station"),
        ("/v1/trend", {"source": "kit:no-such-kit"}, 404, "no public kit"),
        ("/v1/trend", {"source": "station:NL49570", "quantity": "t"}, 422, "stations give"),
        ("/v1/trend", {"source": "area:GM9999"}, 422, "is not a place"),
        ("/v1/trend", {"source": "station:NL49570", "start": "2010-01-01T00:00:00Z", **END_2023}, 422, "at most"),
        (
            "/v1/compare",
            {
                "source": "station:NL49570",
                "before_start": "2023-01-01T00:00:00Z",
                "before_end": "2023-03-01T00:00:00Z",
                "after_start": "2023-02-01T00:00:00Z",
                "after_end": "2023-04-01T00:00:00Z",
            },
            422,
            "may not overlap",
        ),
        ("/v1/events", {"from": "2023-13-01"}, 422, "not a date"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(api, real, path, query, status, says):
    r = api.get(path, params=query)
    assert r.status_code == status and says in str(r.json()["detail"])


def test_events_are_dated_with_a_public_source_and_filter_by_date(api):
    all_events = api.get("/v1/events").json()["results"]
    assert len(all_events) >= 8 and all(e["source_url"].startswith("https://") for e in all_events)
    assert [e["date"] for e in all_events] == sorted(e["date"] for e in all_events)
    assert {e["certainty"] for e in all_events} <= {"stated", "reported", "planned"}
    in_2023 = api.get("/v1/events", params={"from": "2023-01-01", "until": "2024-01-01"}).json()["results"]
    assert {e["id"] for e in in_2023} == {"tsn-2023-07-hydrogen-reconsidered", "tsn-2023-11-green-steel-plan"}
