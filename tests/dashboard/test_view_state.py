"""The view in the URL: what a link sets, what the page writes back, and what a hostile link cannot do."""

import pytest

from dashboard.callbacks.find import area_view, kit_view, search_options
from dashboard.callbacks.map_view import checked_centre, checked_zoom, view_patch
from dashboard.callbacks.share import page_class, slider_position
from dashboard.view_state import ViewState, parse_view, view_search, with_map_view
from tests.dashboard.samples import LATEST


def test_a_link_sets_every_part_of_the_view():
    view = parse_view("?quantity=pm10&scale=lki&window=7d&lang=en&kit=bev-01&lat=52.49&lon=4.65&zoom=13.5&embed=kit")
    assert view == ViewState("pm10", "lki", "7d", "en", "bev-01", 52.49, 4.65, 13.5, "kit")
    assert parse_view("?embed=1").embed == "map" and page_class(parse_view("?embed=1")) == "page embed embed-map"


def test_the_written_url_leaves_out_defaults_and_reads_back_the_same():
    assert view_search(ViewState()) == ""
    view = ViewState("pm10", "who2021", "24h", "en", "seed-beverwijk", 52.4812345, 4.6, 12.0, "map")
    search = view_search(view)
    assert search == (
        "?quantity=pm10&scale=who2021&window=24h&lang=en&kit=seed-beverwijk&lat=52.48123&lon=4.60000&zoom=12.00"
        "&embed=map"
    )
    assert parse_view(search) == ViewState("pm10", "who2021", "24h", "en", "seed-beverwijk", 52.48123, 4.6, 12.0, "map")
    assert view_search(ViewState(language="en"), default_language="en") == ""


@pytest.mark.parametrize(
    "search",
    [
        "?quantity=pm25%26kits%3Dx&scale=../export&window=1y&lang=fr&kit=../export&lat=nan&lon=4.6&zoom=99",
        "?kit=bev-01%0A&lat=1e400&lon=-inf&zoom=-3&embed=<script>",
        "?kit=" + "a" * 5000 + "&lat=52.5",  # lat without lon: no centre
        "garbage&&&==",
    ],
)
def test_a_hostile_link_falls_back_to_the_defaults(search):
    assert parse_view(search) == ViewState()


def test_a_link_sets_the_kit_panel_period_the_hour_slider_and_the_compared_kits():
    search = "?window=7d&hour=100&kit=bev-01&period=1y&compare=hee-01,vel-02"
    view = parse_view(search)
    assert (view.window, view.hour, view.kit, view.period, view.compare) == (
        "7d",
        100,
        "bev-01",
        "1y",
        ("hee-01", "vel-02"),
    )
    assert view_search(view) == "?window=7d&hour=100&kit=bev-01&period=1y&compare=hee-01%2Cvel-02"
    assert parse_view(view_search(view)) == view
    # The defaults stay out of the link: the latest hour, 24 hours, no comparison.
    assert view_search(parse_view("?window=24h&hour=23&kit=bev-01&period=24h")) == "?window=24h&kit=bev-01"


@pytest.mark.parametrize(
    "search",
    [
        "?window=24h&hour=24&kit=bev-01&period=10y",  # past the window's last hour; an unknown period
        "?window=24h&hour=-1",
        "?window=24h&hour=%D9%A3",  # an Arabic-Indic digit
        "?window=7d&hour=99999999999999999999",
        "?hour=3",  # no window with a slider: no hour
        "?period=1y&compare=hee-01",  # without a selected kit
        "?kit=bev-01&compare=hee-01,../export",
        "?kit=bev-01&compare=hee-01,hee-01",
        "?kit=bev-01&compare=bev-01",
        "?kit=bev-01&compare=" + ",".join(f"k-{i}" for i in range(7)),  # more than can be compared
    ],
)
def test_a_hostile_period_hour_or_comparison_falls_back_to_the_defaults(search):
    view = parse_view(search)
    assert (view.hour, view.period, view.compare) == (None, "24h", ())


def test_the_slider_position_goes_into_the_view_only_within_its_window():
    assert slider_position(5, "24h") == 5 and slider_position(166, "7d") == 166
    assert slider_position(23, "24h") is None  # the latest hour: the default
    assert slider_position(5, "live") is None and slider_position(True, "24h") is None
    assert slider_position("5", "24h") is None and slider_position(-1, "24h") is None


