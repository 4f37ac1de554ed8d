"""Request metrics of the dashboard: a Prometheus histogram per kind of request (page, callback, asset).

The dashboard runs as one gunicorn process with threads (deploy/server/units/ijlucht-dashboard.service), so one
registry holds everything; /metrics is served on its own loopback port (IJLUCHT_DASHBOARD_METRICS_PORT; 0 = none).
"""

import time

import flask
from prometheus_client import Histogram, start_http_server

REQUEST_SECONDS = Histogram(
    "ijlucht_dashboard_request_duration_seconds",
    "Dashboard requests by kind (page, callback, layout, asset) and status",
    ["kind", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def kind_of(path: str) -> str:
    """A few fixed kinds, so paths never become label values (pure)."""
    if path.endswith("/_dash-update-component"):
        return "callback"
    if path.endswith(("/_dash-layout", "/_dash-dependencies")):
        return "layout"
    if "/_dash-component-suites/" in path or "/assets/" in path or path.endswith("/_favicon.ico"):
        return "asset"
    return "page"


def install(server: flask.Flask, metrics_port: int) -> None:
    """Time every request of `server`; serve /metrics on 127.0.0.1:`metrics_port` (0: not served)."""

    @server.before_request
    def _start() -> None:
        flask.g.ijlucht_started = time.perf_counter()

    @server.after_request
    def _observe(response: flask.Response) -> flask.Response:
        started = flask.g.get("ijlucht_started")
        if started is not None:
            took = time.perf_counter() - started
            REQUEST_SECONDS.labels(kind_of(flask.request.path), str(response.status_code)).observe(took)
        return response

    if metrics_port:
        start_http_server(metrics_port, addr="127.0.0.1")
