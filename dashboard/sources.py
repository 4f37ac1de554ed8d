"""Where each view's data comes from: the API's map, series and areas endpoints, or, for an API without them,
the same answer derived from the kit endpoints (dashboard/derive.py). Hourly maps are cached briefly, so moving
the time slider does not ask the API again."""

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard import derive
from dashboard.api_client import ApiClient, ApiServerError, EndpointMissing
from dashboard.geo import Outlines

log = logging.getLogger("ijlucht.dashboard")

HOURLY_CACHE_SECONDS = 300.0


class DataSource:
    def __init__(self, client: ApiClient, outlines: Outlines, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.outlines = outlines
        self.clock = clock
        self.derived: set[str] = set()  # endpoints this API lacks, answered by deriving
        self._hourly: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}

    def _missing(self, endpoint: str) -> None:
        if endpoint not in self.derived:
            log.warning("API has no %s: deriving it from /v1/kits and readings", endpoint)
            self.derived.add(endpoint)

    def _failed(self, endpoint: str, exc: ApiServerError) -> None:
        """A 5xx: this answer is derived, the endpoint is tried again next time."""
        log.warning("%s failed (%s): derived from /v1/kits and readings this time", endpoint, exc)

    def latest(self, quantity: str, scale: str) -> dict[str, Any]:
        """/v1/map/latest (GeoJSON with value, band, stale per kit)."""
        if "/v1/map/latest" not in self.derived:
            try:
                return self.client.map_latest(quantity, scale)
            except EndpointMissing:
                self._missing("/v1/map/latest")
            except ApiServerError as exc:
                self._failed("/v1/map/latest", exc)
        return derive.latest_from_kits(self.client.kits(), quantity, scale, self.outlines)

    def hourly(self, quantity: str, hours: int, now: datetime | None = None) -> dict[str, Any]:
        """/v1/map/hourly for the last `hours` whole hours up to now, cached for a few minutes."""
        key = (quantity, hours)
        cached = self._hourly.get(key)
        if cached and self.clock() - cached[0] < HOURLY_CACHE_SECONDS:
            return cached[1]
        end = derive.hour_floor(now or datetime.now(UTC)) + timedelta(hours=1)
        start = end - timedelta(hours=hours)
        body = None
        if "/v1/map/hourly" not in self.derived:
            try:
                body = self.client.map_hourly(quantity, start, end)
            except EndpointMissing:
                self._missing("/v1/map/hourly")
            except ApiServerError as exc:
                self._failed("/v1/map/hourly", exc)
        if body is None:
            kit_ids = [f["properties"]["kit_id"] for f in self.client.kits().get("features", [])]
            readings = {k: self._readings(k, start, end) for k in kit_ids}
            body = derive.hourly_map(readings, quantity, start, end)
        self._hourly[key] = (self.clock(), body)
        return body

    def series(self, kit_ids: list[str], quantity: str, hours: float, resolution: str) -> list[dict[str, Any]]:
        """/v1/series rows of the kits over the last `hours`, raw or hourly."""
        end = datetime.now(UTC)
        start = end - timedelta(hours=hours)
        if "/v1/series" not in self.derived:
            try:
                return self.client.series(kit_ids, quantity, start, end, resolution)
            except EndpointMissing:
                self._missing("/v1/series")
            except ApiServerError as exc:
                self._failed("/v1/series", exc)
        rows = []
        for kit_id in kit_ids:
            rows.extend(derive.series_rows(kit_id, self._readings(kit_id, start, end), quantity, resolution))
        return rows

    def areas(self, level: str, quantity: str, scale: str) -> list[dict[str, Any]]:
        """/v1/areas: mean and number of kits per municipality or district."""
        if "/v1/areas" not in self.derived:
            try:
                return self._named(self.client.areas(level, quantity, scale), level)
            except EndpointMissing:
                self._missing("/v1/areas")
            except ApiServerError as exc:
                self._failed("/v1/areas", exc)
        return derive.areas_from_latest(self.latest(quantity, scale), level, self.outlines, scale)

    def _named(self, rows: list[dict[str, Any]], level: str) -> list[dict[str, Any]]:
        """Areas with kits first; districts named with their municipality (several are called "Centrum")."""
        if level == "district":
            names = derive.area_names(self.outlines, "district")
            rows = [{**r, "name": names.get(r.get("code"), r.get("name"))} for r in rows]
        return sorted(rows, key=lambda r: (not r.get("kits"), str(r.get("name"))))

    def kit(self, kit_id: str) -> dict[str, Any]:
        return self.client.kit(kit_id)

    def _readings(self, kit_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        hours = (end - start).total_seconds() / 3600
        return self.client.readings(kit_id, hours=hours, now=end).get("results", [])
