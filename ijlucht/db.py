"""Database access shared by the services: connections and the migration runner.

Migrations are numbered .sql files in ijlucht/migrations, applied in order, each in its own transaction,
and recorded in schema_migrations with the SHA-256 of the file so each runs once and an applied file that was
changed afterwards is refused (an upgrade must add a new migration, never edit an old one).
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from ijlucht.settings import PlatformSettings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class MigrationChanged(RuntimeError):
    """An applied migration's file is no longer the one that ran: the database and the code disagree."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def find_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migrations in version order; a misnamed file or a repeated number is an error, not skipped."""
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file name {path.name!r} does not match NNN_name.sql")
        version = int(m.group(1))
        if version in found:
            raise ValueError(f"two migrations with number {version:03d}: {found[version].path.name}, {path.name}")
        found[version] = Migration(version, m.group(2), path)
    return [found[v] for v in sorted(found)]


def applied_checksums(conn: psycopg.Connection) -> dict[int, str | None]:
    """version -> checksum of what ran (None for rows recorded before checksums existed)."""
    # The runner's own bookkeeping table, so it is made here rather than by a migration.
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    conn.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text")
    return {row[0]: row[1] for row in conn.execute("SELECT version, checksum FROM schema_migrations")}


def check_applied(mig: Migration, recorded: str | None) -> None:
    """Refuse a migration file that differs from the one that ran (pure)."""
    if recorded is not None and recorded != mig.checksum:
        raise MigrationChanged(
            f"migration {mig.path.name} was changed after it was applied (recorded sha256 {recorded[:12]}…, file "
            f"now {mig.checksum[:12]}…): restore the file as it was and put the change in a new migration"
        )


def migrate(dsn: str, folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply the migrations not yet recorded; returns those applied now."""
    done: list[Migration] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        # One runner at a time: services starting together must not race on the schema.
        conn.execute("SELECT pg_advisory_lock(4242001)")
        try:
            have = applied_checksums(conn)
            found = find_migrations(folder)
            for mig in found:  # every check before any change: a refused upgrade leaves the schema as it was
                if mig.version in have:
                    check_applied(mig, have[mig.version])
            for mig in found:
                if mig.version in have:
                    if have[mig.version] is None:  # applied before checksums: the file as it is now is the record
                        conn.execute(
                            "UPDATE schema_migrations SET checksum = %s WHERE version = %s", (mig.checksum, mig.version)
                        )
                    continue
                with conn.transaction():
                    conn.execute(mig.path.read_text(encoding="utf-8"))  # type: ignore[arg-type]
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (mig.version, mig.name, mig.checksum),
                    )
                done.append(mig)
        finally:
            conn.execute("SELECT pg_advisory_unlock(4242001)")
    return done


def recreate_database(settings: PlatformSettings) -> None:
    """Drop the settings' database and create it empty, with TimescaleDB and every migration (tests, benchmarks).

    Connects as the private instance's superuser with its password from the secrets folder (deploy/local/services.sh).
    """
    name, owner = sql.Identifier(settings.pg_dbname), sql.Identifier(settings.pg_user)
    with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(name, owner))
    with psycopg.connect(settings.superuser_dsn(settings.pg_dbname), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    migrate(settings.dsn)


def timescaledb_license(conn: psycopg.Connection) -> str:
    """'apache' on Debian's build; 'timescale' where continuous aggregates and compression exist."""
    row = conn.execute("SHOW timescaledb.license").fetchone()
    return str(row[0]) if row else "unknown"


def rows_as_dicts(cur: psycopg.Cursor) -> Iterator[dict]:
    names = [c.name for c in cur.description or []]
    for row in cur:
        yield dict(zip(names, row, strict=True))
