"""Trend benchmark: prints figures, asserts nothing about time.   .venv/bin/python bench/trend/run.py

On its own private PostgreSQL (state in .state/bench-trend, port IJLUCHT_BENCH_TREND_PG_PORT, default 25511) and a
fresh database. Loads one kit with two years (2021–2022) of hourly means and the real KNMI 225 wind of 2020–2023
(data/reference/knmi_2020_2023), then, against the real API served by uvicorn (one process, as `make up` runs it),
measures p50/p99 over sequential calls of:
  (a) GET /v1/trend for the kit over the two years, plain and with normalise=weather (target p50 < 500 ms);
  (b) GET /v1/compare of 2021 against 2022 for the kit, with the weather-normalised difference (target p50 < 500 ms);
and (c) the science alone (no database, no HTTP) on the same arrays, to show where the time goes.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "IJLUCHT_STATE_DIR": str(ROOT / ".state" / "bench-trend"),
    "IJLUCHT_PG_PORT": os.environ.get("IJLUCHT_BENCH_TREND_PG_PORT", "25511"),
    "IJLUCHT_PG_DBNAME": "ijlucht_bench_trend",
    "IJLUCHT_API_RATE_EXEMPT": '["127.0.0.1", "::1"]',
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import psycopg  # noqa: E402

from ijlucht import db  # noqa: E402
from ijlucht.science import compare, deweather, trend  # noqa: E402
from ijlucht.settings import PlatformSettings  # noqa: E402
from ingest.sources.imports import import_file  # noqa: E402

KIT = "bench-trend-01"
WIND = ROOT / "data" / "reference" / "knmi_2020_2023" / "KNMI_225_2020-2023.csv"
PORT = 18721
CALLS = 30


def sh(*args: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy/local/services.sh"), *args], check=True, env={**os.environ})


def load(settings: PlatformSettings) -> np.ndarray:
    hours = pd.date_range("2021-01-01", "2022-12-31 23:00", freq="h", tz="UTC")
    rng = np.random.default_rng(5)
    years = np.arange(hours.size) / 8766.0
    values = 12 - years + 3 * np.cos(2 * np.pi * hours.day_of_year.to_numpy() / 365.25) + rng.gamma(2, 2, hours.size)
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        report = import_file(conn, "knmi", WIND)
        assert not report.problems, report.problems[:3]
        conn.execute(
            "INSERT INTO kits (kit_id, name, lat, lon, public_lat, public_lon) VALUES (%s, 'bench', 52.4935, 4.601,"
            " 52.4935, 4.601)",
            (KIT,),
        )
        with conn.cursor().copy(
            "COPY rollup_hourly (bucket, kit_id, quantity, n, n_flagged, mean, min, max, n_clean, clean_mean,"
            " clean_min, clean_max) FROM STDIN"
        ) as copy:
            for t, v in zip(hours, values, strict=True):
                copy.write_row((t.to_pydatetime(), KIT, "pm25", 60, 0, v, v, v, 60, v, v, v))
        conn.execute("VACUUM ANALYZE")
    print(f"loaded: {report.rows:,} hours of KNMI 225 wind, {hours.size:,} hourly means of one kit")
    return values


def start_api() -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "api"], env={**os.environ, "IJLUCHT_API_PORT": str(PORT)}, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("API did not come up")


def latencies(client: httpx.Client, path: str, params: dict) -> tuple[float, float]:
    for _ in range(3):
        client.get(path, params=params).raise_for_status()
    times = []
    for _ in range(CALLS):
        t = time.perf_counter()
        client.get(path, params=params).raise_for_status()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(CALLS - 1, int(CALLS * 0.99))]


def bench_api() -> None:
    span = {"source": f"kit:{KIT}", "start": "2021-01-01T00:00:00Z", "end": "2023-01-01T00:00:00Z"}
    periods = {
        "source": f"kit:{KIT}",
        "before_start": "2021-01-01T00:00:00Z",
        "before_end": "2022-01-01T00:00:00Z",
        "after_start": "2022-01-01T00:00:00Z",
        "after_end": "2023-01-01T00:00:00Z",
    }
    proc = start_api()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=60) as c:
            for label, path, params in (
                ("(a) /v1/trend, two years, plain          ", "/v1/trend", span),
                ("(a) /v1/trend, two years, normalise=weather", "/v1/trend", {**span, "normalise": "weather"}),
                ("(b) /v1/compare, 2021 vs 2022, normalised ", "/v1/compare", periods),
            ):
                p50, p99 = latencies(c, path, params)
                print(f"{label}: p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   (target p50 < 500 ms, {CALLS} calls)")
            meta = c.get("/v1/trend", params={**span, "normalise": "weather"}).json()["meta"]
            print(f"    slope {meta['slope_per_year']:.2f} [{meta['slope_low']:.2f}, {meta['slope_high']:.2f}]"
                  " µg/m³ per year (built with −1.00)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bench_science(values: np.ndarray) -> None:
    hours = pd.date_range("2021-01-01", "2022-12-31 23:00", freq="h", tz="UTC")
    rng = np.random.default_rng(6)
    cells = rng.integers(0, deweather.CALM, hours.size)
    months = trend.month_number(hours)
    t0 = time.perf_counter()
    normal = deweather.normalised(values, cells, hours.hour.to_numpy(), months - months[0], deweather.climate(cells))
    t1 = time.perf_counter()
    trend.trend(months, values, months[0], months[-1], normal, {"e": (cells < 10, np.ones(hours.size, bool))})
    t2 = time.perf_counter()
    days = compare.day_number(hours)
    half = hours < pd.Timestamp("2022-01-01", tz="UTC")
    compare.difference(days[half], values[half], days[~half], values[~half])
    t3 = time.perf_counter()
    print(f"(c) science alone: weather model {1000 * (t1 - t0):.0f} ms, trend with one increment "
          f"{1000 * (t2 - t1):.0f} ms, one before/after difference {1000 * (t3 - t2):.0f} ms")  # fmt: skip


def main() -> None:
    settings = PlatformSettings()
    sh("start", "postgres")
    try:
        db.recreate_database(settings)
        values = load(settings)
        bench_api()
        bench_science(values)
    finally:
        sh("stop", "postgres")


if __name__ == "__main__":
    main()
