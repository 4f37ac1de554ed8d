import copy
import json

import pytest
from dash import html

from api.models import band_json
from dashboard.api_client import ApiClient
from dashboard.callbacks.map_view import changed_markers_patch, kits_fingerprint, map_view, marker_patch
from dashboard.callbacks.timeline import slider_marks
from dashboard.legend import area_table, legend
from dashboard.map_figure import KIT_TRACE
from dashboard.markers import latest_markers
from tests.dashboard.recording import (
    HOSTILE_KIT_IDS,
    RecordingTransport,
    dash_callback,
    kit_panel_callback,
    panel_message,
)
from tests.dashboard.samples import LATEST


class FakeSource:
    def map_latest(self, quantity, scale, correction="raw"):
        return LATEST

    def hourly_window(self, quantity, hours, correction="raw"):
        hours_list = [f"2026-11-28T{h:02d}:00:00+00:00" for h in range(24)]
        return {"quantity": quantity, "hours": hours_list, "kits": {"bev-01": [50.0] * len(hours_list)}}


def flatten(component) -> str:
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " ".join(flatten(c) for c in component)
    children = getattr(component, "children", None)
    return flatten(children) if children is not None else ""


def test_refresh_patch_sends_only_marker_arrays_not_the_outlines():
    markers = latest_markers(LATEST, "eaqi-2024")
    ops = marker_patch(markers, "en", "pm25").to_plotly_json()["operations"]
    paths = {tuple(op["location"]) for op in ops}
    assert ("data", KIT_TRACE, "marker", "color") in paths and ("data", KIT_TRACE, "hovertext") in paths
    assert not any("layout" in p for p in paths)
    colour = next(op for op in ops if tuple(op["location"]) == ("data", KIT_TRACE, "marker", "color"))
    assert colour["params"]["value"] == [m.colour for m in markers]
    same_kits = marker_patch(markers, "en", "pm25", positions=False).to_plotly_json()["operations"]
    assert {tuple(op["location"])[-1] for op in same_kits} == {"color", "hovertext"}


def test_kits_fingerprint_changes_only_when_kits_appear_or_move():
    markers = latest_markers(LATEST, "eaqi-2024")
    assert kits_fingerprint(markers) == kits_fingerprint(latest_markers(LATEST, "lki"))  # colours differ, kits same
    assert kits_fingerprint(markers) != kits_fingerprint(markers[1:])


def test_legend_states_quantity_unit_window_time_scale_and_grey():
    nl = flatten(legend(latest_markers(LATEST, "eaqi-2024"), "nl", "pm25", "eaqi-2024"))
    assert "PM2,5 in µg/m³" in nl
    assert "Laatste meting per kit, niet gemiddeld (nieuwste: 29-11-2026 00:59)" in nl
    assert "5 kits op de kaart, 3 grijs" in nl
    assert "Europese luchtkwaliteitsindex (EEA, 2024)" in nl and "uurgemiddelden" in nl
    assert "goed" in nl and "0–5 µg/m³" in nl and "offline" in nl
    en = flatten(legend([], "en", "pm25", "who2021", hour=("2026-11-28T10:00:00+00:00", "2026-11-28T11:00:00+00:00")))
    assert "Hourly mean per kit, Sat 28 Nov 11:00 to Sat 28 Nov 12:00" in en
    assert "24-hour means, so a single reading is an indication" in en and "within WHO guideline" in en
    hourly_on_hourly = flatten(
        legend([], "en", "pm25", "eaqi-2024", hour=("2026-11-28T10:00:00+00:00", "2026-11-28T11:00:00+00:00"))
    )
    assert "meant for hourly means." in hourly_on_hourly and "indication" not in hourly_on_hourly
    assert "level" not in flatten(legend([], "en", "pm25", "lki")) and "moderate (4)" in flatten(
        legend([], "en", "pm25", "lki")
    )


def test_legend_for_temperature_says_there_are_no_health_bands():
    assert "No health bands for temperature" in flatten(legend([], "en", "t", "eaqi-2024"))


def test_map_view_live_and_per_hour():
    live = map_view(FakeSource(), "pm25", "eaqi-2024", "live", None)
    assert live.hour is None and len(live.markers) == 5
    past = map_view(FakeSource(), "pm25", "eaqi-2024", "24h", 3)
    assert past.hour == ("2026-11-28T03:00:00+00:00", "2026-11-28T04:00:00+00:00")
    assert past.markers[0].value == 50.0 and past.markers[1].value is None
    assert map_view(FakeSource(), "pm25", "eaqi-2024", "24h", 999).hour[0] == "2026-11-28T23:00:00+00:00"


