"""The dashboard's only way to the data: HTTP calls to the IJlucht API (/v1/kits, /v1/kits/{id}/readings).

Failures become typed errors whose message says what failed and where, so the page can show it instead of
crashing.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


class ApiError(Exception):
    """The API answered, but not with what the dashboard needs."""


class ApiUnavailable(ApiError):
    """The API could not be reached (down, wrong address, timeout)."""


class KitNotFound(ApiError):
    def __init__(self, kit_id: str, detail: str) -> None:
        super().__init__(detail)
        self.kit_id = kit_id


class ApiClient:
    def __init__(self, base_url: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            return self._client.get(path, params=params)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"API at {self.base_url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"API at {self.base_url} is not reachable: {exc}") from exc

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise ApiError(f"API {response.request.url.path} answered {response.status_code}: {_detail(response)}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ApiError(f"API {response.request.url.path} did not answer JSON") from exc
        if not isinstance(body, dict):
            raise ApiError(f"API {response.request.url.path} answered {type(body).__name__}, expected an object")
        return body

    def kits(self) -> dict[str, Any]:
        """GET /v1/kits: a GeoJSON FeatureCollection of the kits with their latest reading."""
        return self._json(self._get("/v1/kits"))

    def readings(
        self, kit_id: str, hours: float = 24, limit: int = 10_000, now: datetime | None = None
    ) -> dict[str, Any]:
        """GET /v1/kits/{kit_id}/readings for the last `hours`, oldest first."""
        end = now or datetime.now(UTC)
        start = end - timedelta(hours=hours)
        params = {"start": start.isoformat(), "end": end.isoformat(), "limit": limit}
        response = self._get(f"/v1/kits/{kit_id}/readings", params)
        if response.status_code == 404:
            raise KitNotFound(kit_id, _detail(response))
        return self._json(response)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else response.text[:200] or response.reason_phrase
