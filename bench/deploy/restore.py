"""Restore benchmark: prints figures, asserts nothing about time.   .venv/bin/python bench/deploy/restore.py [--days N]

The question (issue 11): how long does a restore of one year of one-minute readings of 100 kits (52.6 million rows)
take? This fills a database on its own private PostgreSQL (state in .state/bench-restore, port
IJLUCHT_BENCH_RESTORE_PG_PORT, default 25494) with 100 kits x N days of one-minute readings (default 7: 1.0 million
rows), dumps it as deploy/server/backup.sh does (pg_dump -Fc) and restores it into a fresh database as
deploy/server/restore.sh does (timescaledb_pre_restore, pg_restore --exit-on-error without the extension entry,
timescaledb_post_restore, ANALYZE). It prints the times and rates and a linear estimate for the year; --days 365
measures the year itself (about 25 GB of disk and an hour or more here).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".state" / "bench-restore"
ENV = {
    "IJLUCHT_STATE_DIR": str(STATE),
    "IJLUCHT_PG_PORT": os.environ.get("IJLUCHT_BENCH_RESTORE_PG_PORT", "25494"),
    "IJLUCHT_PG_DBNAME": "ijlucht_bench",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from ijlucht import db  # noqa: E402
from ijlucht.settings import PG_SUPERUSER, PlatformSettings  # noqa: E402

KITS = 100
YEAR_ROWS = KITS * 365 * 1440


def fill(settings: PlatformSettings, days: int) -> int:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        for k in range(KITS):
            kit = f"bench-{k:03d}"
            conn.execute("INSERT INTO kits (kit_id, name, lat, lon) VALUES (%s, %s, 52.46, 4.6)", (kit, kit))
            conn.execute(
                "INSERT INTO readings (time, kit_id, pm1, pm25, pm10, t, rh, p, flags, seq)"
                " SELECT now() - g * interval '1 minute', %s, g %% 11, g %% 37, g %% 53, 12.5, 70, 1013, 0, g"
                " FROM generate_series(1, %s) g",
                (kit, days * 1440),
            )
        return conn.execute("SELECT count(*) FROM readings").fetchone()[0]  # type: ignore[index]


def pg(settings: PlatformSettings, tool: str, *args: str) -> None:
    env = {**os.environ, "PGPASSFILE": str(settings.pg_passfile(PG_SUPERUSER))}
    conn = ["-h", settings.pg_host, "-p", str(settings.pg_port), "-U", PG_SUPERUSER]
    subprocess.run([tool, *conn, *args], env=env, check=True, stderr=subprocess.DEVNULL if tool == "pg_dump" else None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    subprocess.run(["bash", str(ROOT / "deploy/local/services.sh"), "start", "postgres"], check=True)
    settings = PlatformSettings()
    target = "ijlucht_bench_restored"
    try:
        db.recreate_database(settings)
        t0 = time.monotonic()
        rows = fill(settings, args.days)
        print(f"filled {rows:,} readings of {KITS} kits ({args.days} days) in {time.monotonic() - t0:.0f} s")
        with tempfile.TemporaryDirectory(dir=STATE) as tmp:
            dump = Path(tmp) / "database.dump"
            t0 = time.monotonic()
            pg(settings, "pg_dump", "-Fc", "-d", settings.pg_dbname, "-f", str(dump))
            dumped = time.monotonic() - t0
            listing = Path(tmp) / "list"
            entries = subprocess.run(["pg_restore", "-l", str(dump)], capture_output=True, text=True, check=True)
            keep = [e for e in entries.stdout.splitlines() if "EXTENSION - timescaledb" not in e]
            listing.write_text("\n".join(keep) + "\n")
            with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as su:
                su.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
                su.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(target),
                                                                         sql.Identifier(settings.pg_user)))  # fmt: skip
            t0 = time.monotonic()
            with psycopg.connect(settings.superuser_dsn(target), autocommit=True) as su:
                su.execute("CREATE EXTENSION timescaledb")
                su.execute("SELECT timescaledb_pre_restore()")
            pg(settings, "pg_restore", "-d", target, "--exit-on-error", "-L", str(listing), str(dump))
            with psycopg.connect(settings.superuser_dsn(target), autocommit=True) as su:
                su.execute("SELECT timescaledb_post_restore()")
                su.execute("ANALYZE")
                restored = su.execute("SELECT count(*) FROM readings").fetchone()[0]  # type: ignore[index]
            took = time.monotonic() - t0
            size = dump.stat().st_size
        print(f"pg_dump -Fc: {dumped:.1f} s, {size / 1e6:.0f} MB ({size / rows:.1f} bytes a reading)")
        print(f"restore: {took:.1f} s for {restored:,} readings ({restored / took:,.0f} readings/s)")
        scale = YEAR_ROWS / rows
        print(
            f"estimate for a year of 100 kits ({YEAR_ROWS:,} readings), linear: dump {dumped * scale / 60:.0f} min,"
            f" restore {took * scale / 60:.0f} min, dump file {size * scale / 1e9:.1f} GB"
        )
        print("(readings only; the rollup tables add about a tenth; index builds grow a little faster than linear)")
    finally:
        with psycopg.connect(settings.superuser_dsn("postgres"), autocommit=True) as su:
            su.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
        subprocess.run(["bash", str(ROOT / "deploy/local/services.sh"), "stop", "postgres"], check=True)


if __name__ == "__main__":
    main()
