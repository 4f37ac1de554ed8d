"""Ingest benchmark: prints figures, asserts nothing about time.   .venv/bin/python bench/ingest/run.py [--flood N]

Runs on its own private services (state in .state/bench, other ports) and a fresh database, so it never touches
`make up` or test data. Measures, on this machine:
  (a) messages/s end to end (Mosquitto -> worker -> committed in TimescaleDB), one reading per message;
  (b) readings/s end to end with 60 readings per message;
  ceilings: a bare paho subscriber draining the same queued messages, and COPY of the same rows;
  latency from publish to commit at a steady 1,000 messages/s (p50, p99); the worker's peak memory.
Messages are queued in the broker (the worker's persistent session) before the clock starts, because a single
Python publisher is slower than the worker: the figures then measure the consumer, as the question asks.

--flood N measures only the inbox bound instead: PostgreSQL stopped, N QoS 0 messages published to a running
worker; prints the worker's peak memory and the QoS 0 messages it dropped (counted in its metrics).
Ports: IJLUCHT_BENCH_PG_PORT, IJLUCHT_BENCH_MQTT_PORT, IJLUCHT_BENCH_MQTT_TLS_PORT (default: MQTT + 1),
IJLUCHT_BENCH_METRICS_PORT.
"""

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".state" / "bench"
_MQTT_PORT = int(os.environ.get("IJLUCHT_BENCH_MQTT_PORT", "18892"))
ENV = {
    "IJLUCHT_STATE_DIR": str(STATE),
    "IJLUCHT_PG_PORT": os.environ.get("IJLUCHT_BENCH_PG_PORT", "25492"),
    "IJLUCHT_MQTT_PORT": str(_MQTT_PORT),
    "IJLUCHT_MQTT_TLS_PORT": os.environ.get("IJLUCHT_BENCH_MQTT_TLS_PORT", str(_MQTT_PORT + 1)),
    "IJLUCHT_PG_DBNAME": "ijlucht_bench",
    "IJLUCHT_INGEST_METRICS_PORT": os.environ.get("IJLUCHT_BENCH_METRICS_PORT", "19108"),
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import paho.mqtt.client as mqtt  # noqa: E402
import psycopg  # noqa: E402

from ijlucht import contract, db  # noqa: E402
from ijlucht.kits import NewKit, register_kit  # noqa: E402
from ijlucht.settings import PlatformSettings  # noqa: E402

KITS = 200


def sh(*args: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy/local/services.sh"), *args], check=True, env={**os.environ})


def register(s: PlatformSettings) -> dict[str, str]:
    kits = {}
    with psycopg.connect(s.dsn, autocommit=True) as c:
        from datetime import UTC, datetime, timedelta

        for i in range(KITS):
            kit = f"bench-{i:04d}"
            kits[kit] = register_kit(
                c, s, NewKit(kit, kit, 52.48, 4.6, created_at=datetime.now(UTC) - timedelta(days=60))
            )
    time.sleep(0.5)  # the broker re-reads its password file
    return kits


def _publisher(args: tuple) -> int:
    """One process publishing its share of messages as its kits, QoS 1, as fast as the broker confirms."""
    s_port, kits, n_messages, per_message, t0, rate, qos = args
    clients = {}
    for kit, pw in kits.items():
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit)
        c.username_pw_set(kit, pw)
        c.max_inflight_messages_set(1000)
        c.connect("127.0.0.1", s_port)
        c.loop_start()
        clients[kit] = c
    names = list(kits)
    infos = []
    start = time.monotonic()
    for i in range(n_messages):
        kit = names[i % len(names)]
        k = i // len(names)
        if rate:
            while time.monotonic() - start < i / rate:
                time.sleep(0.0005)
            # Whole seconds (contract): the worker's lag then counts from the start of the reading's second.
            readings = [{"ts": int(time.time()), "pm25": 5.0, "pm10": 9.0, "rh": 60.0}]
        else:
            readings = [
                {"ts": t0 + (k * per_message + j) * 1, "pm25": 5.0 + j % 7, "pm10": 9.0, "t": 8.0, "rh": 60.0}
                for j in range(per_message)
            ]
        msg = {"v": 1, "seq": k, "fw": "bench", "readings": readings}
        infos.append(clients[kit].publish(contract.topic(kit, contract.READINGS), json.dumps(msg), qos=qos))
    for info in infos:
        info.wait_for_publish(120)
    for c in clients.values():
        c.disconnect()
        c.loop_stop()
    return len(infos)


def publish(
    s: PlatformSettings,
    kits: dict[str, str],
    n: int,
    per_message: int,
    t0: int,
    procs: int = 4,
    rate: float = 0.0,
    qos: int = 1,
) -> float:
    names = list(kits)
    shares = [dict((k, kits[k]) for k in names[i::procs]) for i in range(procs)]
    started = time.monotonic()
    with mp.get_context("fork").Pool(procs) as pool:
        # Kits are split between processes (each kit in one), so timestamps per kit stay distinct.
        done = pool.map(
            _publisher,
            [(s.mqtt_port, sh_, n // procs, per_message, t0, rate / procs, qos) for sh_ in shares],
        )
    assert sum(done) == n // procs * procs
    return time.monotonic() - started


def ensure_session(s: PlatformSettings, client_id: str) -> None:
    """Create the worker's persistent session (subscribe once), so messages queue for it while it is down."""
    w = start_worker(client_id)
    stop_worker(w)


def start_worker(client_id: str, batch_wait: float = 0.5) -> subprocess.Popen:
    env = {
        **os.environ,
        "IJLUCHT_INGEST_CLIENT_ID": client_id,
        "IJLUCHT_INGEST_BATCH_WAIT_S": str(batch_wait),
        "IJLUCHT_INGEST_LOG_INTERVAL_S": "3600",
    }
    p = subprocess.Popen([sys.executable, "-m", "ingest"], cwd=ROOT, env=env)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{ENV['IJLUCHT_INGEST_METRICS_PORT']}/health", timeout=1).status_code == 200:
                return p
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("worker did not come up")


def stop_worker(p: subprocess.Popen) -> None:
    p.terminate()
    p.wait(30)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def count(s: PlatformSettings) -> int:
    with psycopg.connect(s.dsn) as c:
        return c.execute("SELECT count(*) FROM readings").fetchone()[0]


def drain(s: PlatformSettings, client_id: str, expected_rows: int) -> tuple[float, float]:
    """Start the worker on a full queue; seconds until every row is committed, and its peak memory (MB)."""
    base = count(s)
    w = start_worker(client_id)
    # The clock starts when the worker answers /health (process start and imports are not ingest work); it may
    # already have committed a batch by then, so the figure is at most one batch optimistic.
    started = time.monotonic()
    while count(s) - base < expected_rows:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    rss = peak_rss_mb(w.pid)
    stop_worker(w)
    return elapsed, rss


def bare_paho(s: PlatformSettings, client_id: str, n: int) -> float:
    """Seconds for a bare paho client to receive n queued QoS 1 messages (auto-ack, json.loads)."""
    got = threading.Event()
    received = [0]
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.username_pw_set("ingest", s.secrets_dir.joinpath("mqtt-ingest.pass").read_text().strip())

    def on_message(cl, u, m):
        json.loads(m.payload)
        received[0] += 1
        if received[0] >= n:
            got.set()

    def on_subscribe(cl, u, mid, rcs, p):
        if n == 0:
            got.set()

    c.on_message = on_message
    c.on_subscribe = on_subscribe
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = 2000
    c.on_connect = lambda cl, u, f, rc, p: cl.subscribe(contract.subscription(contract.READINGS), qos=1)
    started = time.monotonic()
    c.connect("127.0.0.1", s.mqtt_port, clean_start=False, properties=props)
    c.loop_start()
    got.wait(600)
    elapsed = time.monotonic() - started
    c.disconnect()
    c.loop_stop()
    return elapsed


def copy_ceiling(s: PlatformSettings, rows: int) -> float:
    """Seconds for COPY of `rows` rows shaped like ours into an indexed copy of the readings table."""
    from datetime import UTC, datetime, timedelta

    t0 = datetime.now(UTC) - timedelta(days=30)
    with psycopg.connect(s.dsn, autocommit=True) as c:
        c.execute("DROP TABLE IF EXISTS copy_ceiling")
        c.execute("CREATE TABLE copy_ceiling (LIKE readings INCLUDING ALL)")
        c.execute("SELECT create_hypertable('copy_ceiling', by_range('time', INTERVAL '30 days'))")
        started = time.monotonic()
        with c.cursor().copy("COPY copy_ceiling (time, kit_id, pm25, pm10, t, rh, flags, seq) FROM STDIN") as cp:
            for i in range(rows):
                cp.write_row((t0 + timedelta(seconds=i // KITS), f"bench-{i % KITS:04d}", 5.0, 9.0, 8.0, 60.0, 0, i))
        elapsed = time.monotonic() - started
        c.execute("DROP TABLE copy_ceiling")
    return elapsed


def latency(s: PlatformSettings, kits: dict[str, str], client_id: str, seconds: int) -> tuple[float, float, float]:
    """Steady 1,000 msg/s with the worker running; p50/p99 of publish -> commit from the worker's own lag."""
    w = start_worker(client_id, batch_wait=0.05)
    publish(s, kits, 1000 * seconds, 1, 0, procs=2, rate=1000)
    time.sleep(1.0)
    text = httpx.get(f"http://127.0.0.1:{ENV['IJLUCHT_INGEST_METRICS_PORT']}/metrics").text
    values = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    rss = peak_rss_mb(w.pid)
    stop_worker(w)
    p50 = float(values['ijlucht_ingest_lag_seconds{quantile="0.5"}'])
    p99 = float(values['ijlucht_ingest_lag_seconds{quantile="0.99"}'])
    return p50, p99, rss


def scrape() -> dict[str, float]:
    text = httpx.get(f"http://127.0.0.1:{ENV['IJLUCHT_INGEST_METRICS_PORT']}/metrics", timeout=5).text
    return {k: float(v) for k, v in (line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))}


def flood(s: PlatformSettings, kits: dict[str, str], n: int) -> None:
    """N QoS 0 messages to a worker whose database is down: its memory stays bounded, the drops are counted."""
    w = start_worker(f"ijlucht-ingest-bench-flood-{uuid.uuid4().hex[:6]}")
    sh("stop", "postgres")
    try:
        pub_s = publish(s, kits, n, 1, int(time.time()) - 40 * 86400, qos=0)
        print(f"published {n:,} QoS 0 messages in {pub_s:.1f} s with PostgreSQL stopped", flush=True)
        last, values = -1.0, scrape()
        while values["ijlucht_ingest_dropped_qos0_total"] + values["ijlucht_ingest_queue_depth"] != last:
            last = values["ijlucht_ingest_dropped_qos0_total"] + values["ijlucht_ingest_queue_depth"]
            time.sleep(2.0)  # until the worker has read everything the broker passes on
            values = scrape()
        dropped, queued = values["ijlucht_ingest_dropped_qos0_total"], values["ijlucht_ingest_queue_depth"]
        health = httpx.get(f"http://127.0.0.1:{ENV['IJLUCHT_INGEST_METRICS_PORT']}/health", timeout=5)
        print(
            f"flood: worker peak memory {peak_rss_mb(w.pid):.0f} MB; QoS 0 dropped {dropped:,.0f}, waiting in the inbox"
            f" {queued:,.0f} (bound {os.environ.get('IJLUCHT_INGEST_QOS0_QUEUE_MAX', '20000')}), the other"
            f" {n - dropped - queued:,.0f} in the batch the worker holds (or not passed on by the broker);"
            f" /health {health.status_code} {health.text.strip()}"
        )
    finally:
        sh("start", "postgres")
        stop_worker(w)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--batched-messages", type=int, default=10_000)
    ap.add_argument("--latency-seconds", type=int, default=15, help="0 skips the latency run")
    ap.add_argument("--flood", type=int, default=0, help="only the QoS 0 flood with this many messages")
    a = ap.parse_args()
    sh("start")
    s = PlatformSettings()
    db.recreate_database(s)
    kits = register(s)
    if a.flood:
        flood(s, kits, a.flood)
        sh("stop")
        return
    worker_id = f"ijlucht-ingest-bench-{uuid.uuid4().hex[:6]}"
    paho_id = f"ijlucht-ingest-paho-{uuid.uuid4().hex[:6]}"
    t0 = int(time.time()) - 40 * 86400
    print(f"IJlucht ingest benchmark — {os.cpu_count()} cores, {KITS} kits", flush=True)

    ensure_session(s, worker_id)

    pub_s = publish(s, kits, a.messages, 1, t0)
    print(f"queued {a.messages} messages (1 reading each) in {pub_s:.1f} s", flush=True)
    el, rss_a = drain(s, worker_id, a.messages)
    print(f"(a) worker: {a.messages / el:,.0f} messages/s ({el:.1f} s), peak memory {rss_a:.0f} MB", flush=True)

    pub_s = publish(s, kits, a.batched_messages, 60, t0 + 1_000_000)
    rows = a.batched_messages * 60
    el, rss_b = drain(s, worker_id, rows)
    print(f"(b) worker: {rows / el:,.0f} readings/s with 60 per message ({el:.1f} s), peak memory {rss_b:.0f} MB")

    # Ceilings
    bare_paho(s, paho_id, 0)  # creates its session, so the next messages queue for it too
    publish(s, kits, a.messages, 1, t0 + 3_000_000)
    el_paho = bare_paho(s, paho_id, a.messages)
    print(f"ceiling: bare paho receives {a.messages / el_paho:,.0f} messages/s (json.loads, auto-ack)")
    # The worker's session also got these: let it store them so they do not linger.
    drain(s, worker_id, a.messages)
    el_copy = copy_ceiling(s, rows)
    print(f"ceiling: COPY {rows / el_copy:,.0f} rows/s into an indexed hypertable ({rows} rows, {el_copy:.1f} s)")

    rss_l = 0.0
    if a.latency_seconds:
        p50, p99, rss_l = latency(s, kits, worker_id, a.latency_seconds)
        print(f"latency at 1,000 messages/s: publish -> commit p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    print(f"peak worker memory: {max(rss_a, rss_b, rss_l):.0f} MB")
    sh("stop")


if __name__ == "__main__":
    main()
