"""Attacks on the ingest worker through the real broker and database: each gets its exact answer (the reason
stored in `rejects`, or a counted drop), the valid data around it are kept, and the stream never stops."""

import json
import time
import uuid

import httpx
import paho.mqtt.client as mqtt
import pytest

from ijlucht import contract
from ingest.judge import RETAINED_READINGS
from tests.conftest import WorkerHandle, free_port, wait_for


def publisher(settings, kit_id: str, password: str) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit_id)
    c.username_pw_set(kit_id, password)
    c.max_queued_messages_set(0)
    c.connect(settings.mqtt_host, settings.mqtt_port)
    c.loop_start()
    return c


def publish(client, kit_id: str, payload, kind: str = contract.READINGS, qos: int = 1, retain: bool = False):
    return client.publish(contract.topic(kit_id, kind), payload, qos=qos, retain=retain)


def reading_message(seq: int, *readings) -> str:
    return json.dumps({"v": 1, "seq": seq, "fw": "t", "readings": list(readings)})


def count(conn, kit_id: str) -> int:
    return conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (kit_id,)).fetchone()[0]


def rejects(conn, kit_id: str) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT reason, excerpt FROM rejects WHERE topic LIKE %s ORDER BY id", (f"%/{kit_id}/%",))
    return rows.fetchall()


def attack_between_good_readings(
    settings, conn, make_kit, payload, kind=contract.READINGS, stored: int = 2
) -> list[tuple[str, str]]:
    """A valid reading, the attack, another valid reading, in that order from one kit; both readings (and the
    valid ones inside the attack: `stored` in all) must be stored. Returns the kit's rejects."""
    kit, pw = make_kit("attack")
    now = int(time.time())
    pub = publisher(settings, kit, pw)
    publish(pub, kit, reading_message(1, {"ts": now - 1, "pm25": 1.0}))
    publish(pub, kit, payload, kind)
    publish(pub, kit, reading_message(2, {"ts": now, "pm25": 2.0})).wait_for_publish(10)
    wait_for(lambda: count(conn, kit) == stored, what="the readings around the attack")
    got = wait_for(lambda: rejects(conn, kit), what="the attack's reject")
    pub.disconnect()
    pub.loop_stop()
    return got


def test_info_with_a_lone_surrogate_is_rejected(settings, conn, make_kit, ingest_worker):
    got = attack_between_good_readings(settings, conn, make_kit, b'{"v":1,"fw":"\\ud800"}', contract.INFO)
    assert got == [
        ("info is not valid JSON: no low surrogate in string: line 1 column 14 (char 13)", '{"v":1,"fw":"\\ud800"}')
    ]


def test_seq_of_2_to_the_63_is_rejected(settings, conn, make_kit, ingest_worker):
    payload = json.dumps({"v": 1, "seq": 2**63, "readings": [{"ts": int(time.time()) - 5, "pm25": 1.0}]})
    got = attack_between_good_readings(settings, conn, make_kit, payload)
    assert [r for r, _ in got] == ["'seq' must be a non-negative integer below 2^63, got 9223372036854775808"]


def test_nan_and_infinity_literals_are_rejected(settings, conn, make_kit, ingest_worker):
    got = attack_between_good_readings(settings, conn, make_kit, b'{"v":1,"readings":[{"ts":1,"pm25":NaN}]}')
    assert [r for r, _ in got] == [
        "not valid JSON: unexpected character, expected a JSON value: line 1 column 35 (char 34)"
    ]
    got = attack_between_good_readings(settings, conn, make_kit, b'{"v":1,"rssi":-Infinity}', contract.INFO)
    assert [r for r, _ in got] == ["info is not valid JSON: no digit after sign: line 1 column 16 (char 15)"]


def test_nul_in_text_is_rejected_and_quoted_visibly(settings, conn, make_kit, ingest_worker):
    got = attack_between_good_readings(settings, conn, make_kit, b'{"v":1,"fw":"0.2\\u0000","boot":1}', contract.INFO)
    assert got == [
        ("info text '0.2\\x00' contains NUL (\\u0000), which cannot be stored", '{"v":1,"fw":"0.2\\u0000","boot":1}')
    ]
    payload = json.dumps({"v": 1, "fw": "\x00", "readings": [{"ts": int(time.time()) - 5, "pm25": 1.0}]})
    got = attack_between_good_readings(settings, conn, make_kit, payload)
    assert [r for r, _ in got] == ["'fw' must be text of at most 40 characters without NUL, got '\\x00'"]


