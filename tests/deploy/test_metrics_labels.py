"""Request metrics label by route template and request kind, never by raw path (ids would explode the series)."""

from types import SimpleNamespace

from api.metrics import route_of
from dashboard.metrics import kind_of


def test_api_requests_are_labelled_by_their_route_template():
    assert route_of({"route": SimpleNamespace(path="/v1/kits/{kit_id}")}) == "/v1/kits/{kit_id}"
    assert route_of({}) == "unmatched"  # a 404 matched no route: one series for all of them


def test_dashboard_requests_fall_into_a_few_kinds():
    assert kind_of("/_dash-update-component") == "callback"
    assert kind_of("/_dash-layout") == "layout"
    assert kind_of("/_dash-component-suites/plotly/package_data/plotly.min.js") == "asset"
    assert kind_of("/") == kind_of("/anything/else?kit=x") == "page"
