"""Issue 3, item 9: the broker goes away for a while, the kit keeps measuring, and afterwards every reading
taken during the outage is in TimescaleDB exactly once.

The virtual kit runs the real firmware main loop under `micropython` against the session's private
Mosquitto; the real ingest worker stores into the test database.
"""

import re
import time
from pathlib import Path

from tests.conftest import services, wait_for
from virtualkit.launch import start_kit, write_kit_dir

SERIES = [(0, 4.0, 7.1, 12.4, 9.8, 81.2, 1012.5), (60, 4.0, 7.1, 12.4, 9.8, 81.2, 1012.5)]
OUTAGE_S = 10
CYCLE = re.compile(r"cycle=(\d+) online=(\d) backlog=(\d+) dropped=(\d+) taken=(\d+) sent=(\d+) .* ts=(\d+)")


def cycles(log: Path) -> list[dict[str, int]]:
    keys = ("cycle", "online", "backlog", "dropped", "taken", "sent", "ts")
    return [dict(zip(keys, map(int, m.groups()), strict=True)) for m in CYCLE.finditer(log.read_text())]


def test_readings_taken_while_the_broker_is_down_arrive_in_the_database_exactly_once(
    settings, make_kit, ingest_worker, conn, tmp_path: Path
) -> None:
    kit_id, password = make_kit("outage")
    config = {
        "kit_id": kit_id,
        "mqtt_host": "127.0.0.1",
        "mqtt_port": settings.mqtt_port,
        "mqtt_password": password,
        "wifi_ssid": "virtual",
        "sensors": ["replay"],
        "interval": 1,
        "batch_max": 5,  # so the backlog is replayed in several messages
        "replay_anchor": int(time.time()),
        "replay_period": 120,
    }
    kit_dir = write_kit_dir(tmp_path / kit_id, config, SERIES)
    log = kit_dir / "kit.log"
    proc = start_kit(kit_dir)
    stored = lambda: {  # noqa: E731
        int(r[0]) for r in conn.execute("SELECT extract(epoch FROM time) FROM readings WHERE kit_id = %s", (kit_id,))
    }
    try:
        wait_for(lambda: len(stored()) >= 3, timeout=30, what="first readings stored")

        services("stop", "mosquitto")
        down_at = time.monotonic()
        wait_for(lambda: any(not c["online"] for c in cycles(log)), timeout=10, what="kit notices the outage")
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
        services("start", "mosquitto")

        def caught_up() -> dict[str, int] | None:
            seen = cycles(log)
            offline = [i for i, c in enumerate(seen) if not c["online"]]
            after = seen[offline[-1] + 1 :] if offline else []
            done = [c for c in after if c["online"] and c["backlog"] == 0]
            return done[2] if len(done) >= 3 else None

        last = wait_for(caught_up, timeout=90, what="kit reconnected and its backlog replayed")
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    # Every reading up to `last` was acknowledged by the broker (backlog 0): the kit's own list of them.
    taken = [c for c in cycles(log) if c["cycle"] <= last["cycle"]]
    taken_ts = [c["ts"] for c in taken]
    assert len(taken_ts) == last["taken"] == len(set(taken_ts)), "the kit took each second once"
    outage = [c for c in taken if not c["online"]]
    outage_ts = {c["ts"] for c in outage}
    assert len(outage_ts) >= OUTAGE_S // 2, outage

    in_db = wait_for(lambda: (s := stored()) >= set(taken_ts) and s, timeout=30, what="all readings stored")
    missing = set(taken_ts) - in_db
    extra = {ts for ts in in_db if ts <= last["ts"]} - set(taken_ts)
    rows_in_range = conn.execute(
        "SELECT count(*) FROM readings WHERE kit_id = %s AND time <= to_timestamp(%s)", (kit_id, last["ts"])
    ).fetchone()[0]
    assert not missing and not extra and rows_in_range == len(taken_ts)
    assert outage_ts <= in_db

    buffered = max(c["backlog"] for c in outage)
    first_back = next(c for c in taken if c["online"] and c["cycle"] > outage[-1]["cycle"])
    replayed = first_back["sent"] - outage[-1]["sent"]
    print(
        f"\noutage figures: outage {OUTAGE_S} s, readings taken during outage {len(outage_ts)}, "
        f"buffered (max backlog) {buffered}, replayed after reconnect {replayed}, "
        f"stored from the outage {len(outage_ts & in_db)}, total taken {len(taken_ts)}, rows in DB {rows_in_range}, "
        f"dropped {last['dropped']}"
    )
    assert buffered >= len(outage_ts) - 1 and replayed >= buffered and last["dropped"] == 0
