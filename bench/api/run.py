"""API benchmark: prints figures, asserts nothing about time.   .venv/bin/python bench/api/run.py

On its own private services (state in .state/bench-api, other ports) and a fresh database, so it never touches
`make up`, test or other bench data. Loads 10,000 public kits (5 % indoor) with a latest reading each, and a year
of hourly readings plus their hourly rollups for 100 of them; then, against the real API served by uvicorn
(one process, as `make up` runs it), measures:
  (a) p50/p99 of GET /v1/map/latest (10,000 kits) with the answer cache off: every call queries and serialises;
  (b) p50/p99 of GET /v1/series for a year of hourly PM2.5 of one kit (8,760 rows, one page), and of
      GET /v1/map/hourly for the last 7 days (the 100 kits with rollups; each hour at the kit's position then);
  (c) requests/s of the map call under load (wrk, or a Python asyncio client if wrk is missing) with the
      few-second cache on: clients revalidating with If-None-Match (304), and clients fetching the full body,
      plain and gzipped.
Latencies are measured twice: by a Python httpx client (includes its reading of the body) and, when wrk is
installed, by wrk over one connection (server and transfer only). While measuring, a background writer updates the
latest reading of ~170 kits a second, as 10,000 kits reporting once a minute would.
Options: --keep (reuse the loaded database), --duration S for each load run.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".state" / "bench-api"
ENV = {
    "IJLUCHT_STATE_DIR": str(STATE),
    "IJLUCHT_PG_PORT": "25502",
    "IJLUCHT_MQTT_PORT": "28902",
    "IJLUCHT_MQTT_TLS_PORT": "28903",
    "IJLUCHT_PG_DBNAME": "ijlucht_bench_api",
    "IJLUCHT_API_RATE_EXEMPT": '["127.0.0.1", "::1"]',
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from ijlucht import db, geo, privacy, quality  # noqa: E402
from ijlucht.settings import PlatformSettings  # noqa: E402

KITS = 10_000
YEAR_KITS = 100
HOURS = 365 * 24
BBOX = (4.55, 52.42, 4.75, 52.53)  # the IJmond


def sh(*args: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy/local/services.sh"), *args], check=True, env={**os.environ})


def load(s: PlatformSettings) -> None:
    """10,000 kits registered the way register_kit stores them (area, public position), without broker accounts."""
    rnd = random.Random(42)
    secret = privacy.jitter_secret(s.secrets_dir)
    now = datetime.now(UTC).replace(microsecond=0)
    t0 = time.perf_counter()
    with psycopg.connect(s.dsn, autocommit=True) as c:
        with c.cursor().copy(
            "COPY kits (kit_id, name, lat, lon, public_lat, public_lon, municipality, municipality_code, district,"
            " district_code, indoor, online, last_seen, created_at) FROM STDIN"
        ) as copy:
            for i in range(KITS):
                lat, lon = rnd.uniform(BBOX[1], BBOX[3]), rnd.uniform(BBOX[0], BBOX[2])
                where = geo.locate(lat, lon)
                plat, plon = privacy.jittered_position(secret, f"kit-{i:05d}", lat, lon)
                seen = now - timedelta(seconds=rnd.randint(0, 1800))
                copy.write_row(
                    (f"kit-{i:05d}", f"Kit {i}", lat, lon, plat, plon, where.municipality,
                     where.municipality_code, where.district, where.district_code, rnd.random() < 0.05,
                     rnd.random() < 0.95, seen, now - timedelta(days=400))
                )  # fmt: skip
        c.execute(
            """
            INSERT INTO latest_readings (kit_id, time, pm1, pm25, pm10, t, rh, p, flags)
            SELECT kit_id, last_seen, v * 0.7, v, v * 1.6, 9.5, 82, 1012, 0
            FROM (SELECT kit_id, last_seen, round((2 + random() * 60)::numeric, 1)::real AS v FROM kits) k
            """
        )
        print(f"  10,000 kits and their latest readings loaded in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        start = (now - timedelta(days=365)).replace(minute=0, second=0)
        c.execute(
            """
            INSERT INTO readings (time, kit_id, pm1, pm25, pm10, t, rh, p, flags)
            SELECT h, k.kit_id, v * 0.7, v, v * 1.6, 9.5, 82, 1012, (random() < 0.02)::int * 8
            FROM (SELECT kit_id FROM kits WHERE NOT indoor ORDER BY kit_id LIMIT %(n)s) k,
                 generate_series(%(start)s::timestamptz, %(start)s::timestamptz + interval '1 hour' * (%(hours)s - 1),
                                 interval '1 hour') h,
                 LATERAL (SELECT (8 + 6 * sin(extract(epoch FROM h) / 43200.0) + random() * 10)::real AS v) x
            """,
            {"n": YEAR_KITS, "start": start, "hours": HOURS},
        )
        for q in ("pm25", "pm10"):
            c.execute(
                f"""
                INSERT INTO rollup_hourly (bucket, kit_id, quantity, n, n_flagged, mean, min, max,
                                           n_clean, clean_mean, clean_min, clean_max)
                SELECT time, kit_id, '{q}', 1, (flags <> 0)::int, {q}, {q}, {q},
                       c::int, CASE WHEN c THEN {q} END, CASE WHEN c THEN {q} END, CASE WHEN c THEN {q} END
                FROM readings, LATERAL (SELECT flags & {quality.UNCLEAN} = 0 AS c) clean
                """
            )
        c.execute("VACUUM ANALYZE")
        n = c.execute("SELECT count(*) FROM readings").fetchone()[0]
        print(f"  a year of hourly readings for {YEAR_KITS} kits ({n:,} rows) and rollups in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip


def start_api(port: int, cache_s: float) -> subprocess.Popen:
    env = {**os.environ, "IJLUCHT_API_PORT": str(port), "IJLUCHT_API_MAP_CACHE_S": str(cache_s)}
    proc = subprocess.Popen([sys.executable, "-m", "api"], env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("API did not come up")


def latencies(client: httpx.Client, url: str, params: dict, n: int) -> tuple[float, float, int]:
    """p50 and p99 in ms over n sequential calls after 5 warm-up calls, and the body size."""
    for _ in range(5):
        r = client.get(url, params=params)
        r.raise_for_status()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url, params=params)
        times.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
    times.sort()
    return statistics.median(times), times[min(n - 1, int(n * 0.99))], len(r.content)


class LiveWriter(threading.Thread):
    """Updates the latest reading of KITS/60 random kits every second, like a fleet reporting once a minute."""

    def __init__(self, dsn: str) -> None:
        super().__init__(daemon=True)
        self.dsn = dsn
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as c:
            while not self.stop.wait(1.0):
                c.execute(
                    """
                    UPDATE latest_readings SET time = now(), pm25 = round((2 + random() * 60)::numeric, 1)::real
                    WHERE kit_id IN (SELECT kit_id FROM kits ORDER BY random() LIMIT %s)
                    """,
                    (KITS // 60,),
                )


def wrk_latency(url: str, duration: int) -> tuple[str, str]:
    """p50 and p99 over one connection, as wrk prints them."""
    out = subprocess.run(
        ["wrk", "-t1", "-c1", f"-d{duration}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    found = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip()[:3] in ("50%", "99%")}
    return found.get("50%", "?"), found.get("99%", "?")


def wrk(url: str, duration: int, headers: dict[str, str]) -> tuple[float, str]:
    args = ["wrk", "-t2", "-c64", f"-d{duration}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("Requests/sec"))
    p50 = next((line.split()[1] for line in out.splitlines() if line.strip().startswith("50%")), "?")
    return rps, p50


def python_load(url: str, duration: int, headers: dict[str, str]) -> tuple[float, str]:
    import asyncio

    async def run() -> int:
        done = 0
        stop = time.monotonic() + duration
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:

            async def worker() -> None:
                nonlocal done
                while time.monotonic() < stop:
                    await client.get(url)
                    done += 1

            await asyncio.gather(*(worker() for _ in range(32)))
        return done

    return asyncio.run(run()) / duration, "?"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keep", action="store_true", help="reuse the loaded bench database")
    p.add_argument("--duration", type=int, default=10, help="seconds of each load run")
    args = p.parse_args()
    s = PlatformSettings()
    sh("start")
    try:
        if not args.keep:
            db.recreate_database(s)
            load(s)
        else:
            db.migrate(s.dsn)
        run(s, args.duration)
    finally:
        sh("stop")


def run(s: PlatformSettings, duration: int) -> None:
    uncached = start_api(18711, 0.0)
    cached = start_api(18712, 5.0)
    writer = LiveWriter(s.dsn)
    try:
        year_kit = "kit-00000"
        end = datetime.now(UTC)
        year = {
            "kits": year_kit,
            "quantities": "pm25",
            "resolution": "hour",
            "start": (end - timedelta(days=366)).isoformat(),
            "end": end.isoformat(),
        }
        writer.start()
        with httpx.Client(base_url="http://127.0.0.1:18711", timeout=60) as c:
            features = len(c.get("/v1/map/latest").json()["features"])
            rows = len(c.get("/v1/series", params=year).json()["results"])
            m50, m99, msize = latencies(c, "/v1/map/latest", {"quantity": "pm25"}, 200)
            y50, y99, ysize = latencies(c, "/v1/series", year, 200)
            week = {"quantity": "pm25", "start": (end - timedelta(days=7)).isoformat(), "end": end.isoformat()}
            hourly_kits = len(c.get("/v1/map/hourly", params=week).json()["kits"])
            h50, h99, hsize = latencies(c, "/v1/map/hourly", week, 100)
        print()
        print(f"map call, uncached: GET /v1/map/latest?quantity=pm25 ({features:,} features, {msize / 1e6:.1f} MB)")
        print(f"  httpx client: p50 {m50:6.1f} ms   p99 {m99:6.1f} ms   (target p50 < 30 ms)")
        if shutil.which("wrk"):
            w50, w99 = wrk_latency("http://127.0.0.1:18711/v1/map/latest?quantity=pm25", duration)
            print(f"  wrk, 1 connection: p50 {w50}   p99 {w99}")
        print(f"year of hourly PM2.5, one kit: GET /v1/series?resolution=hour ({rows:,} rows, {ysize / 1e6:.1f} MB)")
        print(f"  httpx client: p50 {y50:6.1f} ms   p99 {y99:6.1f} ms   (target p50 < 50 ms)")
        if shutil.which("wrk"):
            w50, w99 = wrk_latency(str(httpx.URL("http://127.0.0.1:18711/v1/series", params=year)), duration)
            print(f"  wrk, 1 connection: p50 {w50}   p99 {w99}")
        print(f"7 days of hourly means: GET /v1/map/hourly ({hourly_kits} kits, {hsize / 1e6:.2f} MB)")
        print(f"  httpx client: p50 {h50:6.1f} ms   p99 {h99:6.1f} ms")
        url = "http://127.0.0.1:18712/v1/map/latest?quantity=pm25"
        etag = httpx.get(url).headers["etag"]
        load_fn, tool = (wrk, "wrk -t2 -c64") if shutil.which("wrk") else (python_load, "python asyncio, 32 clients")
        print(f"map call under load ({tool}, {duration} s each, answer cached 5 s, one uvicorn process):")
        rps, p50 = load_fn(url, duration, {"If-None-Match": etag})
        print(f"  revalidating clients (If-None-Match -> 304): {rps:8.0f} requests/s   p50 {p50}   (target >= 1,000)")
        rps, p50 = load_fn(url, duration, {})
        print(f"  full body every time ({msize / 1e6:.1f} MB):        {rps:8.0f} requests/s   p50 {p50}")
        with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
            gz_size = sum(len(chunk) for chunk in r.iter_raw())
        rps, p50 = load_fn(url, duration, {"Accept-Encoding": "gzip"})
        print(f"  full body, gzip ({gz_size / 1e6:.2f} MB):          {rps:8.0f} requests/s   p50 {p50}")
    finally:
        writer.stop.set()
        for proc in (uncached, cached):
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
