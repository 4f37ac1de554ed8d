"""Area statistics count each hour of a kit in the area where it stood when the hour began (kit history,
migration 052): a kit that moved keeps its past where it was."""

from datetime import UTC, datetime, timedelta

from ijlucht import kithistory
from ingest.rollups import refresh_rollups
from ingest.store import Batch, store_batch
from ingest.validate import Row
from tests.conftest import wait_for

BEVERWIJK = (52.4874, 4.6573)  # GM0375
IJMUIDEN = (52.458, 4.615)  # GM0453 Velsen


def test_area_statistics_count_each_hour_where_the_kit_stood(settings, conn, make_kit, api):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=50)
    kit_id, _ = make_kit("history", *BEVERWIJK, created_at=start - timedelta(minutes=30))
    batch = Batch()
    for i in range(4 * 12):  # four hours of 5-minute readings
        t = start + timedelta(minutes=5 * i)
        values = {"pm1": None, "pm25": 10.0 + i // 12, "pm10": 20.0, "t": 8.0, "rh": 70.0, "p": 1012.0}
        batch.rows.append((Row(t.timestamp(), kit_id, values, 0, i), t.timestamp()))
    store_batch(conn, batch)
    kithistory.move_kit(conn, settings, kit_id, *IJMUIDEN, valid_from=start + timedelta(hours=2))
    while refresh_rollups(conn):
        pass
    span = {"start": start.isoformat(), "end": (start + timedelta(hours=4)).isoformat(), "quantity": "pm25"}
    got = {}
    for code in ("GM0375", "GM0453"):
        r = api.get("/v1/stats", params={**span, "municipality": code})
        assert r.status_code == 200, r.text
        [item] = r.json()["results"]
        got[code] = (item["n_hours"], item["mean"])
    assert got == {"GM0375": (2, 10.5), "GM0453": (2, 12.5)}


def test_the_hourly_map_draws_a_moved_kit_where_it_stood_in_each_hour(settings, conn, make_kit, api):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
    kit_id, _ = make_kit("hourmove", *BEVERWIJK, created_at=start - timedelta(minutes=30))
    batch = Batch()
    for i in range(4 * 6):  # four hours of 10-minute readings
        t = start + timedelta(minutes=10 * i)
        values = {"pm1": None, "pm25": 10.0 + i // 6, "pm10": 20.0, "t": 8.0, "rh": 70.0, "p": 1012.0}
        batch.rows.append((Row(t.timestamp(), kit_id, values, 0, i), t.timestamp()))
    store_batch(conn, batch)
    old = conn.execute("SELECT public_lon, public_lat FROM kits WHERE kit_id = %s", (kit_id,)).fetchone()
    kithistory.move_kit(conn, settings, kit_id, *IJMUIDEN, valid_from=start + timedelta(hours=2))
    new = conn.execute("SELECT public_lon, public_lat FROM kits WHERE kit_id = %s", (kit_id,)).fetchone()
    while refresh_rollups(conn):
        pass
    span = {"start": start.isoformat(), "end": (start + timedelta(hours=4)).isoformat(), "quantity": "pm25"}
    r = api.get("/v1/map/hourly", params=span)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["kits"][kit_id] == [10.0, 11.0, 12.0, 13.0]
    hours = answer["hours"]
    assert answer["positions"][kit_id] == [
        {"since": hours[0], "lon": old[0], "lat": old[1]},
        {"since": hours[2], "lon": new[0], "lat": new[1]},
    ]
    assert old != new
    # The dashboard draws it there: the old place for the first two hours, the new one after.
    from dashboard.markers import hour_markers, latest_markers

    def on_live_map():  # the latest map is cached a few seconds: wait for an answer with the new kit
        latest = api.get("/v1/map/latest", params={"quantity": "pm25"}).json()
        return [m for m in latest_markers(latest, "eaqi-2024") if m.kit_id == kit_id]

    [now] = wait_for(on_live_map, timeout=15, what="the kit on the live map")
    assert (now.lon, now.lat) == new
    drawn = [next(m for m in hour_markers([now], answer, h, "eaqi-2024")) for h in range(4)]
    assert [(m.lon, m.lat) for m in drawn] == [old, old, new, new]
    # Hours the kit spent indoors are not on the map.
    kithistory.move_kit(conn, settings, kit_id, *IJMUIDEN, indoor=True, valid_from=start + timedelta(hours=3))
    indoors = api.get("/v1/map/hourly", params=span).json()
    assert indoors["kits"][kit_id] == [10.0, 11.0, 12.0, None]
