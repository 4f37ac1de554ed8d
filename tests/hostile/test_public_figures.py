"""Attacks on the public figures: one kit sending nonsense must not move an area's mean.

Its readings are stored and shown per kit with their flags, but left out of /v1/areas, /v1/stats, the map's
hourly means and the rollups' clean means, and every answer says how many were left out (docs/quality.md).
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from ijlucht import quality
from ingest.history import KitHistory
from ingest.rollups import refresh_rollups
from ingest.store import Batch, store_batch
from ingest.validate import Row

HEEMSKERK = "GM0396"  # the seeded kit seed-heemskerk is there (pm25 around 4)
NONE = dict.fromkeys(("pm1", "pm25", "pm10", "t", "rh", "p"))


@pytest.fixture(scope="module")
def client(settings) -> Iterator:
    """The API in-process without the map cache (every answer fresh), from the dashboard's address (no limits)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings

    with TestClient(create_app(ApiSettings(api_map_cache_s=0)), client=("127.0.0.1", 50000)) as c:
        yield c


@pytest.fixture
def online_kit(make_kit, settings):
    """A kit in Heemskerk that goes offline after the test, so later tests do not count its fresh value."""
    made = []

    def make(prefix):
        made.append(make_kit(prefix, lat=52.511, lon=4.673)[0])
        return made[-1]

    yield make
    batch = Batch()
    for kit in made:
        batch.status[kit] = (False, datetime.now(UTC).timestamp())
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        store_batch(conn, batch)


def store_and_roll_up(conn, readings: list[tuple[str, datetime, dict, int]]) -> None:
    """Store (kit, time, values, flags) readings in one batch, as the ingest worker does, and refresh the rollups."""
    now = datetime.now(UTC).timestamp()
    batch = Batch(rows=[(Row(t.timestamp(), kit, {**NONE, **v}, f, None), now) for kit, t, v, f in readings])
    for kit, *_ in readings:
        batch.status[kit] = (True, now)
    store_batch(conn, batch)
    while refresh_rollups(conn):
        pass


def moments() -> tuple[datetime, datetime]:
    """A moment ago and now, in the same hour (compared means must cover the same hours)."""
    now = datetime.now(UTC).replace(microsecond=0)
    hour = now.replace(minute=0, second=0)
    now = max(now, hour + timedelta(seconds=1))
    return max(now - timedelta(minutes=1), hour), now


def public_figures(client, municipality: str = HEEMSKERK) -> tuple[dict, dict]:
    """The municipality's row of /v1/areas and of /v1/stats over the last two days."""
    end = datetime.now(UTC) + timedelta(hours=1)
    areas = client.get("/v1/areas", params={"level": "municipality", "quantity": "pm25"})
    stats = client.get(
        "/v1/stats",
        params={"municipality": municipality, "start": (end - timedelta(days=2)).isoformat(), "end": end.isoformat()},
    )
    assert areas.status_code == 200 and stats.status_code == 200, (areas.text, stats.text)
    (stat,) = stats.json()["results"]
    return next(a for a in areas.json()["results"] if a["code"] == municipality), stat


def rollup(conn, kit: str, hour: datetime) -> tuple:
    return conn.execute(
        "SELECT n, n_clean, mean, clean_mean FROM rollup_hourly WHERE kit_id = %s AND quantity = 'pm25'"
        " AND bucket = %s",
        (kit, hour),
    ).fetchone()


