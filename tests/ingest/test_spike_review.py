"""The spike review through the real ingest path: a one-minute replay of the 2019-2020 New Year night over MQTT.

Three kits of the Wijk aan Zee cluster replay their real hourly pm25 of the night at one reading a minute (the
hour's value with a little noise, so that no run of equal values looks stuck); a fourth kit far away reads clean
air with one impossible minute. The worker flags the fireworks as spikes on arrival, then its spike review clears
the hours the neighbours rose in; the lone jump keeps its flag and no value changes.
"""

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from ijlucht import quality
from ingest import spike_review
from ingest.history import KitHistory
from tests.conftest import wait_for
from tests.ingest import newyear
from tests.ingest.test_worker_stores import publisher, send

CLUSTER = ("HLL_hl_device_118", "HLL_hl_device_171", "HLL_hl_device_183")  # within 1 km of each other
START, END = pd.Timestamp("2019-12-31 10:00"), pd.Timestamp("2020-01-01 03:00")  # minutes replayed (UTC)
GLITCH = pd.Timestamp("2019-12-31 20:30")
REGISTERED = datetime(2019, 12, 30, tzinfo=UTC)


def minute_series(kit: str, rng: np.random.Generator) -> list[dict]:
    """The kit's hourly values as one reading a minute: a file label marks the END of its hour."""
    d = newyear.kits()
    hourly = d[d["kit_id"] == kit].set_index("date")["pm25"]
    out = []
    for t in pd.date_range(START, END, freq="min", inclusive="left"):
        v = hourly.get(t.ceil("h") if t != t.ceil("h") else t + pd.Timedelta(hours=1))
        if pd.notna(v):
            out.append({"ts": int(t.timestamp()), "pm25": round(float(v) * (1 + rng.normal(0, 0.03)), 2)})
    return out


def local_flags(readings: list[dict]) -> list[int]:
    h = KitHistory()
    return [h.check(r["ts"], {"pm25": r["pm25"]}) for r in readings]


def test_a_one_minute_replay_of_the_fireworks_loses_its_spike_flags_and_a_lone_jump_keeps_its(
    settings, conn, make_kit, ingest_worker, monkeypatch
):
    monkeypatch.setattr(spike_review, "REVIEW_AGAIN_S", 1.0)  # neighbours' minutes arrive within the test
    rng = np.random.default_rng(2020)
    positions = newyear.kit_positions()
    sent: dict[str, tuple[str, list[dict]]] = {}
    for source in CLUSTER:
        kit, pw = make_kit("newyear", *positions[source], created_at=REGISTERED)
        sent[kit] = (pw, minute_series(source, rng))
    lone, lone_pw = make_kit("lonely", 52.60, 4.90, created_at=REGISTERED)  # no kit or station within 5 km
    steps = pd.date_range(START, END, freq="min", inclusive="left")
    noise = rng.normal(0, 0.5, len(steps))
    sent[lone] = (
        lone_pw,
        [
            {"ts": int(t.timestamp()), "pm25": 400.0 if t == GLITCH else round(10 + e, 2)}
            for t, e in zip(steps, noise, strict=True)
        ],
    )
    cluster = [k for k in sent if k != lone]
    high = [
        (r, f)
        for k in cluster
        for r, f in zip(sent[k][1], local_flags(sent[k][1]), strict=True)
        if r["pm25"] > newyear.HIGH
    ]
    flagged_on_arrival = sum(1 for _, f in high if f & quality.SPIKE)
    assert flagged_on_arrival > 0.8 * len(high)  # the check alone flags the fireworks: the fault the review fixes

    for kit, (pw, readings) in sent.items():
        pub = publisher(settings, kit, pw)
        for i in range(0, len(readings), 200):
            send(pub, kit, readings[i : i + 200], seq=i // 200 + 1)
        pub.disconnect()
    kits = list(sent)
    total = sum(len(rs) for _, rs in sent.values())

    def stored() -> int:
        return conn.execute("SELECT count(*) FROM readings WHERE kit_id = ANY (%s)", (kits,)).fetchone()[0]

    wait_for(lambda: stored() == total, timeout=60, what="the replay stored")

    def still_flagged_high() -> int:
        return conn.execute(
            "SELECT count(*) FROM readings WHERE kit_id = ANY (%s) AND pm25 > %s AND flags & %s <> 0",
            (cluster, newyear.HIGH, quality.SPIKE),
        ).fetchone()[0]

    wait_for(lambda: still_flagged_high() == 0, timeout=60, what="the review clears the fireworks' spike flags")
    glitch = conn.execute(
        "SELECT flags FROM readings WHERE kit_id = %s AND time = %s", (lone, GLITCH.tz_localize(UTC).to_pydatetime())
    ).fetchone()[0]
    assert glitch & quality.SPIKE  # a jump no neighbour saw keeps its flag
    version, cleared = conn.execute(
        "SELECT min(method_version), sum(cleared) FROM spike_reviews WHERE kit_id = ANY (%s)", (cluster,)
    ).fetchone()
    assert version == quality.METHOD_VERSION and cleared >= flagged_on_arrival
    for kit, (_, readings) in sent.items():  # values exactly as sent: only flags changed
        got = conn.execute("SELECT pm25 FROM readings WHERE kit_id = %s ORDER BY time", (kit,)).fetchall()
        assert np.allclose([g[0] for g in got], [r["pm25"] for r in readings], rtol=1e-6)
