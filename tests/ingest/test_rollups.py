"""Rollups against the real database: right after the first batch and still right after late data."""

from datetime import UTC, datetime, timedelta

from ijlucht import quality
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


def clean(conn, table, kit, bucket, quantity="pm25"):
    return conn.execute(
        f"SELECT n, n_clean, mean, clean_mean, clean_min, clean_max FROM {table}"
        " WHERE kit_id = %s AND quantity = %s AND bucket = %s",
        (kit, quantity, bucket),
    ).fetchone()


def test_rollups_keep_a_clean_mean_without_readings_that_carry_an_unclean_flag(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    oor, flat, humid = quality.OUT_OF_RANGE, quality.FLATLINE, quality.HIGH_HUMIDITY
    store(
        conn,
        kit,
        [
            (HOUR + timedelta(minutes=1), {"pm25": 10.0, "t": 15.0}, 0),
            (HOUR + timedelta(minutes=2), {"pm25": 999999.0, "t": 15.0}, oor),  # t of this reading goes too
            (HOUR + timedelta(minutes=3), {"pm25": 30.0, "t": 17.0}, humid),  # flagged but not unclean
            (HOUR + timedelta(minutes=11), {"pm25": 40.0}, flat),
            (HOUR + timedelta(minutes=12), {"pm25": 20.0}, 0),
        ],
    )
    drain(conn)
    n, n_clean, mean, clean_mean, lo, hi = clean(conn, "rollup_hourly", kit, HOUR)
    assert (n, n_clean, lo, hi) == (5, 3, 10.0, 30.0)
    assert abs(mean - (10 + 999999 + 30 + 40 + 20) / 5) < 1e-6 and abs(clean_mean - 20.0) < 1e-9
    assert clean(conn, "rollup_hourly", kit, HOUR, "t")[:2] == (3, 2)
    assert clean(conn, "rollup_10min", kit, HOUR)[:2] == (3, 2)
    assert clean(conn, "rollup_10min", kit, HOUR + timedelta(minutes=10))[:4] == (2, 1, 30.0, 20.0)
    day = datetime(2026, 5, 31, 22, tzinfo=UTC)
    assert (
        clean(conn, "rollup_daily", kit, day)[:2] == (5, 3)
        and abs(clean(conn, "rollup_daily", kit, day)[3] - 20) < 1e-9
    )


def test_an_hour_of_only_unclean_readings_has_no_clean_mean_and_the_day_weighs_clean_values(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    store(
        conn,
        kit,
        [(HOUR - timedelta(hours=1, minutes=-m), {"pm25": 5000.0}, quality.OUT_OF_RANGE) for m in (0, 30)]
        + [(HOUR + timedelta(minutes=m), {"pm25": float(m)}, 0) for m in (0, 10, 20, 30)]
        + [(HOUR - timedelta(hours=2), {"pm25": 30.0}, 0)],
    )
    drain(conn)
    assert clean(conn, "rollup_hourly", kit, HOUR - timedelta(hours=1)) == (2, 0, 5000.0, None, None, None)
    n, n_clean, _, clean_mean, lo, hi = clean(conn, "rollup_daily", kit, datetime(2026, 5, 31, 22, tzinfo=UTC))
    # 0, 10, 20, 30 and 30: weighted by readings, not by hours
    assert (n, n_clean, lo, hi) == (7, 5, 0.0, 30.0) and abs(clean_mean - 18.0) < 1e-9


def test_the_unclean_definition_decides_what_the_clean_mean_leaves_out(conn, make_kit, monkeypatch):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    readings = [(HOUR + timedelta(minutes=1), {"pm25": 10.0}, 0), (HOUR + timedelta(minutes=2), {"pm25": 50.0}, 8)]
    store(conn, kit, readings)
    drain(conn)
    assert clean(conn, "rollup_hourly", kit, HOUR)[1] == 2  # high humidity is not unclean by default
    monkeypatch.setattr(quality, "UNCLEAN", quality.UNCLEAN | quality.HIGH_HUMIDITY)
    store(conn, kit, readings)  # marks the hour again (duplicates are not stored twice)
    drain(conn)
    assert clean(conn, "rollup_hourly", kit, HOUR)[:4] == (2, 1, 30.0, 10.0)


def test_migration_025_fills_clean_columns_of_existing_rollups_and_recomputes_flagged_hours(settings, tmp_path):
    """Rollups written before 025: unflagged buckets are clean as they are; flagged ones are recomputed."""
    import shutil

    import psycopg
    from psycopg import sql

    from ijlucht import db

    name = f"{settings.pg_dbname}_m025"
    with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(settings.pg_user)))
    try:
        with psycopg.connect(settings.superuser_dsn(name), autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        for m in db.find_migrations():
            if m.version < 25:
                shutil.copy(m.path, tmp_path)
            elif m.version == 25:
                m025 = m
        dsn = psycopg.conninfo.make_conninfo(settings.dsn, dbname=name)
        db.migrate(dsn, tmp_path)
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("INSERT INTO kits (kit_id) VALUES ('old-kit')")
            c.execute(
                "INSERT INTO readings (time, kit_id, pm25, flags) VALUES"
                " (%(h)s, 'old-kit', 10, 0), (%(h)s + interval '1 min', 'old-kit', 999999, 1),"
                " (%(h)s + interval '1 hour', 'old-kit', 8, 0)",
                {"h": HOUR},
            )
            c.execute(  # what the rollups held before 025
                "INSERT INTO rollup_hourly (bucket, kit_id, quantity, n, n_flagged, mean, min, max) VALUES"
                " (%(h)s, 'old-kit', 'pm25', 2, 1, 500004.5, 10, 999999),"
                " (%(h)s + interval '1 hour', 'old-kit', 'pm25', 1, 0, 8, 8, 8)",
                {"h": HOUR},
            )
            shutil.copy(m025.path, tmp_path)
            assert [m.version for m in db.migrate(dsn, tmp_path)] == [25]
            rows = c.execute(
                "SELECT n_clean, clean_mean FROM rollup_hourly WHERE kit_id = 'old-kit' ORDER BY bucket"
            ).fetchall()
            assert rows == [(0, None), (1, 8.0)]  # the flagged hour waits for its recomputation
            assert c.execute("SELECT kit_id, hour FROM rollup_pending").fetchall() == [("old-kit", HOUR)]
            db.migrate(dsn)  # the later ones (030: per-flag counts) before the worker's code runs on it
            rows = c.execute("SELECT flag_counts FROM rollup_hourly WHERE kit_id = 'old-kit' ORDER BY bucket")
            assert rows.fetchall() == [(None,), ([0] * 8,)]  # 030: unflagged buckets count zeros, flagged ones wait
            drain(c)
            counts = c.execute(
                "SELECT flag_counts FROM rollup_hourly WHERE kit_id = 'old-kit' AND bucket = %s", (HOUR,)
            )
            assert counts.fetchone()[0] == [1, 0, 0, 0, 0, 0, 0, 0]
            assert clean(c, "rollup_hourly", "old-kit", HOUR)[:4] == (2, 1, 500004.5, 10.0)
    finally:
        with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_rollups_sql_and_quality_is_clean_agree_on_every_flag(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    bits = list(quality.NAMES)
    store(conn, kit, [(HOUR + timedelta(minutes=i), {"pm25": 1.0}, bit) for i, bit in enumerate(bits)])
    drain(conn)
    expected_clean = sum(quality.is_clean(bit) for bit in bits)
    assert 0 < expected_clean < len(bits)
    assert clean(conn, "rollup_hourly", kit, HOUR)[:2] == (len(bits), expected_clean)


def flag_counts(conn, table, kit, bucket, quantity="pm25"):
    row = conn.execute(
        f"SELECT flag_counts FROM {table} WHERE kit_id = %s AND quantity = %s AND bucket = %s", (kit, quantity, bucket)
    ).fetchone()
    return dict(zip(quality.NAMES.values(), row[0], strict=True))


def test_hourly_and_daily_rollups_count_the_readings_of_each_flag(conn, make_kit):
    kit, _ = make_kit(created_at=HOUR - timedelta(days=30))
    both = quality.HIGH_HUMIDITY | quality.SPIKE
    store(
        conn,
        kit,
        [
            (HOUR, {"pm25": 5.0}, 0),
            (HOUR + timedelta(minutes=1), {"pm25": 6.0}, both),  # counts under each of its flags
            (HOUR + timedelta(minutes=2), {"pm25": 7.0}, quality.HIGH_HUMIDITY),
            (HOUR - timedelta(hours=1), {"pm25": 8.0}, quality.FLATLINE),  # the same local day, the hour before
            (HOUR + timedelta(minutes=3), {"t": 9.0}, quality.OUT_OF_RANGE),  # no pm25: not in pm25's counts
        ],
    )
    drain(conn)
    hour = flag_counts(conn, "rollup_hourly", kit, HOUR)
    assert hour == {**dict.fromkeys(quality.NAMES.values(), 0), "high_humidity": 2, "spike": 1}
    local_midnight = datetime(2026, 5, 31, 22, tzinfo=UTC)  # 1 June 00:00 in Amsterdam
    day = flag_counts(conn, "rollup_daily", kit, local_midnight)
    assert day == {**hour, "flatline": 1}
    assert flag_counts(conn, "rollup_hourly", kit, HOUR, "t")["out_of_range"] == 1