def test_panning_and_zooming_goes_into_the_view_only_within_bounds():
    moved = with_map_view(ViewState(), {"map.center": {"lat": 52.5, "lon": 4.7}, "map.zoom": 14})
    assert (moved.lat, moved.lon, moved.zoom) == (52.5, 4.7, 14.0)
    assert with_map_view(ViewState(), {"map.center": {"lat": 10, "lon": 4.7}, "map.zoom": "x"}) == ViewState()
    assert with_map_view(ViewState(), None) == ViewState()


def test_the_map_moves_only_to_a_checked_centre_and_zoom():
    ops = view_patch({"centre": {"lat": 52.5, "lon": 4.6}, "zoom": 13}).to_plotly_json()["operations"]
    assert {tuple(op["location"]): op["params"]["value"] for op in ops} == {
        ("layout", "map", "center"): {"lat": 52.5, "lon": 4.6},
        ("layout", "map", "zoom"): 13.0,
    }
    assert checked_centre({"lat": True, "lon": 4.6}) is None and checked_centre("52,4") is None
    assert checked_zoom(99) is None and checked_zoom(12) == 12.0


def test_search_finds_kits_municipalities_and_districts_and_moves_the_map_there():
    options = search_options({"bev-01": "Beverwijk Centrum"}, "nl")
    labels = [o["label"] for o in options]
    assert labels[0] == "kit: Beverwijk Centrum (bev-01)" and options[0]["value"] == "kit:bev-01"
    assert "gemeente: Velsen" in labels and any(label.startswith("wijk: ") and "(Velsen)" in label for label in labels)
    velsen = area_view("GM0453")
    assert 52.4 < velsen["centre"]["lat"] < 52.5 and 10 < velsen["zoom"] < 14
    assert area_view("../export") is None
    selected, view = kit_view(LATEST, "bev-01")
    assert selected == {"kit_id": "bev-01", "name": "Beverwijk Centrum"}
    assert view == {"centre": {"lat": 52.487, "lon": 4.657}, "zoom": 15.0}


def test_search_finds_places_below_district_level_and_reference_stations_when_given():
    from dashboard.callbacks.find import point_view
    from dashboard.places import REFERENCE_STATIONS, load_places, load_stations

    stations = load_stations()  # the Luchtmeetnet stations of data/geo with a position
    assert {s.code for s in stations} == {"NL49551", "NL49553", "NL49570", "NL49572", "NL49573"}
    labels = [o["label"] for o in search_options({}, "en", stations)]
    assert "place: IJmuiden (Velsen)" in labels and "place: Velsen-Zuid en Driehuis (Velsen)" in labels
    assert "reference station: IJmuiden-Kanaalstraat (NL49551)" in labels
    assert not any(label.startswith("meetstation") for label in (o["label"] for o in search_options({}, "nl")))
    assert stations == REFERENCE_STATIONS  # on the map now (issue 15): the page's search lists them
    assert len(load_places()) == 9
    assert point_view("place:IJmuiden", ()) == {"centre": {"lat": 52.458, "lon": 4.619}, "zoom": 14.0}
    assert point_view("station:NL49553", stations) == {"centre": {"lat": 52.494, "lon": 4.60199}, "zoom": 15.0}
    # Only names and codes from the page's own lists count; a station the page does not list is not found.
    for unknown in ("place:Atlantis", "place:", "kit:bev-01", "station:../x", "station:NL49553"):
        assert point_view(unknown, ()) is None


def test_a_link_sets_raw_or_corrected_values_and_a_hostile_one_falls_back_to_raw():
    assert parse_view("?correction=calibrated").correction == "calibrated"
    assert view_search(ViewState(correction="humidity")) == "?correction=humidity"
    assert parse_view(view_search(ViewState(correction="humidity"))) == ViewState(correction="humidity")
    assert view_search(ViewState(correction="raw")) == ""  # the default is left out
    for bad in ("?correction=RAW", "?correction=kohler-v1", "?correction=calibrated%00", "?correction="):
        assert parse_view(bad).correction == "raw"
