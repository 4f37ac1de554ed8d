"""The dashboard's only way to the data: HTTP calls to the IJlucht API under /v1.

Failures become typed errors whose message says what failed and where, so the page can show it instead of
crashing. The API is the one source of bands, staleness, hourly and area means: the dashboard derives none of them.

Kit ids often come from the browser, which anyone can make send anything, and the dashboard's calls come from
127.0.0.1 (exempt from the API's rate limits). So every kit id is checked against the contract's pattern before it
goes into a request, and only as a quoted path segment or an httpx query parameter, never pasted into a URL.
"""

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from ijlucht.contract import KIT_ID_PATTERN

STATION_ID = re.compile(r"^[A-Z]{2}[0-9]{5}$")  # a Luchtmeetnet number, as migration 060 checks it
AREA_CODE = re.compile(r"^(GM[0-9]{4}|WK[0-9]{6})$")  # a CBS municipality or district code


class ApiError(Exception):
    """The API answered, but not with what the dashboard needs."""


class ApiUnavailable(ApiError):
    """The API could not be reached (down, wrong address, timeout)."""


class InvalidKitId(ApiError):
    """Not a kit id: refused before any request is made."""

    def __init__(self, value: object) -> None:
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:37]}..."
        super().__init__(f"{shown} is not a kit id ({KIT_ID_PATTERN.pattern}); the API was not asked")
        self.value = value


def checked_kit_id(value: object) -> str:
    """`value` if it is a kit id, else InvalidKitId. fullmatch: `$` alone would also let a trailing newline in."""
    if isinstance(value, str) and KIT_ID_PATTERN.fullmatch(value):
        return value
    raise InvalidKitId(value)


def kit_path(kit_id: object, *rest: str) -> str:
    """/v1/kits/{kit_id}[/rest...] with the checked id as one quoted path segment."""
    return "/".join(["/v1/kits", quote(checked_kit_id(kit_id), safe=""), *rest])


class InvalidPlace(ApiError):
    """Not a place (`kit:<id>`, `station:<code>`, `area:<code>`): refused before any request is made."""

    def __init__(self, value: object) -> None:
        super().__init__(f"{repr(value)[:40]} is not a place (kit:<id>, station:<code> or area:<code>)")


def checked_place(value: object, kinds: tuple[str, ...] = ("kit", "station", "area")) -> str:
    """`value` if it is a place of one of `kinds` (the browser can send anything), else InvalidPlace."""
    kind, _, key = value.partition(":") if isinstance(value, str) else ("", "", "")
    valid = {"kit": KIT_ID_PATTERN, "station": STATION_ID, "area": AREA_CODE}
    if kind in kinds and valid[kind].fullmatch(key):
        return value
    raise InvalidPlace(value)


class KitNotFound(ApiError):
    def __init__(self, kit_id: str, detail: str) -> None:
        super().__init__(detail)
        self.kit_id = kit_id


HOURLY_CACHE_SECONDS = 300.0  # hourly means change once an hour: moving the time slider does not ask again