def test_area_table_rows_have_name_kit_count_mean_and_band_words():
    rows = [
        {"code": "GM0375", "name": "Beverwijk", "kits": 2, "mean": 51.06, "band": band_json("pm25", 51.06, "eaqi-2024")}
    ]
    table = area_table(rows, "nl", "pm25", "eaqi-2024", "municipality")
    text = flatten(table)
    assert "Beverwijk" in text and "2" in text and "51,1" in text and "slecht" in text and "gemeente" in text
    assert isinstance(table[0], html.Table)
    assert "No kits" in flatten(area_table([], "en", "pm25", "eaqi-2024", "district"))
    empty_area = {"code": "GM0362", "name": "Amstelveen", "kits": 0, "mean": None, "band": None}
    with_empty = flatten(area_table([*rows, empty_area], "en", "pm25", "eaqi-2024", "municipality"))
    assert "Amstelveen" not in with_empty and "1 areas without such a kit are left out" in with_empty


def test_districts_are_named_with_their_municipality_and_areas_with_kits_come_first():
    from dashboard.callbacks.areas import named_areas

    rows = [
        {"code": "WK045300", "name": "Centrum", "parent_code": "GM0453", "kits": 0, "mean": None, "band": None},
        {"code": "WK037500", "name": "Centrum", "parent_code": "GM0375", "kits": 3, "mean": 9.0, "band": None},
    ]
    named = named_areas(rows, "district")
    assert [r["name"] for r in named] == ["Centrum (Beverwijk)", "Centrum (Velsen)"]
    assert named_areas(rows[:1], "municipality")[0]["name"] == "Centrum"


def test_slider_marks_label_hours_in_local_time():
    from datetime import UTC, datetime

    marks = slider_marks(24, "nl", now=datetime(2026, 11, 28, 23, 30, tzinfo=UTC))
    assert marks[23] == "zo 29-11 00:00"  # the hour 23:00–24:00 UTC starts at 00:00 in Amsterdam
    assert len(slider_marks(168, "en")) == 7


def locations(patch) -> list[tuple]:
    return [tuple(op["location"]) for op in patch.to_plotly_json()["operations"]]


def test_refresh_sends_nothing_when_nothing_changed_and_only_the_changed_kit_otherwise():
    markers = latest_markers(LATEST, "eaqi-2024")
    first, state = changed_markers_patch(markers, "nl", "pm25", {})
    assert ("data", 0, "lat") in locations(first)  # nothing drawn yet: positions too
    nothing, same = changed_markers_patch(markers, "nl", "pm25", state)
    assert nothing is None and same == state

    changed = copy.deepcopy(LATEST)
    changed["features"][0]["properties"]["value"] = 60.0  # one kit of five: redelijk → slecht
    one, new_state = changed_markers_patch(latest_markers(changed, "eaqi-2024"), "nl", "pm25", state)
    assert locations(one) == [("data", KIT_TRACE, "marker", "color", 0), ("data", KIT_TRACE, "hovertext", 0)]
    assert new_state["marks"][1:] == state["marks"][1:] and new_state["marks"][0] != state["marks"][0]

    english, _ = changed_markers_patch(markers, "en", "pm25", state)  # every hover text changes: whole arrays
    assert set(locations(english)) == {("data", KIT_TRACE, "marker", "color"), ("data", KIT_TRACE, "hovertext")}

    moved = copy.deepcopy(LATEST)
    moved["features"][4]["geometry"]["coordinates"] = [4.70, 52.52]
    assert ("data", KIT_TRACE, "lon") in locations(
        changed_markers_patch(latest_markers(moved, "eaqi-2024"), "nl", "pm25", state)[0]
    )


@pytest.fixture(scope="module")
def recorded_dashboard(api_base_url, rolled_up):
    """The dashboard's Flask server reading the real API through a transport that records every request."""
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings

    transport = RecordingTransport()
    app = create_app(DashboardSettings(language="en"), client=ApiClient(api_base_url, transport=transport))
    return app.server, transport