def test_fractional_ts_is_rejected_so_a_kit_gets_one_reading_per_second(settings, conn, make_kit, ingest_worker):
    ts = int(time.time()) - 10
    payload = reading_message(5, *({"ts": ts + i / 4, "pm25": 1.0} for i in range(4)))
    got = attack_between_good_readings(settings, conn, make_kit, payload, stored=3)
    assert [r for r, _ in got] == [f"reading {i}: 'ts' must be whole Unix seconds, got {ts + i / 4}" for i in (1, 2, 3)]


def test_retained_readings_are_rejected(settings, conn, make_kit, ingest_worker):
    kit, pw = make_kit("attack")
    pub = publisher(settings, kit, pw)
    now = int(time.time())
    publish(pub, kit, reading_message(1, {"ts": now - 1, "pm25": 1.0}), retain=True).wait_for_publish(10)
    publish(pub, kit, reading_message(2, {"ts": now, "pm25": 2.0})).wait_for_publish(10)
    wait_for(lambda: count(conn, kit) == 1, what="the reading that was not retained")
    assert [r for r, _ in wait_for(lambda: rejects(conn, kit))] == [RETAINED_READINGS]
    publish(pub, kit, b"", retain=True).wait_for_publish(10)  # clear it from the broker
    pub.disconnect()
    pub.loop_stop()
    assert conn.execute("SELECT extract(epoch FROM time) FROM readings WHERE kit_id = %s", (kit,)).fetchone() == (now,)


def test_a_thousand_bad_readings_store_at_most_the_kits_budget_of_rejects(
    settings, conn, make_kit, without_session_worker
):
    handle = WorkerHandle(ingest_client_id=f"ijlucht-ingest-attack-budget-{uuid.uuid4().hex[:6]}")
    worker = handle.start()
    try:
        budget = worker.settings.ingest_rejects_per_kit
        now = int(time.time())
        bad = ({"ts": now - i, "pm25": "x"} for i in range(999))
        payload = reading_message(3, {"ts": now - 2000, "pm25": 3.0}, *bad)
        got = attack_between_good_readings(settings, conn, make_kit, payload, stored=3)
        wait_for(lambda: worker.budget.dropped == 999 - budget, what="the drops counted")
        assert len(got) == budget == 100
        assert got[0][0] == "reading 1: 'pm25' must be a number or null, got 'x'"
    finally:
        handle.stop()


def test_a_message_the_database_refuses_costs_its_own_transactions_not_its_batchs(
    settings, conn, make_kit, without_session_worker
):
    """300 messages in one batch, one of them refused by a rule only the database knows."""
    handle = WorkerHandle(
        ingest_client_id=f"ijlucht-ingest-attack-refuse-{uuid.uuid4().hex[:6]}", ingest_batch_wait_s=2.0
    )
    handle.start()
    handle.stop()  # its session now queues the messages, so they arrive together
    # 667, not 666: the paused session worker stores this message later, and another test refuses 666 everywhere.
    conn.execute("ALTER TABLE readings ADD CONSTRAINT test_refuse_667 CHECK (pm1 IS DISTINCT FROM 667)")
    try:
        kit, pw = make_kit("attack")
        pub = publisher(settings, kit, pw)
        now = int(time.time())
        for i in range(300):
            publish(pub, kit, reading_message(i, {"ts": now - 300 + i, "pm1": 667.0 if i == 150 else 1.0}))
        publish(pub, kit, reading_message(300, {"ts": now, "pm1": 2.0})).wait_for_publish(10)
        worker = handle.start()
        wait_for(lambda: count(conn, kit) == 300, what="the 300 acceptable readings")
        got = wait_for(lambda: rejects(conn, kit))
        assert (
            len(got) == 1
            and got[0][0].startswith('could not be stored (CheckViolation: new row for relation "_hyper_')
            and '"pm1": 667.0' in got[0][1]
        )
        c = worker.counters
        # (it also gets the retained status and info of the kits of earlier tests)
        wait_for(lambda: c.received >= 301 and worker.oldest_unacked_age() == 0, what="every message acknowledged")
        # Halving finds the culprit in about 2·log2(batch) tries: a fraction of one transaction per message.
        assert c.refused == 1 and c.transactions <= 2 * c.batches + 2 * 9 + 1, vars(c)
        pub.disconnect()
        pub.loop_stop()
    finally:
        conn.execute("ALTER TABLE readings DROP CONSTRAINT test_refuse_667")
        handle.stop()


