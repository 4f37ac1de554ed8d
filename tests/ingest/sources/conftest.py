"""Tables of other networks emptied once per module, so each module starts from a known state."""

import pytest

from ijlucht import cli
from ijlucht.settings import PROJECT_ROOT

REFERENCE = PROJECT_ROOT / "data" / "reference"
LUCHTMEETNET = sorted((REFERENCE / "luchtmeetnet").glob("*.csv"))
KNMI = sorted((REFERENCE / "knmi").glob("*.csv"))
SAMENMETEN = sorted((REFERENCE / "samenmeten").glob("*.csv"))
TABLES = "reference_hourly, reference_stations, weather_hourly, weather_stations, external_hourly, external_kits, "
TABLES += "calibrations, sync_state"


@pytest.fixture(scope="module")
def empty_sources(settings):
    import psycopg

    with psycopg.connect(settings.dsn, autocommit=True) as c:
        c.execute(f"TRUNCATE {TABLES} CASCADE")
    return settings


@pytest.fixture(scope="module")
def imported(empty_sources):
    """Everything in data/reference imported once (the multi-kit file has the source's own error rows)."""
    cli.main(["import", "luchtmeetnet", *map(str, LUCHTMEETNET)])
    cli.main(["import", "knmi", *map(str, KNMI)])
    cli.main(["import", "samenmeten", *map(str, SAMENMETEN)])
    return empty_sources
