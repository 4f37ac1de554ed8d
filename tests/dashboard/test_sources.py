"""DataSource: the API's endpoints when it has them, derived answers when it does not, an hourly cache."""

import httpx

from dashboard.api_client import ApiClient
from dashboard.geo import load_outlines
from dashboard.sources import DataSource
from tests.dashboard.samples import KITS, LATEST, readings


def fake_api(routes: dict[str, object], calls: list[str]) -> ApiClient:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        for path, body in routes.items():
            if request.url.path == path:
                if path == "/v1/map/latest" and request.headers.get("If-None-Match") == '"v1"':
                    return httpx.Response(304)
                return httpx.Response(200, json=body, headers={"ETag": '"v1"'})
        return httpx.Response(404, json={"detail": "Not Found"})

    return ApiClient("http://api.test", transport=httpx.MockTransport(handle))


def test_new_endpoints_are_used_when_the_api_has_them_and_etag_saves_the_body():
    calls: list[str] = []
    source = DataSource(fake_api({"/v1/map/latest": LATEST}, calls), load_outlines())
    assert source.latest("pm25", "eaqi-2024") == LATEST
    assert source.latest("pm25", "eaqi-2024") == LATEST  # the second answer was a 304
    assert calls == ["/v1/map/latest", "/v1/map/latest"] and not source.derived


def test_missing_endpoints_are_derived_from_the_kit_endpoints():
    calls: list[str] = []
    routes = {"/v1/kits": KITS, **{f"/v1/kits/{k}/readings": readings(k) for k in ("bev-01", "wij-01", "vel-01",
                                                                                      "hee-01", "hee-02")}}  # fmt: skip
    source = DataSource(fake_api(routes, calls), load_outlines())
    latest = source.latest("pm25", "lki")
    assert latest["scale"] == "lki" and len(latest["features"]) == 5
    hourly = source.hourly("pm25", 24)
    assert len(hourly["hours"]) == 24 and set(hourly["kits"]) == {"bev-01", "wij-01", "vel-01", "hee-01", "hee-02"}
    assert source.hourly("pm25", 24) is hourly  # cached: the slider does not ask again
    assert source.series(["bev-01"], "pm25", 24, "raw") is not None
    assert source.areas("municipality", "pm25", "eaqi-2024") is not None
    assert source.derived == {"/v1/map/latest", "/v1/map/hourly", "/v1/series", "/v1/areas"}
    assert calls.count("/v1/map/latest") == 1  # asked once, then derived straight away
