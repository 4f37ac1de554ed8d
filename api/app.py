"""The FastAPI application: create_app() wires settings, the connection pool and the routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from psycopg_pool import AsyncConnectionPool

from api.routes import kits
from api.settings import ApiSettings
from ijlucht.db import timescaledb_license


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = AsyncConnectionPool(
            settings.dsn, min_size=settings.api_pool_min, max_size=settings.api_pool_max, open=False
        )
        await pool.open(wait=True, timeout=30)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(
        title="IJlucht API",
        version="1",
        summary="Citizen air-quality measurements of the IJmond and North Sea Canal area",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(kits.router)

    @app.get("/v1/health", tags=["health"], summary="Is the API up and its database reachable?")
    async def health(request: Request) -> dict[str, Any]:
        async with request.app.state.pool.connection() as conn:
            lic = await conn.execute("SHOW timescaledb.license")
            row = await lic.fetchone()
        return {"status": "ok", "timescaledb_license": row[0] if row else None}

    return app


def main() -> None:
    import uvicorn

    settings = ApiSettings()
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning")


__all__ = ["create_app", "main", "timescaledb_license"]