def test_the_page_and_its_layout_come_with_the_map_drawn_from_one_api_answer(api_base_url, rolled_up):
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings

    transport = RecordingTransport()
    client = create_app(
        DashboardSettings(language="en", tile_url=""), client=ApiClient(api_base_url, transport=transport)
    ).server.test_client()
    client.get("/?quantity=pm10")  # another quantity: no first view, and Dash's first layout check needs no data
    assert transport.paths == []
    page = client.get("/?lang=nl&zoom=13").get_data(as_text=True)  # the first view, in the link's language
    assert transport.paths[:2] == ["/v1/map/latest?quantity=pm25&scale=eaqi-2024", "/v1/stations"]
    assert [p.split("&")[0] for p in transport.paths[2:]] == ["/v1/weather?stations=225%2C240"]  # the wind
    figure = json.loads(page.split('<script id="first-map-figure" type="application/json">')[1].split("</script>")[0])
    assert figure["data"][1]["type"] == "scattermap" and figure["layout"]["map"]["zoom"] == 13
    assert ["seed-beverwijk", "Beverwijk"] in figure["data"][1]["customdata"] and "<h1>IJlucht — lucht" in page
    layout = client.get("/_dash-layout", headers={"Referer": "http://x/?lang=nl&zoom=13"}).get_data(as_text=True)
    assert len(transport.paths) == 3  # the layout, a moment later, draws the same answer
    assert '"type":"scattermap"' in layout.replace(" ", "") and "seed-beverwijk" in layout
    assert "IJlucht — luchtkwaliteit" in layout  # its texts in the link's language from the start


@pytest.mark.parametrize("bad", HOSTILE_KIT_IDS, ids=lambda v: repr(v)[:30])
def test_kit_panel_refuses_an_id_that_is_not_a_kit_id_and_asks_the_api_nothing(recorded_dashboard, bad):
    server, transport = recorded_dashboard
    transport.paths.clear()
    for selected, compare in (({"kit_id": bad, "name": "x"}, []), ({"kit_id": "seed-beverwijk", "name": "B"}, [bad])):
        response = kit_panel_callback(server, selected, compare)
        assert panel_message(response) == (
            "Refused: that is not a kit id (kit ids are lowercase letters, digits and hyphens). Nothing was requested."
        )
        assert response["kit-status"]["children"] is None
    assert transport.paths == []


def test_kit_panel_refuses_stores_of_the_wrong_shape(recorded_dashboard):
    server, transport = recorded_dashboard
    transport.paths.clear()
    for selected, compare in (("seed-beverwijk", None), ([1, 2], None), ({"kit_id": "seed-beverwijk"}, "seed-x")):
        assert panel_message(kit_panel_callback(server, selected, compare)).startswith("Refused: that is not a kit id")
    assert transport.paths == []


def test_kit_panel_shows_a_valid_kit_with_its_comparison(recorded_dashboard):
    server, transport = recorded_dashboard
    transport.paths.clear()
    response = kit_panel_callback(server, {"kit_id": "seed-beverwijk", "name": "Beverwijk"}, ["seed-heemskerk"], "nl")
    assert "Geweigerd" not in panel_message(response)
    names = {trace.get("name") for trace in response["kit-chart"]["figure"]["data"]}
    assert any("seed-heemskerk" in str(n) for n in names) and len(names) >= 3  # raw, hourly, the compared kit
    assert "Beverwijk" in str(response["kit-status"]["children"])
    assert transport.paths[0] == "/v1/kits/seed-beverwijk"
    assert any(p.startswith("/v1/series?kits=seed-beverwijk%2Cseed-heemskerk") for p in transport.paths)
    assert not any(p.startswith("/v1/export") for p in transport.paths)
    # the nearest official station is named (tests/api/test_reference.py: NL49570 once the stations are imported)
    assert "meetstation" in str(response["kit-status"]["children"]).lower()


HOSTILE_CHOICES = ["pm25&kits=seed-beverwijk", "../export", ["pm25"], {"x": 1}, 7, None]


@pytest.mark.parametrize("bad", HOSTILE_CHOICES, ids=lambda v: repr(v)[:20])
def test_map_and_area_callbacks_ask_the_api_only_with_the_controls_own_choices(recorded_dashboard, bad):
    server, transport = recorded_dashboard
    transport.paths.clear()
    answer = dash_callback(
        server,
        ["kit-map.figure", "map-legend.children", "api-status.children", "map-state.data", "kit-names.data"],
        {"refresh.n_intervals": 1, "quantity.value": bad, "scale.value": bad, "correction.value": bad,
         "language.value": bad, "window.value": bad, "hour-slider.value": bad, "map-view.data": bad},
        {"map-state.data": bad, "kit-names.data": bad},
    )  # fmt: skip
    assert answer["api-status"]["children"] is None  # no error: the map was drawn with the defaults
    assert "seed-beverwijk" in answer["kit-names"]["data"]
    areas = dash_callback(
        server,
        ["area-table.children"],
        {"refresh.n_intervals": 1, "area-level.value": bad, "quantity.value": bad, "scale.value": bad,
         "language.value": bad},
    )  # fmt: skip
    assert "Beverwijk" in str(areas["area-table"]["children"])
    assert not any("correction" in p for p in transport.paths)  # a hostile choice is raw, the default
    assert transport.paths and all(
        p.startswith(("/v1/map/latest?quantity=pm25&scale=eaqi-2024", "/v1/areas?level=municipality&quantity=pm25&"))
        or p == "/v1/stations"  # fixed: no control reaches them
        or p.startswith("/v1/weather?stations=225%2C240&start=")
        for p in transport.paths
    ), transport.paths


