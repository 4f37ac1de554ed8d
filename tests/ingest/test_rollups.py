"""Rollups against the real database: right after the first batch and still right after late data."""

from datetime import UTC, datetime, timedelta

from ingest.rollups import refresh_rollups
from ingest.store import Batch, store_batch
from ingest.validate import Row

NONE = dict.fromkeys(("pm1", "pm25", "pm10", "t", "rh", "p"))
HOUR = datetime(2026, 6, 1, 21, tzinfo=UTC)  # 23:00 in Amsterdam (CEST): the local day ends an hour later


def store(conn, kit, readings):
    batch = Batch(rows=[(Row(t.timestamp(), kit, {**NONE, **v}, f, None), t.timestamp()) for t, v, f in readings])
    return store_batch(conn, batch)


def rollup(conn, table, kit, bucket, quantity="pm25"):
    return conn.execute(
        f"SELECT n, n_flagged, mean, min, max FROM {table} WHERE kit_id = %s AND quantity = %s AND bucket = %s",
        (kit, quantity, bucket),
    ).fetchone()


def drain(conn):
    while refresh_rollups(conn):
        pass


def test_hourly_and_10min_rollups_aggregate_the_stored_readings(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    store(
        conn,
        kit,
        [(HOUR + timedelta(minutes=m), {"pm25": float(m), "t": 15.0}, 8 if m == 50 else 0) for m in (0, 10, 20, 50)],
    )
    drain(conn)
    n, flagged, mean, lo, hi = rollup(conn, "rollup_hourly", kit, HOUR)
    assert (n, flagged, lo, hi) == (4, 1, 0.0, 50.0) and abs(mean - 20.0) < 1e-9
    assert rollup(conn, "rollup_10min", kit, HOUR + timedelta(minutes=50))[:2] == (1, 1)
    assert rollup(conn, "rollup_hourly", kit, HOUR, "t")[0] == 4
    assert rollup(conn, "rollup_hourly", kit, HOUR, "pm10") is None  # no values, no row


def test_late_readings_update_the_rollups_and_duplicates_do_not_count(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    store(conn, kit, [(HOUR + timedelta(minutes=5), {"pm25": 10.0}, 0)])
    drain(conn)
    assert rollup(conn, "rollup_hourly", kit, HOUR)[0] == 1
    # A backlog arrives later: one new reading in the same hour, one already stored.
    store(
        conn,
        kit,
        [(HOUR + timedelta(minutes=5), {"pm25": 10.0}, 0), (HOUR + timedelta(minutes=35), {"pm25": 30.0}, 64)],
    )
    drain(conn)
    n, flagged, mean, _, _ = rollup(conn, "rollup_hourly", kit, HOUR)
    assert (n, flagged) == (2, 1) and abs(mean - 20.0) < 1e-9


def test_daily_rollup_follows_the_amsterdam_calendar_day(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    local_midnight = datetime(2026, 5, 31, 22, tzinfo=UTC)  # 1 June 00:00 in Amsterdam
    store(
        conn,
        kit,
        [
            (local_midnight - timedelta(minutes=30), {"pm25": 100.0}, 0),  # still 31 May locally
            (local_midnight + timedelta(hours=1), {"pm25": 4.0}, 0),
            (HOUR + timedelta(minutes=30), {"pm25": 8.0}, 0),  # 23:30 on 1 June locally
            (HOUR + timedelta(hours=2), {"pm25": 50.0}, 0),  # 01:00 on 2 June locally
        ],
    )
    drain(conn)
    n, _, mean, lo, hi = rollup(conn, "rollup_daily", kit, local_midnight)
    assert (n, lo, hi) == (2, 4.0, 8.0) and abs(mean - 6.0) < 1e-9
    assert rollup(conn, "rollup_daily", kit, local_midnight - timedelta(days=1))[0] == 1


def test_nothing_pending_after_refresh(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    store(conn, kit, [(HOUR, {"pm25": 1.0}, 0)])
    drain(conn)
    assert conn.execute("SELECT count(*) FROM rollup_pending WHERE kit_id = %s", (kit,)).fetchone()[0] == 0


def test_readings_committed_while_their_hour_is_being_rolled_up_are_not_lost(conn, settings, make_kit):
    """A batch that marks an hour, then commits after a refresh has read that hour, must leave it pending."""
    import psycopg

    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    store(conn, kit, [(HOUR + timedelta(minutes=1), {"pm25": 1.0}, 0)])
    with psycopg.connect(settings.dsn, autocommit=True) as ingest:
        with ingest.transaction():  # a worker's batch, not yet committed
            store(ingest, kit, [(HOUR + timedelta(minutes=2), {"pm25": 3.0}, 0)])
            drain(conn)  # the refresh cannot see the second reading yet
        drain(conn)  # committed now: its hour must still be pending
    assert rollup(conn, "rollup_hourly", kit, HOUR)[:3] == (2, 0, 2.0)