def test_an_oversized_message_is_refused_by_the_broker_and_info_over_16_kb_by_the_worker(
    settings, conn, make_kit, ingest_worker
):
    big_info = json.dumps({"v": 1, "pad": "x" * 17_000})
    got = attack_between_good_readings(settings, conn, make_kit, big_info, contract.INFO)
    assert [r for r, _ in got] == [f"info message is {len(big_info)} bytes, more than 16384"]
    kit, pw = make_kit("attack")
    pub = publisher(settings, kit, pw)
    publish(pub, kit, b"{" + b" " * contract.MAX_MESSAGE_BYTES + b"}")
    wait_for(lambda: not pub.is_connected(), what="the broker to disconnect the kit (max_packet_size)")
    pub.loop_stop()
    assert rejects(conn, kit) == [] and count(conn, kit) == 0
    pub = publisher(settings, kit, pw)  # the kit may come back and send what is valid
    publish(pub, kit, reading_message(1, {"ts": int(time.time()), "pm25": 1.0})).wait_for_publish(10)
    wait_for(lambda: count(conn, kit) == 1, what="the valid reading after the oversized one")
    pub.disconnect()
    pub.loop_stop()


def test_a_qos0_flood_is_dropped_beyond_the_bound_and_counted_while_qos1_is_kept(
    settings, conn, make_kit, without_session_worker
):
    """The database is away (the worker cannot drain), 30,000 QoS 0 messages arrive; QoS 1 ones survive."""
    port = free_port()
    bound, flood = 1000, 30_000
    handle = WorkerHandle(
        ingest_client_id=f"ijlucht-ingest-attack-flood-{uuid.uuid4().hex[:6]}",
        ingest_qos0_queue_max=bound,
        ingest_batch_size=100,
        ingest_metrics_port=port,
        pg_port=free_port(),  # nothing listens there: nothing can be stored
    )
    worker = handle.start()
    try:
        flooder, fpw = make_kit("flood")
        kit, pw = make_kit("attack")
        fpub, pub = publisher(settings, flooder, fpw), publisher(settings, kit, pw)
        now = int(time.time())
        time.sleep(0.5)  # the retained status and info of earlier tests' kits arrive first (QoS 1: never dropped)
        before = len(worker._arrivals)
        for i in range(flood):
            publish(fpub, flooder, b'{"v":1,"readings":[]}', qos=0)
            if i % 6000 == 0:
                publish(pub, kit, reading_message(i, {"ts": now - 10 + i // 6000, "pm25": 1.0}))
        arrived = lambda: len(worker._arrivals) + worker.counters.dropped_qos0  # noqa: E731
        wait_for(lambda: arrived() >= before + flood + 5, timeout=60, what="the flood to reach the worker")
        assert worker.inbox.qsize() <= bound + before + 5  # QoS 1 messages may go beyond the bound
        assert worker.counters.dropped_qos0 >= flood - bound - 100
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert f"ijlucht_ingest_dropped_qos0_total {worker.counters.dropped_qos0}" in metrics
        worker.settings.pg_port = settings.pg_port  # the database is back
        wait_for(lambda: count(conn, kit) == 5, what="every QoS 1 reading stored")
        wait_for(lambda: worker.oldest_unacked_age() == 0.0, what="nothing left unacknowledged")
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
        for c in (fpub, pub):
            c.disconnect()
            c.loop_stop()
    finally:
        handle.stop()


@pytest.mark.parametrize("value", ["1e400", "-1e400"])
def test_numbers_beyond_a_double_are_rejected(settings, conn, make_kit, ingest_worker, value):
    payload = '{"v":1,"readings":[{"ts":1,"pm25":' + value + "}]}"
    got = attack_between_good_readings(settings, conn, make_kit, payload)
    reason = "not valid JSON: number is infinity when parsed as double: line 1 column 35 (char 34)"
    assert [r for r, _ in got] == [reason]
