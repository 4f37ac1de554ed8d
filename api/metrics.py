"""Request metrics and request logs of the API: a Prometheus histogram per route and one log line per request.

The histogram's buckets add up across processes and hosts in Prometheus; the API runs as one process per unit
(deploy/server/units/ijlucht-api.service), so its own registry is the whole story. /metrics is served on its own
loopback port (IJLUCHT_API_METRICS_PORT; 0 = none), never through the public proxy.
"""

import logging
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from prometheus_client import REGISTRY, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily

from api.queries.service import fleet_counts
from api.settings import ApiSettings

log = logging.getLogger("ijlucht.api.requests")
REQUEST_SECONDS = Histogram(
    "ijlucht_api_request_duration_seconds",
    "API requests by route template, method and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def route_of(scope: dict[str, Any]) -> str:
    """The matched route's template (`/v1/kits/{kit_id}`), so kit ids never become label values (pure)."""
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class RequestMetrics:
    """Pure ASGI middleware: times each HTTP request, counts it under its route and logs it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def send_and_note(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            took = time.perf_counter() - started
            REQUEST_SECONDS.labels(scope["method"], route_of(scope), str(status[0])).observe(took)
            client = (scope.get("client") or ("-",))[0]
            log.info("%s %s %s %d %.1f ms", client, scope["method"], scope["path"], status[0], took * 1000)


class FleetGauges:
    """Read at each scrape (every 15-60 s) with one short query: the fleet as the database knows it."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with psycopg.connect(self.dsn, connect_timeout=5, options="-c statement_timeout=5000") as conn:
                active, reporting = fleet_counts(conn)
        except psycopg.Error:
            return  # no gauges rather than wrong ones: `up` and the API's own alerts tell the rest
        yield GaugeMetricFamily("ijlucht_kits_active", "registered kits that are not disabled", value=active)
        yield GaugeMetricFamily(
            "ijlucht_kits_reporting", "of those, kits with a reading in the last hour", value=reporting
        )


def install(app: Any, settings: ApiSettings) -> None:
    """Measure every request of `app`; serve /metrics on 127.0.0.1:IJLUCHT_API_METRICS_PORT (0: not served)."""
    app.add_middleware(RequestMetrics)
    if not log.handlers:  # uvicorn configures only its own loggers
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    if settings.api_metrics_port:
        REGISTRY.register(FleetGauges(settings.dsn))  # type: ignore[arg-type]
        start_http_server(settings.api_metrics_port, addr="127.0.0.1")
