"""Reference-data benchmark: prints figures, asserts nothing about time.   .venv/bin/python bench/reference/run.py

Runs on its own private PostgreSQL (state in .state/bench-reference, port IJLUCHT_BENCH_PG_PORT, default 25496) and
a fresh database. Measures, on this machine:
  (a) `ijlucht import` of one year of hourly data for 10 Luchtmeetnet stations (PM2.5, PM10, NO2: 262,800 values,
      multi-station CSV form) and 2 KNMI stations (17,520 hours, uurgegevens form), then the same files again
      (the idempotent pass that changes nothing);
  (b) one calibration fit (kohler-linear-v1 with leave-one-month-out) on a year of one kit, read from the database:
      a kit of another network (hourly means) and an IJlucht kit (a reading a minute, corrected one by one);
  (c) the κ-Köhler correction of one million raw readings (the cost of applying it on the fly).
The year is built from the real shipped series (NL49570, KNMI 240, HLL_545 beside NL49570), repeated to 8,760 hours.
"""

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "IJLUCHT_STATE_DIR": str(ROOT / ".state" / "bench-reference"),
    "IJLUCHT_PG_PORT": os.environ.get("IJLUCHT_BENCH_PG_PORT", "25496"),
    "IJLUCHT_PG_DBNAME": "ijlucht_bench",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psycopg  # noqa: E402

from ijlucht import calibrations, db  # noqa: E402
from ijlucht.science import calibration, correction  # noqa: E402
from ijlucht.settings import PlatformSettings  # noqa: E402
from ingest.sources import knmi, luchtmeetnet, samenmeten  # noqa: E402
from ingest.sources.imports import import_file  # noqa: E402
from ingest.sources.store import store_kit_hours, store_reference  # noqa: E402

REFERENCE = ROOT / "data" / "reference"
HOURS = 8760
YEAR = datetime(2024, 1, 1, tzinfo=UTC)
STATIONS = [f"NL4957{i}" for i in range(10)]


