"""Direction analysis and source exposure benchmark: prints figures, asserts nothing about time.
    .venv/bin/python bench/attribution/run.py [--kits 1000] [--calls 20]

Runs on its own private PostgreSQL (state in .state/bench-attribution, port IJLUCHT_BENCH_PG_PORT, default 25497)
and a fresh database, through the real API (one uvicorn process). Builds 1,000 public outdoor kits spread over the
IJmond (lat 52.42–52.54, lon 4.53–4.72), each with a year of hourly PM2.5 rollups (the real 2023 series of the six
stations, shifted per kit and repeated to 8,760 hours), and a year of KNMI 225 wind (the real 2023 wind, repeated).
Measures:
  (a) the one-off computation of the map's per-day sums and hourly background for the year (ijlucht analyse map
      --refresh does the same);
  (b) GET /v1/direction (background none and regional) and GET /v1/exposure (regional, the default) for one kit
      over the year: p50 and p90 of `--calls` calls, a different kit each time, among the first 100;
  (c) GET /v1/exposure/map for the year with all 1,000 kits: p50 and p90.
Targets (issue 16): (b) p50 < 300 ms, (c) < 500 ms.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "IJLUCHT_STATE_DIR": str(ROOT / ".state" / "bench-attribution"),
    "IJLUCHT_PG_PORT": os.environ.get("IJLUCHT_BENCH_PG_PORT", "25497"),
    "IJLUCHT_PG_DBNAME": "ijlucht_bench",
    "IJLUCHT_API_PORT": os.environ.get("IJLUCHT_BENCH_API_PORT", "25597"),
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
import psycopg  # noqa: E402

from ijlucht import db  # noqa: E402
from ijlucht.settings import PlatformSettings  # noqa: E402
from ingest.sources import knmi, luchtmeetnet  # noqa: E402
from ingest.sources.store import store_weather  # noqa: E402

REFERENCE = ROOT / "data" / "reference"
HOURS = 8760
YEAR = datetime(2024, 1, 1, tzinfo=UTC)
STATIONS = ("NL49551", "NL49553", "NL49570", "NL49572", "NL49573")


def sh(*args: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy/local/services.sh"), *args], check=True, env={**os.environ})


def build(settings: PlatformSettings, n_kits: int) -> None:
    series = []
    for s in STATIONS:
        v = np.array([r.value for r in luchtmeetnet.parse_file(REFERENCE / "luchtmeetnet" / f"{s}.csv").rows])
        series.append(np.resize(np.maximum(v, 0.1), HOURS))
    wind = knmi.parse_file(REFERENCE / "knmi" / "KNMI_225_2023.csv").rows
    rows = [replace(wind[h % len(wind)], hour=YEAR + timedelta(hours=h)) for h in range(HOURS)]
    rng = np.random.default_rng(16)
    lats, lons = rng.uniform(52.42, 52.54, n_kits), rng.uniform(4.53, 4.72, n_kits)
    t0 = time.perf_counter()
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        store_weather(conn, rows)
        with conn.cursor().copy(
            "COPY kits (kit_id, name, lat, lon, public_lat, public_lon, created_at) FROM STDIN"
        ) as c:
            for i in range(n_kits):
                c.write_row((f"bench-{i:04d}", f"bench {i}", lats[i], lons[i], lats[i], lons[i], YEAR))
        conn.execute("UPDATE kit_versions SET valid_from = %s WHERE kit_id LIKE 'bench-%%'", (YEAR,))
        hours = [YEAR + timedelta(hours=h) for h in range(HOURS)]
        with conn.cursor(binary=True).copy(
            "COPY rollup_hourly (bucket, kit_id, quantity, n, n_flagged, mean, min, max, n_clean, clean_mean)"
            " FROM STDIN (FORMAT BINARY)"
        ) as c:
            c.set_types(["timestamptz", "text", "text", "int4", "int4", "float8", "float4", "float4", "int4", "float8"])
            for i in range(n_kits):
                v = np.roll(series[i % len(series)], 7 * i) * rng.uniform(0.8, 1.2)
                kit = f"bench-{i:04d}"
                for h in range(HOURS):
                    x = float(v[h])
                    c.write_row((hours[h], kit, "pm25", 60, 0, x, x, x, 60, x))
        conn.execute("ANALYZE")
    print(f"set-up: {n_kits:,} kits × {HOURS:,} hourly rollups ({n_kits * HOURS:,} rows) and a year of wind in "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip


def refresh(settings: PlatformSettings) -> None:
    from api import attribution

    async def run() -> int:
        async with await psycopg.AsyncConnection.connect(settings.dsn, autocommit=True) as conn:
            days = [(YEAR + timedelta(days=i)).date() for i in range(HOURS // 24)]
            emitter = attribution.emitter_list(["tata-steel-ijmuiden"])[0]
            return await attribution.refresh_map_days(conn, emitter, "pm25", "225", days)

    t0 = time.perf_counter()
    stored = asyncio.run(run())
    print(f"(a) per-day sums and hourly background for a year, all kits: {stored:,} day rows in "
          f"{time.perf_counter() - t0:.1f} s (once; then only days that may still change)")  # fmt: skip


def serve(settings: PlatformSettings):
    import uvicorn

    from api.app import create_app
    from api.settings import ApiSettings

    server = uvicorn.Server(uvicorn.Config(create_app(ApiSettings()), host="127.0.0.1", port=settings.api_port,
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        try:
            if httpx.get(f"{settings.api_url}/v1/health", timeout=1).status_code == 200:
                return server, thread
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("API did not come up")


def timed(client: httpx.Client, path: str, params_for, calls: int) -> tuple[float, float]:
    times = []
    for i in range(calls):
        t0 = time.perf_counter()
        r = client.get(path, params=params_for(i))
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text[:300]
    return float(np.percentile(times, 50) * 1000), float(np.percentile(times, 90) * 1000)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kits", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=20)
    args = ap.parse_args()
    settings = PlatformSettings()
    sh("start", "postgres")
    server = None
    try:
        db.recreate_database(settings)
        build(settings, args.kits)
        refresh(settings)
        server, thread = serve(settings)
        year = {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T00:00:00Z"}
        with httpx.Client(base_url=settings.api_url, timeout=120) as client:
            client.get("/v1/exposure/map", params=year)  # warm: the first call finds every day computed
            for label, path, extra in (
                ("direction, background none", "/v1/direction", {}),
                ("direction, background regional", "/v1/direction", {"background": "regional"}),
                ("exposure, background regional (default)", "/v1/exposure", {}),
            ):
                p50, p90 = timed(client, path, lambda i, e=extra: {"source": f"kit:bench-{i % 100:04d}", **year, **e},
                                 args.calls)  # fmt: skip
                print(f"(b) {label}, one kit, a year: p50 {p50:.0f} ms, p90 {p90:.0f} ms (target p50 < 300 ms)")
            p50, p90 = timed(client, "/v1/exposure/map", lambda i: year, args.calls)
            n = len(client.get("/v1/exposure/map", params=year).json()["results"])
            print(f"(c) exposure map layer, {n:,} kits, a year: p50 {p50:.0f} ms, p90 {p90:.0f} ms (target < 500 ms)")
    finally:
        if server is not None:
            server.should_exit = True
            thread.join(10)
        sh("stop", "postgres")


if __name__ == "__main__":
    main()
