"""Fixtures of the API tests: an admin key, rollups filled from the seeded readings, an in-process client."""

from collections.abc import Iterator

import httpx
import pytest

from ijlucht import apikeys


@pytest.fixture(scope="session")
def admin_key(settings) -> str:
    import psycopg

    with psycopg.connect(settings.dsn, autocommit=True) as c:
        _, plain = apikeys.create_key(c, "api tests", "admin")
    return plain


@pytest.fixture(scope="session")
def reader_key(settings) -> str:
    import psycopg

    with psycopg.connect(settings.dsn, autocommit=True) as c:
        _, plain = apikeys.create_key(c, "api tests reader", "reader")
    return plain


@pytest.fixture
def api(api_base_url) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_base_url, timeout=30) as client:
        yield client


@pytest.fixture
def app_client(settings) -> Iterator:
    """A fresh app in-process, with its own limiter, seen from a remote address (rate limits apply)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings

    app = create_app(ApiSettings(api_rate_per_min=5, api_rate_key_per_min=8, api_map_cache_s=0))
    with TestClient(app, client=("203.0.113.7", 40000)) as client:
        yield client
