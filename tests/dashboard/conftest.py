"""Dashboard fixtures on top of tests/conftest.py."""

import pytest

from ijlucht.settings import PlatformSettings


@pytest.fixture(scope="session")
def rolled_up(settings: PlatformSettings, seeded_kits: list[str]) -> list[str]:
    """The seeded kits with their 10-minute, hourly and daily rollups computed, as the ingest worker keeps them."""
    import psycopg

    from ingest.rollups import refresh_rollups

    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        while refresh_rollups(conn):
            pass
    return seeded_kits
