"""The one place where database failures become HTTP answers. No database text ever reaches a client: the
answer says what the client can do, the log keeps what PostgreSQL said. Also the 405 answer, whose Allow header
names every method of the path (Starlette names only those of the first route that matched it)."""

import logging
import re

import psycopg
from fastapi import FastAPI, Request
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import OrjsonResponse, json_response

log = logging.getLogger("ijlucht.api.errors")

TOO_SLOW = "the query took longer than the limit; ask for fewer kits or a shorter range (or use /v1/export)"
BUSY = "the database is busy; retry shortly"
REFUSED = "a value in the request was refused by the database (a NUL byte, or a number out of range); change it"
UNAVAILABLE = "the database could not answer; retry shortly"


def database_answer(exc: Exception) -> tuple[int, str, dict[str, str]]:
    """(status, detail, headers) for a database failure; the most specific class wins."""
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return 503, TOO_SLOW, {"Retry-After": "10"}
    if isinstance(exc, PoolTimeout):
        return 503, BUSY, {"Retry-After": "5"}
    if isinstance(exc, psycopg.DataError):
        return 422, REFUSED, {}
    return 503, UNAVAILABLE, {"Retry-After": "5"}


def add_database_handlers(app: FastAPI) -> None:
    async def answer(request: Request, exc: Exception) -> OrjsonResponse:
        status, detail, headers = database_answer(exc)
        log.warning("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, str(exc)[:300])
        return json_response({"detail": detail}, status, headers)

    app.add_exception_handler(psycopg.Error, answer)
    app.add_exception_handler(PoolTimeout, answer)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the published schema gives `path` (its path templates matched segment by segment)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


def add_method_handler(app: FastAPI) -> None:
    async def answer(request: Request, exc: Exception) -> OrjsonResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(app, request.url.path))
        return json_response({"detail": exc.detail}, exc.status_code, headers)

    app.add_exception_handler(StarletteHTTPException, answer)
