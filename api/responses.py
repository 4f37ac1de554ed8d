"""JSON responses serialised with orjson (the map's 10,000 features would take long through jsonable_encoder),
and the error answers every route documents."""

from typing import Any

import orjson
from fastapi import Response


class OrjsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_response(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> OrjsonResponse:
    return OrjsonResponse(content, status_code=status_code, headers=headers)


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