def test_a_kit_sending_pm25_999999_leaves_its_areas_mean_unchanged_and_is_counted_as_left_out(
    client, rolled_up, online_kit, settings
):
    neighbour, kit = online_kit("neighbour"), online_kit("attacker")
    before, now = moments()
    values = {"pm25": 999999.0, "pm10": 20.0, "t": 9.0}
    flags = quality.reading_flags({**NONE, **values}, age_s=0)
    assert quality.flag_names(flags) == ["out_of_range", "pm25_above_pm10"]
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        store_and_roll_up(conn, [(neighbour, before, {"pm25": 6.0}, 0)])
        area_before, stat_before = public_figures(client)
        assert area_before["mean"] is not None and stat_before["mean"] is not None
        # One batch: the attack and a valid reading of the neighbour (the same value again: the means stay put).
        store_and_roll_up(conn, [(kit, now, values, flags), (neighbour, now, {"pm25": 6.0}, 0)])
        hour = now.replace(minute=0, second=0)
        assert rollup(conn, kit, hour) == (1, 0, 999999.0, None)  # raw mean kept, no clean mean
        assert conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (neighbour,)).fetchone()[0] == 2

    area, stat = public_figures(client)
    assert (area["mean"], area["kits"], area["band"]) == (area_before["mean"], area_before["kits"], area_before["band"])
    assert area["n_excluded"] == area_before["n_excluded"] + 1
    assert (stat["mean"], stat["max"], stat["n_hours"]) == (
        stat_before["mean"],
        stat_before["max"],
        stat_before["n_hours"],
    )
    assert stat["percentiles"] == stat_before["percentiles"]
    assert stat["n_excluded"] == stat_before["n_excluded"] + 1
    (kit_stat,) = client.get("/v1/stats", params={"kits": kit}).json()["results"]
    assert (kit_stat["n_hours"], kit_stat["mean"], kit_stat["n_excluded"]) == (0, None, 1)

    # Still stored and visible per kit: raw readings, the hourly rollup's raw mean, the map with its raw value.
    window = {"kits": kit, "quantities": "pm25", "start": (now - timedelta(hours=1)).isoformat()}
    (raw,) = client.get("/v1/series", params=window).json()["results"]
    assert (raw["value"], raw["flags"]) == (999999.0, flags)
    (hourly,) = client.get("/v1/series", params={**window, "resolution": "hour"}).json()["results"]
    assert (hourly["value"], hourly["n"], hourly["n_clean"], hourly["clean_value"]) == (999999.0, 1, 0, None)
    clean_hours = client.get("/v1/series", params={**window, "kits": neighbour, "resolution": "hour"}).json()
    assert clean_hours["results"] and all(r["n_clean"] == r["n"] for r in clean_hours["results"])  # all clean
    features = client.get("/v1/map/latest", params={"quantity": "pm25"}).json()["features"]
    props = next(f["properties"] for f in features if f["id"] == kit)
    assert (props["value"], props["flags"], props["excluded"], props["band"]) == (999999.0, flags, True, None)
    props = next(f["properties"] for f in features if f["id"] == neighbour)
    assert (props["value"], props["excluded"]) == (6.0, False) and props["band"] is not None
    span = {"start": hour.isoformat(), "end": (hour + timedelta(hours=1)).isoformat()}
    hourly_map = client.get("/v1/map/hourly", params={"quantity": "pm25", **span}).json()
    assert hourly_map["kits"][kit] == [None] and hourly_map["excluded"][kit] == [1]
    assert hourly_map["kits"][neighbour] == [6.0] and neighbour not in hourly_map["excluded"]


def test_a_stuck_sensor_is_left_out_once_its_flatline_is_detected(client, rolled_up, online_kit, settings):
    neighbour, kit = online_kit("neighbour"), online_kit("stuck")
    before, now = moments()
    history = KitHistory()
    readings = []
    for minutes in range(90, -1, -10):  # the same 250 µg/m³ every 10 minutes for an hour and a half
        t = now - timedelta(minutes=minutes)
        values = {"pm25": 250.0}
        flags = quality.reading_flags({**NONE, **values}, 0) | history.check(t.timestamp(), values)
        readings.append((kit, t, values, flags))
    assert [f for *_, f in readings] == [0] * 6 + [quality.FLATLINE] * 4  # flagged from an hour of the same value
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        store_and_roll_up(conn, [(neighbour, before, {"pm25": 6.0}, 0)])
        area_before, _ = public_figures(client)
        assert area_before["mean"] is not None
        store_and_roll_up(conn, readings)
        hour = now.replace(minute=0, second=0)
        n, n_clean, mean, clean_mean = rollup(conn, kit, hour)
        in_hour = [f for _, t, _, f in readings if t >= hour]
        assert (n, n - n_clean) == (len(in_hour), in_hour.count(quality.FLATLINE))
        assert mean == 250.0 and clean_mean == (250.0 if n_clean else None)  # readings before detection count

    area, _ = public_figures(client)
    assert (area["mean"], area["kits"]) == (area_before["mean"], area_before["kits"])
    assert area["n_excluded"] == area_before["n_excluded"] + 1
    (raw,) = client.get(
        "/v1/series", params={"kits": kit, "quantities": "pm25", "start": (now - timedelta(minutes=5)).isoformat()}
    ).json()["results"]
    assert (raw["value"], raw["flags"]) == (250.0, quality.FLATLINE)