@pytest.mark.parametrize("correction", ["humidity", "calibrated"])
def test_the_switch_asks_the_api_for_corrected_values_and_the_hover_names_the_method_or_reason(
    recorded_dashboard, correction
):
    server, transport = recorded_dashboard
    transport.paths.clear()
    answer = dash_callback(
        server,
        ["kit-map.figure", "map-legend.children", "api-status.children", "map-state.data", "kit-names.data"],
        {"refresh.n_intervals": 1, "quantity.value": "pm25", "scale.value": "eaqi-2024",
         "correction.value": correction, "language.value": "en", "window.value": "live", "hour-slider.value": None,
         "map-view.data": None},
        {"map-state.data": None, "kit-names.data": None},
    )  # fmt: skip
    assert answer["api-status"]["children"] is None
    assert any(p.startswith("/v1/map/latest?") and f"correction={correction}" in p for p in transport.paths)
    hovers = [h for trace in answer["kit-map"]["figure"]["data"] for h in trace.get("hovertext") or []]
    kit_hovers = [h for h in hovers if "PM2.5" in h and "Station" not in h]
    assert kit_hovers and all("corrected with " in h or "no corrected value (" in h for h in kit_hovers), kit_hovers


@pytest.mark.parametrize("correction", ["humidity", "calibrated", "../export"])
def test_the_kit_chart_asks_for_corrected_means_and_shows_them_with_their_method_or_the_reason(
    recorded_dashboard, correction
):
    server, transport = recorded_dashboard
    transport.paths.clear()
    response = kit_panel_callback(server, {"kit_id": "seed-beverwijk", "name": "B"}, None, "en", "7d", correction)
    series_paths = [p for p in transport.paths if p.startswith("/v1/series?")]
    names = [str(t.get("name")) for t in response["kit-chart"]["figure"]["data"]]
    status = str(response["kit-status"]["children"])
    if correction == "../export":  # a hostile choice: raw, asked without a correction
        assert series_paths and not any("correction" in p for p in series_paths)
        assert not any("corrected" in n for n in names) and "No corrected values" not in status
        return
    assert series_paths and all(f"correction={correction}" in p for p in series_paths)
    assert any(n.startswith("PM2.5 corrected (kohler-") for n in names) or "No corrected values" in status


def sync_callback(app, inputs: dict, trigger: str) -> dict:
    """The share callback (URL ⇄ controls) as the browser calls it, `trigger` first in its changed props."""
    (key,) = [k for k in app.callback_map if "url.search" in k]
    outputs = key.strip(".").split("...")
    body = {
        "output": key,
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
        "inputs": [{"id": k.split(".")[0], "property": k.split(".")[1], "value": v} for k, v in inputs.items()],
        "state": [{"id": "drawn-link", "property": "data", "value": None}],
        "changedPropIds": [trigger],
    }
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return {k.split("@")[0]: v for k, v in response.get_json()["response"].items()}


SYNC_INPUTS = {"url.search": "", "quantity.value": "pm25", "scale.value": "eaqi-2024", "correction.value": "raw",
               "window.value": "live", "language.value": "en", "selected-kit.data": None, "kit-range.value": "24h",
               "hour-slider.value": None, "compare.value": [], "kit-map.relayoutData": None}  # fmt: skip


def test_a_link_sets_the_correction_switch_and_choosing_one_rewrites_the_link(api_base_url):
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings

    server = create_app(DashboardSettings(language="en"), client=ApiClient(api_base_url))
    opened = sync_callback(server, {**SYNC_INPUTS, "url.search": "?correction=calibrated&lang=en"}, "url.search")
    assert opened["correction"]["value"] == "calibrated"
    hostile = sync_callback(server, {**SYNC_INPUTS, "url.search": "?correction=<b>&lang=en",
                                     "correction.value": "humidity"}, "url.search")  # fmt: skip
    assert hostile["correction"]["value"] == "raw"  # a bad value in a link: the default
    chosen = sync_callback(server, {**SYNC_INPUTS, "correction.value": "humidity"}, "correction.value")
    assert chosen["url"]["search"] == "?correction=humidity"
