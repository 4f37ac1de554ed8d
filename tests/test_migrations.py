import uuid

import pytest

from ijlucht import db


def test_migrations_are_recorded_and_run_only_once(settings, conn):
    versions = [m.version for m in db.find_migrations()]
    assert versions == sorted(versions) and versions[0] == 1
    recorded = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert recorded == versions
    assert db.migrate(settings.dsn) == []  # a second run applies nothing


def test_readings_is_a_hypertable_unique_on_kit_and_time(conn, make_kit):
    kit, _ = make_kit()
    assert (
        conn.execute(
            "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'readings'"
        ).fetchone()[0]
        == 1
    )
    conn.execute("INSERT INTO readings (time, kit_id, pm25) VALUES ('2026-01-01T00:00Z', %s, 1)", (kit,))
    import psycopg

    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO readings (time, kit_id, pm25) VALUES ('2026-01-01T00:00Z', %s, 2)", (kit,))


def test_timescaledb_license_is_reported(conn):
    assert db.timescaledb_license(conn) in ("apache", "timescale")


def test_misnamed_or_repeated_migration_files_are_errors(tmp_path):
    (tmp_path / "001_a.sql").write_text("")
    (tmp_path / "001_b.sql").write_text("")
    with pytest.raises(ValueError, match="two migrations with number 001"):
        db.find_migrations(tmp_path)
    (tmp_path / "001_b.sql").unlink()
    (tmp_path / "2_c.sql").write_text("")
    with pytest.raises(ValueError, match="does not match"):
        db.find_migrations(tmp_path)


def test_a_kit_cannot_be_deleted_so_no_reading_loses_its_kit(conn, make_kit):
    import psycopg

    kit, _ = make_kit()
    # Since migration 054 a kit without readings may go (an owner deleting it with its measurements); one with them not.
    conn.execute("INSERT INTO readings (time, kit_id, pm25) VALUES (now(), %s, 5)", (kit,))
    with pytest.raises(psycopg.errors.RestrictViolation, match="disable it instead"):
        conn.execute("DELETE FROM kits WHERE kit_id = %s", (kit,))
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id = %s", (kit,)).fetchone()[0] == 1


def test_an_applied_migration_that_changed_is_refused_with_its_name(settings, tmp_path):
    import psycopg
    from psycopg import sql

    name = f"ijlucht_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as su:
        su.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(settings.pg_user))
        )
    try:
        dsn = settings.model_copy(update={"pg_dbname": name}).dsn
        (tmp_path / "001_first.sql").write_text("CREATE TABLE t (a int);")
        assert [m.name for m in db.migrate(dsn, tmp_path)] == ["first"]
        (tmp_path / "001_first.sql").write_text("CREATE TABLE t (a int, b int);")
        (tmp_path / "002_second.sql").write_text("CREATE TABLE u (a int);")
        with pytest.raises(db.MigrationChanged, match=r"001_first\.sql was changed after it was applied"):
            db.migrate(dsn, tmp_path)
        with psycopg.connect(dsn) as c:  # refused before anything ran: 002 is not there
            assert c.execute("SELECT to_regclass('u')").fetchone()[0] is None
        # Rows from before checksums (NULL) take the file as it is, and a later change is then refused.
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("UPDATE schema_migrations SET checksum = NULL")
        assert [m.name for m in db.migrate(dsn, tmp_path)] == ["second"]
        (tmp_path / "002_second.sql").write_text("CREATE TABLE u (a bigint);")
        with pytest.raises(db.MigrationChanged, match=r"002_second\.sql"):
            db.migrate(dsn, tmp_path)
    finally:
        with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as su:
            su.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
