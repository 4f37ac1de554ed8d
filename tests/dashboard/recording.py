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


def dash_callback(
    server: Any, outputs: list[str], inputs: dict[str, Any], state: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the callback with `outputs` ("id.property") through Dash's HTTP endpoint as a browser would, with
    `inputs`/`state` {"id.property": value}; returns {output id: {property: value}}."""

    def items(values: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": k.split(".")[0], "property": k.split(".")[1], "value": v} for k, v in values.items()]

    specs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs]
    single = len(outputs) == 1
    body = {
        "output": outputs[0] if single else ".." + "...".join(outputs) + "..",
        "outputs": specs[0] if single else specs,
        "inputs": items(inputs),
        "state": items(state or {}),
        "changedPropIds": [next(iter(inputs))],
    }
    response = server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


KIT_PANEL_OUTPUTS = [
    "kit-chart.figure",
    "kit-status.children",
    "kit-cycle.figure",
    "kit-weekday.figure",
    "kit-shown.data",
    "downloads.hidden",
    "kit-chart-note.children",
]


def kit_panel_callback(
    server: Any, selected: Any, compare: Any = None, language: str = "en", span: Any = "24h", correction: Any = "raw"
) -> dict[str, Any]:
    """The kit panel's callback (chart, status, daily cycle, weekdays, download) for the stores and the period."""
    return dash_callback(
        server,
        KIT_PANEL_OUTPUTS,
        {"selected-kit.data": selected, "compare.value": compare, "quantity.value": "pm25", "language.value": language,
         "kit-range.value": span, "correction.value": correction},
        {"kit-names.data": {}},
    )  # fmt: skip


def panel_message(response: dict[str, Any]) -> str:
    """The sentence the kit chart shows instead of data ('' when it shows a chart)."""
    annotations = response["kit-chart"]["figure"]["layout"].get("annotations") or []
    return " ".join(a["text"].replace("<br>", " ") for a in annotations)