class ApiClient:
    def __init__(
        self,
        base_url: str,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)
        self._etags: dict[str, tuple[str, dict[str, Any]]] = {}  # url → (ETag, body) of the last 200 answer
        self._clock = clock
        self._hourly: dict[tuple[str, str, str, str], tuple[float, dict[str, Any]]] = {}

    def close(self) -> None:
        self._client.close()

    def _get(
        self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            try:
                return self._client.get(path, params=params, headers=headers)
            except (httpx.ReadError, httpx.RemoteProtocolError):
                # A kept-alive connection the server closed meanwhile (e.g. after its own error): GET is idempotent,
                # so ask once more on a fresh connection.
                return self._client.get(path, params=params, headers=headers)
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

    def _endpoint(self, path: str, params: dict[str, Any], cache: bool = False) -> Any:
        """GET one of the map/series/areas endpoints; any error status raises ApiError with the API's reason.

        With `cache`, the last answer's ETag goes along as If-None-Match and a 304 returns the stored body.
        """
        key = str(self._client.build_request("GET", path, params=params).url)
        stored = self._etags.get(key) if cache else None
        response = self._get(path, params, {"If-None-Match": stored[0]} if stored else None)
        if response.status_code == 304 and stored:
            return stored[1]
        if response.status_code >= 400:
            raise ApiError(f"API {path} answered {response.status_code}: {_detail(response)}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ApiError(f"API {path} did not answer JSON") from exc
        if cache and response.headers.get("ETag"):
            self._etags[key] = (response.headers["ETag"], body)
        return body

    def owner_kit(self, kit_id: str, token: str) -> dict[str, Any]:
        """GET /v1/owner/kits/<id> with the owner token (never cached: the answer is the owner's alone)."""
        return self._json(self._get(self._owner_path(kit_id), None, {"X-Owner-Token": token}))

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """One request that changes something (never repeated: a repeat could act twice), transport errors typed."""
        try:
            return self._client.request(method, path, **kw)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"API at {self.base_url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"API at {self.base_url} is not reachable: {exc}") from exc

    def sign_up(self, body: dict[str, Any], forwarded_for: str) -> httpx.Response:
        """POST /v1/accounts/signups for a visitor of the sign-up form; `forwarded_for` (the proxies' chain ending
        in the visitor's address) goes along as X-Forwarded-For, which the API believes only from a proxy it
        trusts (api_trusted_proxies: the dashboard's host in production), so the per-client limit counts visitors."""
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        return self._send("POST", "/v1/accounts/signups", json=body, headers=headers)

    def confirm_signup(self, token: str) -> httpx.Response:
        """GET /v1/accounts/confirm: registers the kit and answers its configuration, once."""
        return self._send("GET", "/v1/accounts/confirm", params={"token": token})

    def _owner_path(self, kit_id: str, *rest: str) -> str:
        return "/".join(["/v1/owner/kits", quote(checked_kit_id(kit_id), safe=""), *rest])

    def owner_move(self, kit_id: str, token: str, body: dict[str, Any]) -> httpx.Response:
        """POST /v1/owner/kits/<id>/move with the owner token in its header."""
        return self._send("POST", self._owner_path(kit_id, "move"), json=body, headers={"X-Owner-Token": token})

    def owner_delete(self, kit_id: str, token: str, measurements: str) -> httpx.Response:
        """DELETE /v1/owner/kits/<id>?measurements=keep|delete with the owner token in its header."""
        params = {"measurements": measurements}
        return self._send("DELETE", self._owner_path(kit_id), params=params, headers={"X-Owner-Token": token})

    def owner_export(self, kit_id: str, token: str, fmt: str) -> httpx.Response:
        """GET /v1/owner/kits/<id>/export, streamed: the caller reads `iter_bytes()` and closes the response."""
        request = self._client.build_request(
            "GET", self._owner_path(kit_id, "export"), params={"format": fmt}, headers={"X-Owner-Token": token}
        )
        try:
            return self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"API at {self.base_url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"API at {self.base_url} is not reachable: {exc}") from exc

    def map_latest(self, quantity: str, scale: str, correction: str = "raw") -> dict[str, Any]:
        """GET /v1/map/latest: the latest value of every public kit with its band, as GeoJSON; with a correction
        other than raw also each kit's corrected_value, its method version or the reason there is none."""
        params = {"quantity": quantity, "scale": scale} | ({"correction": correction} if correction != "raw" else {})
        return self._endpoint("/v1/map/latest", params, cache=True)

    def map_hourly(self, quantity: str, start: datetime, end: datetime, correction: str = "raw") -> dict[str, Any]:
        """GET /v1/map/hourly: hourly means of every kit, {hours: [...], kits: {kit_id: [mean|None, ...]}}; with a
        correction other than raw the corrected means, with `methods` and `reasons` per kit."""
        params = {"quantity": quantity, "start": start.isoformat(), "end": end.isoformat()}
        if correction != "raw":
            params["correction"] = correction
        return self._endpoint("/v1/map/hourly", params)

    def hourly_window(
        self, quantity: str, hours: int, now: datetime | None = None, correction: str = "raw"
    ) -> dict[str, Any]:
        """/v1/map/hourly for the last `hours` whole hours up to the current one, reused for a few minutes."""
        end = (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        end += timedelta(hours=1)
        start = end - timedelta(hours=hours)
        key = (quantity, start.isoformat(), end.isoformat(), correction)
        cached = self._hourly.get(key)
        if cached and self._clock() - cached[0] < HOURLY_CACHE_SECONDS:
            return cached[1]
        body = self.map_hourly(quantity, start, end, correction)
        self._hourly = {key: (self._clock(), body)} | {
            k: v for k, v in self._hourly.items() if self._clock() - v[0] < HOURLY_CACHE_SECONDS
        }
        return body

    def series_window(self, kit_ids: list[str], quantity: str, hours: float, resolution: str) -> list[dict[str, Any]]:
        """/v1/series rows of the kits over the last `hours` (raw, hour or day)."""
        end = datetime.now(UTC)
        return self.series(kit_ids, quantity, end - timedelta(hours=hours), end, resolution)

    def series(
        self,
        kit_ids: list[str],
        quantity: str,
        start: datetime,
        end: datetime,
        resolution: str,
        max_pages: int = 20,
        correction: str = "raw",
    ) -> list[dict[str, Any]]:
        """GET /v1/series (all pages): rows {kit_id, time, quantity, value, n, n_flagged, flags, ...}; with a
        correction other than raw also corrected_value, correction (method version) and correction_reason."""
        params: dict[str, Any] = {
            "kits": ",".join(checked_kit_id(k) for k in kit_ids),
            "quantities": quantity,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "resolution": resolution,
        }
        if correction != "raw":
            params["correction"] = correction
        rows: list[dict[str, Any]] = []
        for _ in range(max_pages):
            body = self._endpoint("/v1/series", params)
            rows.extend(body.get("results", []))
            next_url = (body.get("meta") or {}).get("next")
            if not next_url:
                break
            params["cursor"] = httpx.URL(next_url).params.get("cursor")  # same query, next page
        return rows

    def stats(self, kit_ids: list[str], quantity: str, start: datetime, end: datetime, by: str) -> list[dict[str, Any]]:
        """GET /v1/stats per kit and slot (`by`: hour_of_day or day_of_week, local time) over clean hourly means."""
        params = {
            "kits": ",".join(checked_kit_id(k) for k in kit_ids),
            "quantity": quantity,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "by": by,
        }
        return self._endpoint("/v1/stats", params).get("results", [])

    def areas(self, level: str, quantity: str, scale: str) -> list[dict[str, Any]]:
        """GET /v1/areas: [{code, name, kits, mean, band}] per municipality or district."""
        return self._endpoint("/v1/areas", {"level": level, "quantity": quantity, "scale": scale}).get("results", [])

    def stations(self) -> dict[str, Any]:
        """GET /v1/stations: the official reference stations with their latest hourly values, as GeoJSON."""
        return self._endpoint("/v1/stations", {}, cache=True)

    def recent_weather(
        self, stations: tuple[str, ...], hours: int, now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """GET /v1/weather: the last `hours` hours of the given KNMI stations."""
        end = (now or datetime.now(UTC)).replace(microsecond=0)
        params = {"stations": ",".join(stations), "start": (end - timedelta(hours=hours)).isoformat(),
                  "end": end.isoformat()}  # fmt: skip
        return self._endpoint("/v1/weather", params).get("results", [])

    def station_series(self, station_id: str, component: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """GET /v1/stations/{id}/series: one component's hourly values (start of the hour, as stored)."""
        if not STATION_ID.fullmatch(station_id):
            raise ApiError(f"{station_id[:20]!r} is not a station id")
        params = {"components": component, "start": start.isoformat(), "end": end.isoformat()}
        return self._endpoint(f"/v1/stations/{station_id}/series", params).get("results", [])

    # --- issue 16 and 17: the science endpoints (docs/science.md); the place goes as an httpx query parameter.

    def emitters(self) -> list[dict[str, Any]]:
        """GET /v1/emitters: the known sources with name, centre and outline."""
        return self._endpoint("/v1/emitters", {}, cache=True).get("results", [])

    def emitter_names(self) -> dict[str, str]:
        """{emitter id: name}; empty when the API cannot say (the views then show the ids)."""
        try:
            return {e["id"]: e.get("name") or e["id"] for e in self.emitters() if isinstance(e.get("id"), str)}
        except (ApiError, AttributeError, TypeError):
            return {}

    def direction(self, place: str, quantity: str, start: datetime, end: datetime, **options: Any) -> dict[str, Any]:
        """GET /v1/direction: {meta (emitters, calm, thresholds), results per sector and speed bin}."""
        params = {"source": checked_place(place, ("kit", "station")), "quantity": quantity,
                  "start": start.isoformat(), "end": end.isoformat(), **options}  # fmt: skip
        return self._endpoint("/v1/direction", params)

    def exposure(self, place: str, quantity: str, start: datetime, end: datetime) -> dict[str, Any]:
        """GET /v1/exposure: downwind hours, means and the increment with its interval per emitter and speed bin
        (meta.background says whether the regional background was subtracted first)."""
        params = {"source": checked_place(place, ("kit", "station")), "quantity": quantity,
                  "start": start.isoformat(), "end": end.isoformat()}  # fmt: skip
        return self._endpoint("/v1/exposure", params)

    def exposure_map(self, emitter: str, quantity: str, start: datetime, end: datetime) -> dict[str, Any]:
        """GET /v1/exposure/map: downwind share and increment of every located kit and station (the map layer)."""
        params = {"emitter": emitter, "quantity": quantity, "start": start.isoformat(), "end": end.isoformat()}
        return self._endpoint("/v1/exposure/map", params, cache=True)

    def episodes(self, start: datetime, end: datetime, quantity: str, place: str | None = None) -> list[dict[str, Any]]:
        """GET /v1/episodes: regional and local episodes overlapping the period (of one place, if given)."""
        params = {"start": start.isoformat(), "end": end.isoformat(), "quantity": quantity}
        if place is not None:
            params["place"] = checked_place(place, ("kit", "station"))
        return self._endpoint("/v1/episodes", params).get("results", [])

    def trend(self, place: str, quantity: str, start: datetime, end: datetime, normalise: str) -> dict[str, Any]:
        """GET /v1/trend: monthly means (deseasonalised, weather-normalised) and the slope per year in meta."""
        params = {"source": checked_place(place), "quantity": quantity, "start": start.isoformat(),
                  "end": end.isoformat(), "normalise": normalise}  # fmt: skip
        return self._endpoint("/v1/trend", params)

    def compare(
        self, place: str, quantity: str, before: tuple[datetime, datetime], after: tuple[datetime, datetime]
    ) -> list[dict[str, Any]]:
        """GET /v1/compare: the after-minus-before difference, its interval and the weather-normalised one."""
        params = {"source": checked_place(place), "quantity": quantity,
                  "before_start": before[0].isoformat(), "before_end": before[1].isoformat(),
                  "after_start": after[0].isoformat(), "after_end": after[1].isoformat()}  # fmt: skip
        return self._endpoint("/v1/compare", params).get("results", [])

    def events(self) -> list[dict[str, Any]]:
        """GET /v1/events: dated changes (closures, permits, incidents) with their source link."""
        return self._endpoint("/v1/events", {}, cache=True).get("results", [])

    def subscribe(self, form: dict[str, Any]) -> tuple[int, str]:
        """POST /v1/alerts/subscriptions; (status, the API's reason) — 202 means the confirmation mail went out."""
        try:
            response = self._client.post("/v1/alerts/subscriptions", json=form)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"API at {self.base_url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"API at {self.base_url} is not reachable: {exc}") from exc
        return response.status_code, _detail(response) if response.status_code >= 400 else ""

    def kit(self, kit_id: str) -> dict[str, Any]:
        """GET /v1/kits/{kit_id}: the kit's status (online, last seen, firmware) as a GeoJSON Feature."""
        response = self._get(kit_path(kit_id))
        if response.status_code == 404:
            raise KitNotFound(kit_id, _detail(response))
        return self._json(response)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):  # FastAPI's validation errors: name the field and say what is wrong with it
        detail = "; ".join(
            f"{'.'.join(str(p) for p in (e.get('loc') or [])[1:])}: {e.get('msg')}" if isinstance(e, dict) else str(e)
            for e in detail
        )
    return str(detail) if detail else response.text[:200] or response.reason_phrase