def sh(*args: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy/local/services.sh"), *args], check=True, env={**os.environ})


def write_year(folder: Path) -> list[Path]:
    """10 station files and 2 KNMI files, one year each, values cycled from the real shipped series."""
    pm = np.array([r.value for r in luchtmeetnet.parse_file(REFERENCE / "luchtmeetnet" / "NL49570.csv").rows])
    weather = knmi.parse_file(REFERENCE / "knmi" / "KNMI_240_2023.csv").rows
    files = []
    for k, station in enumerate(STATIONS):
        path = folder / f"{station}_year.csv"
        with path.open("w") as f:
            f.write("station_number,date,pm25,pm10,NO2\n")
            for h in range(HOURS):
                v = pm[(h + 97 * k) % len(pm)]
                label = YEAR + timedelta(hours=h + 1)  # end-of-hour labels, as Luchtmeetnet writes them
                f.write(f"{station},{label:%Y-%m-%d %H:%M:%S},{v},{round(v * 1.6, 1)},{round(v * 2.1 + 5, 1)}\n")
        files.append(path)
    for station in ("225", "240"):
        path = folder / f"knmi_{station}_year.txt"
        with path.open("w") as f:
            f.write("# STN,YYYYMMDD,   HH,   DD,   FH,    T,    U\n")
            for h in range(HOURS):
                w = weather[h % len(weather)]
                start = YEAR + timedelta(hours=h)
                dd = {"calm": 0, "variable": 990}.get(w.wind_state or "", w.wind_dir or "")
                ff = "" if w.wind_speed is None else int(w.wind_speed * 10)
                t = "" if w.temperature is None else int(w.temperature * 10)
                u = "" if w.humidity is None else int(w.humidity)
                f.write(f"  {station},{start:%Y%m%d},{start.hour + 1:5d},{dd:>5},{ff:>5},{t:>5},{u:>5}\n")
        files.append(path)
    return files


def bench_import(settings: PlatformSettings, files: list[Path]) -> None:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        for label in ("first import", "same files again"):
            t0 = time.perf_counter()
            rows = written = 0
            for path in files:
                report = import_file(conn, "knmi" if path.suffix == ".txt" else "luchtmeetnet", path)
                assert not report.problems, report.problems[:3]
                rows, written = rows + report.rows, written + report.written
            dt = time.perf_counter() - t0
            print(f"(a) {label}: {len(files)} files, {rows:,} rows ({written:,} written) in {dt:.2f} s "
                  f"= {rows / dt:,.0f} rows/s")  # fmt: skip


def bench_calibration(settings: PlatformSettings) -> None:
    kit = samenmeten.parse_file(REFERENCE / "samenmeten" / "HLL_545.csv").rows
    ref = {r.hour: r.value for r in luchtmeetnet.parse_file(REFERENCE / "luchtmeetnet" / "NL49570.csv").rows}
    pairs = [(k, ref[k.hour]) for k in kit if k.hour in ref and k.pm25 is not None]
    kit_rows, ref_rows = [], []
    for h in range(HOURS):
        k, value = pairs[h % len(pairs)]
        hour = YEAR + timedelta(hours=h)
        kit_rows.append(k.__class__("HLL_BENCH", hour, k.pm25, None, k.t, k.rh))
        ref_rows.append(luchtmeetnet.ReferenceValue("NL49579", "PM25", hour, value))
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        store_kit_hours(conn, kit_rows)
        store_reference(conn, ref_rows)
        t0 = time.perf_counter()
        frame = calibrations.paired_hours(conn, samenmeten.platform_kit_id("HLL_BENCH"), "NL49579", None, None)
        t1 = time.perf_counter()
        record = calibration.calibrate(frame)
        t2 = time.perf_counter()
        calibrations.save(conn, record, samenmeten.platform_kit_id("HLL_BENCH"), "NL49579")
        t3 = time.perf_counter()
    print(f"(b) calibration of one kit of another network (hourly), {record.n:,} paired hours, 12 months: read "
          f"{t1 - t0:.2f} s, fit + leave-one-month-out {t2 - t1:.2f} s, store {t3 - t2:.3f} s; total {t3 - t0:.2f} s "
          f"(cv RMSE {record.metrics['cv']['rmse']} vs raw {record.metrics['raw']['rmse']})")  # fmt: skip
    bench_own_kit(settings, kit_rows)


def bench_own_kit(settings: PlatformSettings, hours: list) -> None:
    """An IJlucht kit at one reading a minute for the same year: 525,600 raw readings, corrected one by one."""
    rng = np.random.default_rng(2)
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO kits (kit_id, name) VALUES ('bench-colo', 'bench') ON CONFLICT DO NOTHING")
        with conn.cursor().copy("COPY readings (kit_id, time, pm25, rh) FROM STDIN") as copy:
            for k in hours:
                if k.pm25 is None or k.rh is None:
                    continue
                for minute, wobble in enumerate(rng.uniform(-0.3, 0.3, 60)):
                    copy.write_row(("bench-colo", k.hour + timedelta(minutes=minute), k.pm25 * (1 + wobble),
                                    min(100.0, max(1.0, k.rh + 10 * wobble))))  # fmt: skip
        t0 = time.perf_counter()
        readings, ref = calibrations.reading_pairs(conn, "bench-colo", "NL49579", None, None)
        t1 = time.perf_counter()
        record = calibration.calibrate_readings(readings, ref)
        t2 = time.perf_counter()
    print(f"(b) calibration of one IJlucht kit on {len(readings):,} raw readings ({record.n:,} hours): read "
          f"{t1 - t0:.2f} s, fit + leave-one-month-out {t2 - t1:.2f} s "
          f"(cv RMSE {record.metrics['cv']['rmse']} vs raw {record.metrics['raw']['rmse']})")  # fmt: skip


def bench_correction() -> None:
    rng = np.random.default_rng(1)
    pm, rh = rng.uniform(0, 80, 1_000_000), rng.uniform(20, 100, 1_000_000)
    t0 = time.perf_counter()
    correction.correct(pm, rh, 0.35)
    dt = time.perf_counter() - t0
    print(f"(c) κ-Köhler on 1,000,000 raw readings: {dt * 1000:.0f} ms = {1_000_000 / dt:,.0f} readings/s")


def main() -> None:
    settings = PlatformSettings()
    sh("start", "postgres")
    try:
        db.recreate_database(settings)
        with tempfile.TemporaryDirectory() as tmp:
            bench_import(settings, write_year(Path(tmp)))
        bench_calibration(settings)
        bench_correction()
    finally:
        sh("stop", "postgres")


if __name__ == "__main__":
    main()
