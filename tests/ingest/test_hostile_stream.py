"""Property: whatever one kit sends, another kit's valid readings are all stored exactly once and the worker never
stalls. Generated hostile JSON and raw bytes go through the real broker to the real worker."""

import json
import time
import uuid

import paho.mqtt.client as mqtt
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ijlucht import contract
from tests.conftest import WorkerHandle, wait_for

KEYS = ["v", "seq", "fw", "readings", "ts", "pm1", "pm25", "pm10", "t", "rh", "p", "ns", "boot", "sensors", "uptime_s"]
# Any code point, lone surrogates and NUL included (json.dumps writes them as \\u escapes).
TEXT = st.text(st.characters(codec=None, categories=None), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and ±Infinity included: json.dumps writes them as literals
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | TEXT, inner, max_size=4),
    max_leaves=12,
)
READING = st.dictionaries(st.sampled_from(KEYS), VALUES | st.integers(1_700_000_000, 1_800_000_000), max_size=6)
MESSAGE = st.fixed_dictionaries(
    {"v": st.just(1) | VALUES, "readings": st.lists(READING, max_size=4) | VALUES},
    optional={"seq": st.integers(-(2**64), 2**65) | VALUES, "fw": VALUES, "boot": VALUES, "sensors": VALUES},
)
PAYLOADS = (
    MESSAGE.map(lambda m: json.dumps(m).encode())
    | VALUES.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=200)
)
KINDS = st.sampled_from([contract.READINGS, contract.STATUS, contract.INFO])


def client(settings, kit: str, password: str) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit)
    c.username_pw_set(kit, password)
    c.connect(settings.mqtt_host, settings.mqtt_port)
    c.loop_start()
    return c


def test_hostile_messages_of_one_kit_never_cost_another_kits_readings(settings, conn, make_kit, without_session_worker):
    handle = WorkerHandle(ingest_client_id=f"ijlucht-ingest-hostile-{uuid.uuid4().hex[:6]}")
    worker = handle.start()
    try:
        stream_hostile_messages(settings, conn, make_kit, worker)
    finally:
        handle.stop()


def stream_hostile_messages(settings, conn, make_kit, worker) -> None:
    attacker, apw = make_kit("hostile")
    victim, vpw = make_kit("victim")
    bad, good = client(settings, attacker, apw), client(settings, victim, vpw)
    base = int(time.time()) - 3600
    sent = []

    @hypothesis_settings(max_examples=80, deadline=None, database=None)
    @given(payload=PAYLOADS, kind=KINDS, retain=st.booleans())
    @example(payload=b'{"v":1,"fw":"\\ud800"}', kind=contract.INFO, retain=True)  # the attacks found before
    @example(
        payload=b'{"v":1,"seq":9223372036854775808,"readings":[{"ts":1,"pm25":1}]}',
        kind=contract.READINGS,
        retain=False,
    )
    @example(payload=b'{"v":1,"rssi":NaN,"fw":"\\u0000"}', kind=contract.INFO, retain=False)
    def attack(payload: bytes, kind: str, retain: bool) -> None:
        bad.publish(contract.topic(attacker, kind), payload, qos=1, retain=retain)
        ts = base + len(sent)
        sent.append(ts)
        msg = {"v": 1, "seq": len(sent), "fw": "t", "readings": [{"ts": ts, "pm25": 5.0}]}
        good.publish(contract.topic(victim, contract.READINGS), json.dumps(msg), qos=1).wait_for_publish(10)

    attack()
    for kind in (contract.READINGS, contract.STATUS, contract.INFO):  # leave no retained message behind
        bad.publish(contract.topic(attacker, kind), b"", qos=1, retain=True).wait_for_publish(10)
    query = "SELECT count(*), count(DISTINCT time) FROM readings WHERE kit_id = %s"
    wait_for(lambda: conn.execute(query, (victim,)).fetchone() == (len(sent), len(sent)), what="every valid reading")
    wait_for(lambda: worker.oldest_unacked_age() == 0.0, what="nothing left unacknowledged")
    assert worker.health_problem() is None
    assert conn.execute("SELECT count(*) FROM rejects WHERE topic LIKE %s", (f"%/{attacker}/%",)).fetchone()[0] > 0
    time.sleep(0.3)
    assert conn.execute(query, (victim,)).fetchone() == (len(sent), len(sent))
    for c in (bad, good):
        c.disconnect()
        c.loop_stop()
