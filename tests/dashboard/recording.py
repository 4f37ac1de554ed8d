"""What the dashboard sends: a real HTTP transport that records every request path, and a way to run one of the
dashboard's callbacks the way a browser does (POST /_dash-update-component), with any values the browser chooses."""

from typing import Any

import httpx

# Ids a hostile browser may put into the kit panel's stores: path traversal to /v1/export (plain, URL-encoded,
# mixed), query and fragment injection, a trailing newline, very long, non-ASCII, empty, and not strings at all.
HOSTILE_KIT_IDS: list[Any] = [
    "../export?kits=seed-beverwijk&resolution=raw&start=2000-01-01",
    "..%2fexport%3fkits%3dseed-beverwijk",
    "%2e%2e%2fexport",
    "%2E%2E/export",
    "kit/../../v1/export",
    "seed-beverwijk/../../export",
    "seed-beverwijk?x=1",
    "seed-beverwijk#frag",
    "seed-beverwijk\n",
    "SEED-BEVERWIJK",
    "a" * 10_000,
    "bév-01",
    "seed-beverwijk\u2215..\u2215export",  # division slash
    "",
    None,
    42,
    ["seed-beverwijk"],
    {"kit_id": "seed-beverwijk"},
]


class RecordingTransport(httpx.HTTPTransport):
    """Sends for real and keeps the path (with query) of every request, so a test can see what reached the API."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.raw_path.decode())
        return super().handle_request(request)


def kit_panel_callback(server: Any, selected: Any, compare: Any = None, language: str = "en") -> dict[str, Any]:
    """Run the kit panel's callback through Dash's HTTP endpoint; returns {output id: {property: value}}."""
    outputs = [{"id": "kit-chart", "property": "figure"}, {"id": "kit-status", "property": "children"}]
    body = {
        "output": "..kit-chart.figure...kit-status.children..",
        "outputs": outputs,
        "inputs": [
            {"id": "selected-kit", "property": "data", "value": selected},
            {"id": "compare", "property": "value", "value": compare},
            {"id": "quantity", "property": "value", "value": "pm25"},
            {"id": "language", "property": "value", "value": language},
        ],
        "state": [{"id": "kit-names", "property": "data", "value": {}}],
        "changedPropIds": ["selected-kit.data"],
    }
    response = server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def panel_message(response: dict[str, Any]) -> str:
    """The sentence the kit chart shows instead of data ('' when it shows a chart)."""
    annotations = response["kit-chart"]["figure"]["layout"].get("annotations") or []
    return " ".join(a["text"].replace("<br>", " ") for a in annotations)
