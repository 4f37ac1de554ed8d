"""JSON responses serialised with orjson (the map's 10,000 features would take long through jsonable_encoder),
the one envelope of every list, and the error answers every route documents.

Times: datetimes are written as RFC 3339 in UTC with `Z` (orjson's OPT_UTC_Z); routes pass datetime objects,
never strings they formatted themselves.
"""

from typing import Any

import orjson
from fastapi import Response

from ijlucht import licence
from ijlucht.quantities import BY_KEY, KEYS

JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
GEOJSON = "application/geo+json"  # RFC 7946 section 12

# Hour, 10-minute and day rows carry the start of their bucket as `time` (docs/api-changelog.md).
BUCKET_LABEL = "start"


class OrjsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=JSON_OPTIONS)


class GeoJsonResponse(OrjsonResponse):
    media_type = GEOJSON


def json_response(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> OrjsonResponse:
    return OrjsonResponse(content, status_code=status_code, headers=headers)


def geojson_response(content: Any, headers: dict[str, str] | None = None) -> GeoJsonResponse:
    return GeoJsonResponse(content, headers=headers)


def unit_json(key: str) -> dict[str, str]:
    """{unit, ucum} of a quantity: the unit for people, its UCUM code for machines."""
    q = BY_KEY[key]
    return {"unit": q.unit, "ucum": q.ucum}


UNITS = {k: unit_json(k) for k in KEYS}


def envelope(results: list[Any], next_url: str | None = None, **meta: Any) -> dict[str, Any]:
    """The one shape of every list: {"meta": {count, next, licence, ...}, "results": [...]}.

    `next` is the URL of the next page, or null on the last one. Data that keep their source's licence pass it as
    `licence` (ijlucht.licence.source_licence_json); all else is under the platform's."""
    own = meta.get("licence") or licence.licence_json()
    return {
        "meta": {"count": len(results), "next": next_url, **meta, "licence": own},
        "results": results,
    }


def list_response(results: list[Any], next_url: str | None = None, **meta: Any) -> OrjsonResponse:
    return json_response(envelope(results, next_url, **meta))


_ERROR = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}},
            "required": ["detail"],
        }
    }
}

# Documented on every path: what can go wrong and what the body looks like.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The request body is not valid JSON", "content": _ERROR},
    401: {"description": "Unknown or revoked API key, or a key is required", "content": _ERROR},
    403: {"description": "The API key lacks the role this needs", "content": _ERROR},
    404: {"description": "No such kit or resource", "content": _ERROR},
    411: {"description": "A body was sent chunked; send it with a Content-Length", "content": _ERROR},
    413: {"description": "The request body is too large", "content": _ERROR},
    422: {"description": "A parameter is invalid; `detail` says which and how to fix it", "content": _ERROR},
    429: {"description": "Rate limit reached (see X-RateLimit-* and Retry-After)", "content": _ERROR},
    503: {"description": "Database busy or the query took longer than the statement timeout", "content": _ERROR},
}
