"""Fixtures of the API tests: an admin key, rollups filled from the seeded readings, an in-process client, and a
real SMTP server (aiosmtpd) that the API's mail goes to."""

import os
from collections.abc import Iterator

import httpx
import pytest

from ijlucht import apikeys
from tests.conftest import free_port
from tests.mailbox import Inbox

# Set before the session's API reads its settings, so its mail goes to the smtp_server below.
os.environ["IJLUCHT_SMTP_PORT"] = str(free_port())


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server on the port the API sends to."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=int(os.environ["IJLUCHT_SMTP_PORT"]))
    controller.start()
    yield inbox
    controller.stop()


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


@pytest.fixture
def kits_running() -> Iterator[list]:
    """Virtual kit processes a test started; killed at its end."""
    procs: list = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
