"""The FastAPI application: create_app() wires settings, the connection pool, the middleware (gzip, public HTTP
headers, keys and limits), the routers and the error answers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from psycopg_pool import AsyncConnectionPool

from api import export, metrics
from api.errors import add_database_handlers, add_method_handler
from api.openapi import truthful_openapi
from api.public_http import Gzip, PublicHttpMiddleware
from api.responses import ERRORS, json_response
from api.routes import (
    accounts,
    admin,
    alerts,
    areas,
    attribution,
    calibrations,
    episodes,
    events,
    exports,
    keys,
    kits,
    map,
    meta,
    owner,
    series,
    stations,
    stats,
    trend,
)
from api.security import FixedWindowLimiter, KeyCache, SecurityMiddleware
from api.settings import ApiSettings
from ijlucht.db import timescaledb_license
from ijlucht.kits import fill_public_fields
from ijlucht.ratelimit import proxy_networks

DESCRIPTION = """Citizen air-quality measurements of the IJmond and North Sea Canal area.

* **Privacy by default**: positions are public ones (jittered 40–100 m unless the owner opted in); indoor kits are
  never on the map; owners and exact positions only under `/v1/admin` with an admin key.
* **Keys and limits**: send `X-API-Key` for a higher rate limit; every answer carries `X-RateLimit-Limit`,
  `X-RateLimit-Remaining` and `X-RateLimit-Reset`.
* **Errors**: every invalid request gets a 4xx whose `detail` says what to change.
* **One envelope**: every list is `{"meta": {count, next, licence, ...}, "results": [...]}`; follow `meta.next`.
* **Time**: RFC 3339 with a zone in questions, UTC with `Z` in answers; rollup rows are labelled by the start of
  their bucket. **Units**: every value carries its unit and UCUM code. **Licence**: ODbL-1.0 (`/v1/licence`).
"""


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        options = f"-c statement_timeout={settings.api_statement_timeout_ms} -c TimeZone=UTC"
        pool = AsyncConnectionPool(
            settings.dsn,
            min_size=settings.api_pool_min,
            max_size=settings.api_pool_max,
            kwargs={"options": options, "autocommit": True},
            # a PostgreSQL restart kills pooled connections; test each on checkout so no request gets a dead one
            check=AsyncConnectionPool.check_connection,
            open=False,
        )
        await pool.open(wait=True, timeout=30)
        app.state.pool = pool
        await asyncio.to_thread(_fill_public_fields, settings)
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(
        title="IJlucht API",
        version="1",
        summary="Citizen air-quality measurements of the IJmond and North Sea Canal area",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=ERRORS,  # type: ignore[arg-type]
    )
    app.state.settings = settings
    app.state.limiter = FixedWindowLimiter()
    app.state.key_cache = KeyCache({})
    app.state.map_cache = map.LatestCache()
    app.state.export_slots = export.ExportSlots(settings.api_exports_at_once)
    app.state.trusted_proxies = proxy_networks(settings.api_trusted_proxies)
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(PublicHttpMiddleware)  # outside the key check: CORS, Cache-Control and ETag on public GETs
    app.add_middleware(Gzip)  # compresses what the others produced
    metrics.install(app, settings)  # outermost: refused, rate-limited and compressed requests count too
    for module in (
        meta,
        kits,
        map,
        series,
        areas,
        stats,
        exports,
        keys,
        accounts,
        owner,
        admin,
        stations,
        calibrations,
        trend,
        events,
        alerts,
        attribution,
        episodes,
    ):
        app.include_router(module.router)
    _add_error_handlers(app)
    app.openapi = lambda: truthful_openapi(app)  # type: ignore[method-assign]
    return app


def _fill_public_fields(settings: ApiSettings) -> None:
    """Kits registered before migration 020 get their area and public position once, at start."""
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        fill_public_fields(conn, settings)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Any:
        errors = []
        for e in exc.errors():
            where = " ".join(str(p) for p in e.get("loc", ()))
            given = e.get("input")
            shown = f" (got {str(given)[:60]!r})" if given is not None and not isinstance(given, dict) else ""
            errors.append({"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")})
            errors[-1]["message"] = f"{where}: {e.get('msg')}{shown}"
        detail = "; ".join(x["message"] for x in errors) or "invalid request"
        return json_response({"detail": detail, "errors": errors}, status_code=422)

    add_database_handlers(app)
    add_method_handler(app)


def main() -> None:
    import uvicorn

    settings = ApiSettings()
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning")


__all__ = ["create_app", "main", "timescaledb_license"]
