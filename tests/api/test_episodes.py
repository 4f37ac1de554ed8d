"""GET /v1/episodes on the real 2019-2020 IJmond data (stations, KNMI 225 wind and the New Year kits imported)."""

import pytest

from ijlucht import cli
from ijlucht.settings import PROJECT_ROOT
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures)

NEWYEAR_KITS = PROJECT_ROOT / "data" / "reference" / "newyear" / "hll_sensors_2019-12-29_2020-01-02_cut.csv"


@pytest.fixture(scope="module")
def with_kits(imported):  # noqa: F811
    cli.main(["import", "samenmeten", str(NEWYEAR_KITS)])
    return imported


def get(api, **query) -> dict:
    r = api.get("/v1/episodes", params=query)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_new_year_fireworks_are_one_regional_episode_of_stations_and_kits(api, with_kits):
    body = get(api, quantity="pm25", start="2019-12-29T00:00:00Z", end="2020-01-03T00:00:00Z", kind="regional")
    assert body["meta"]["method"] == "episodes-v1" and body["meta"]["places"] > 100
    (e,) = body["results"]
    assert e["start"] <= "2019-12-31T23:00:00Z" < e["end"]
    assert (e["peak_value"], e["peak_place"]) == (624.1, "station:NL49551")  # labelled 2020-01-01 00:00 in the file
    assert "station:NL49553" in e["places"] and sum(p.startswith("kit:") for p in e["places"]) > 50
    assert e["emitter"] is None and e["unit"] == "µg/m³"


def test_the_wijk_aan_zee_plume_is_a_local_episode_downwind_of_the_works(api, with_kits):
    for quantity, peak in (("SO2", 103.9), ("co", 3376.8)):
        body = get(api, quantity=quantity, start="2019-12-29T12:00:00Z", end="2019-12-30T12:00:00Z")
        (e,) = [e for e in body["results"] if e["peak_value"] == peak]
        assert (e["kind"], e["peak_place"], e["places"]) == ("local", "station:NL49553", ["station:NL49553"])
        assert e["start"] <= "2019-12-29T22:00:00Z" < e["end"]  # the hour the file labels 23:00
        assert e["emitter"] == "tata-steel-ijmuiden"
        assert e["wind"]["state"] == "direction" and 170 <= e["wind"]["dir_deg"] <= 200
    only = get(api, quantity="so2", start="2019-12-29T12:00:00Z", end="2019-12-30T12:00:00Z", place="station:NL49551")
    assert only["results"] == []  # IJmuiden took no part


def test_bad_parameters_are_refused_with_a_reason_and_an_unknown_component_has_no_episodes(api, with_kits):
    for query, words in (
        ({"quantity": "pm 2.5"}, "quantity"),
        ({"place": "NL49553"}, "place"),
        ({"start": "2019-01-01T00:00:00Z", "end": "2019-12-01T00:00:00Z"}, "at most"),
        ({"start": "2019-12-30T00:00:00"}, "time zone"),
    ):
        r = api.get("/v1/episodes", params=query)
        assert r.status_code == 422 and words in r.json()["detail"], (query, r.text)
    assert get(api, quantity="xyz", start="2019-12-29T00:00:00Z", end="2019-12-30T00:00:00Z")["results"] == []
