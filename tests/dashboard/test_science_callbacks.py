"""The science views' callbacks run as a browser runs them (POST /_dash-update-component) against the real API:
nothing is asked before a view is chosen, and places, emitters and forms from the browser are checked first."""

import pytest

from dashboard.api_client import ApiClient
from tests.dashboard.recording import HOSTILE_KIT_IDS, RecordingTransport, dash_callback


@pytest.fixture(scope="module")
def recorded(api_base_url, rolled_up):
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings

    transport = RecordingTransport()
    app = create_app(DashboardSettings(language="en", tile_url=""), client=ApiClient(api_base_url, transport=transport))
    return app.server, transport, app


def direction(server, view, place, period="1y"):
    return dash_callback(
        server,
        ["direction-body.children"],
        {"analysis-view.value": view, "analysis-place.value": place, "analysis-period.value": period,
         "quantity.value": "pm25", "language.value": "en"},
    )["direction-body"]["children"]  # fmt: skip


def trend(server, view, place):
    return dash_callback(
        server,
        ["trend-body.children"],
        {"analysis-view.value": view, "analysis-place.value": place, "quantity.value": "pm25", "language.value": "en"},
        {"kit-names.data": {}},
    )["trend-body"]["children"]


def words(children) -> str:
    return " ".join(str(c.get("props", {}).get("children")) for c in children or [])


def test_a_view_asks_the_api_nothing_until_it_is_chosen(recorded):
    server, transport, _ = recorded
    transport.paths.clear()
    assert direction(server, None, "station:NL49570") == []
    assert trend(server, "direction", "station:NL49570") == []  # another view is open
    assert transport.paths == []


@pytest.mark.parametrize("bad", [*HOSTILE_KIT_IDS[:13], "kit:../export", "station:NL4957", "area:../x", "kit:"])
def test_places_that_are_not_places_are_refused_and_nothing_is_asked(recorded, bad):
    server, transport, _ = recorded
    transport.paths.clear()
    assert "Refused: that is not a kit, station or area" in words(direction(server, "direction", bad))
    assert "Refused" in words(trend(server, "trend", bad))
    assert transport.paths == []


def test_an_area_has_a_trend_but_no_rose(recorded):
    server, transport, _ = recorded
    transport.paths.clear()
    assert "An area has a trend only" in words(direction(server, "direction", "area:GM0375"))
    assert transport.paths == []
    trend(server, "trend", "area:GM0375")
    assert transport.paths[0].startswith("/v1/trend?source=area%3AGM0375&quantity=pm25")


def test_the_map_layer_off_or_with_an_unknown_source_hides_trace_2_and_asks_nothing(recorded):
    server, transport, app = recorded
    transport.paths.clear()
    # the map figure is a duplicate output (the map callback writes it too): Dash names it with a hash
    outputs = next(k for k in app.callback_map if "layer-note.hidden" in k).strip(".").split("...")
    for emitter in ("none", "../export", ["tata-steel-ijmuiden"], "tata-steel-ijmuiden"):  # the last: not offered
        answer = dash_callback(
            server,
            outputs,
            {"map-layer.value": emitter, "analysis-period.value": "2023", "quantity.value": "pm25",
             "language.value": "en"},
            {"map-layer.options": [{"label": "none", "value": "none"}], "kit-names.data": {}},
        )  # fmt: skip
        operations = answer["kit-map"]["figure"]["operations"]
        assert {tuple(op["location"][:2]) for op in operations} == {("data", 2)}  # only the layer trace
        assert any(op["location"][-1] == "visible" and op["params"]["value"] is False for op in operations)
        assert answer["layer-note"]["hidden"] is True
    assert transport.paths == []


def test_a_subscription_with_a_bad_address_or_target_is_refused_in_the_page(recorded):
    server, transport, _ = recorded
    transport.paths.clear()
    for email, target, expected in (("nope", "area:GM0375", "Enter a valid e-mail address."),
                                    ("a@example.org", "station:NL49570", "Choose an area or a kit."),
                                    ("a@example.org", "area:../../x", "Choose an area or a kit.")):  # fmt: skip
        answer = dash_callback(
            server,
            ["alerts-answer.children"],
            {"alerts-submit.n_clicks": 1},
            {"alerts-email.value": email, "alerts-target.value": target, "alerts-trigger.value": "episode",
             "alerts-band.value": None, "alerts-hours.value": 3, "language.value": "en", "quantity.value": "pm25"},
        )  # fmt: skip
        assert answer["alerts-answer"]["children"]["props"]["children"] == expected
    assert transport.paths == []
