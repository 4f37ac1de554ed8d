"""The worker cannot be stopped by a message: any error storing one ends as its reject, a stalled worker says so
on /health, and the rejects table stays bounded in time."""

import time
import uuid

import httpx
import paho.mqtt.client as mqtt

from ijlucht import contract
from ingest.history import KitHistory
from ingest.judge import Batch, KnownKit, RejectRecord, judge
from ingest.settings import IngestSettings
from ingest.store import StoreResult, expire_rejects
from ingest.worker import Incoming, IngestWorker, Prepared
from tests.conftest import WorkerHandle, free_port, wait_for


def prepared_batch(kit_id: str, parts: list[Batch]) -> Prepared:
    messages = [
        Incoming(contract.topic(kit_id, contract.READINGS), f"message {i}".encode(), i, 1, False, time.time(), 0)
        for i in range(len(parts))
    ]
    merged = Batch()
    for part in parts:
        merged.extend(part)
    return Prepared(messages, parts, merged, [(0, len(parts))], StoreResult(0, 0, 0))


def test_any_error_while_storing_a_message_ends_as_its_own_reject_and_the_rest_is_stored(settings, conn, make_kit):
    """Errors psycopg raises outside its own hierarchy (OverflowError, UnicodeEncodeError) included."""
    kit, _ = make_kit("survive")
    lookup = {kit: KnownKit(time.time() - 86400, KitHistory())}.get
    now = int(time.time())
    topic = contract.topic(kit, contract.READINGS)
    parts = []
    for i in range(64):
        payload = b'{"v":1,"seq":%d,"readings":[{"ts":%d,"pm25":1.0}]}' % (i, now - 100 + i)
        parts.append(judge(topic, payload, False, now, lookup))
    parts[10].rows[0][0].seq = 2**64  # past the validation, as a bug of ours could let through
    parts[40] = Batch(info={kit: ({"fw": "\ud800"}, None)})
    worker = IngestWorker(IngestSettings(ingest_client_id=f"ijlucht-ingest-survive-{uuid.uuid4().hex[:6]}"))
    result = worker.store(conn, prepared_batch(kit, parts))
    assert (result.stored, result.rejected) == (62, 2)  # 64 messages: one is info, two are refused
    reasons = [r[0] for r in conn.execute("SELECT reason FROM rejects WHERE kit_id = %s ORDER BY id", (kit,))]
    assert reasons[0].startswith("could not be stored (OverflowError: ")
    assert reasons[1].startswith("could not be stored (UnicodeEncodeError: 'utf-8' codec can't encode character")
    assert conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (kit,)).fetchone()[0] == 62
    assert worker.counters.refused == 2 and worker.counters.transactions <= 2 * 2 * 6 + 1 + 2


def test_a_refused_message_whose_reject_cannot_be_stored_either_is_counted_and_the_rest_is_stored(
    settings, conn, make_kit
):
    kit, _ = make_kit("survive")
    lookup = {kit: KnownKit(time.time() - 86400, KitHistory())}.get
    now = int(time.time())
    topic = contract.topic(kit, contract.READINGS)
    parts = [
        judge(topic, b'{"v":1,"readings":[{"ts":%d,"pm25":2.0}]}' % (now - 50 + i), False, now, lookup)
        for i in range(8)
    ]
    poison = f"ijlucht/kits/{kit}/poison"
    parts[3] = Batch(rejects=[RejectRecord(poison, kit, "a reason", "x")])
    prepared = prepared_batch(kit, parts)
    prepared.messages[3].topic = poison
    # An operator's constraint (or a fault) that refuses this message's reject as well as the message itself.
    conn.execute(f"ALTER TABLE rejects ADD CONSTRAINT no_poison CHECK (topic <> '{poison}') NOT VALID")
    try:
        worker = IngestWorker(IngestSettings(ingest_client_id=f"ijlucht-ingest-survive-{uuid.uuid4().hex[:6]}"))
        result = worker.store(conn, prepared)
    finally:
        conn.execute("ALTER TABLE rejects DROP CONSTRAINT no_poison")
    assert (result.stored, result.rejected) == (7, 0)
    assert worker.counters.refused == 1 and worker.budget.dropped == 1
    assert conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (kit,)).fetchone()[0] == 7


def test_health_is_503_with_the_reason_when_messages_stall_and_200_when_idle(settings, conn, make_kit):
    port = free_port()
    idle = WorkerHandle(
        ingest_client_id=f"ijlucht-ingest-idle-{port}", ingest_metrics_port=port, ingest_stall_after_s=1.0
    )
    worker = idle.start()
    try:  # once it has stored what the broker had for it (retained status and info), it idles
        wait_for(lambda: worker.oldest_unacked_age() == 0.0, what="the worker to catch up")
        time.sleep(1.5)  # idle for longer than the stall limit
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    finally:
        idle.stop()
    port = free_port()
    stalled = WorkerHandle(
        ingest_client_id=f"ijlucht-ingest-stall-{port}",
        ingest_metrics_port=port,
        ingest_stall_after_s=1.0,
        pg_port=free_port(),
    )
    worker = stalled.start()  # nothing listens on its database port
    try:
        health = f"http://127.0.0.1:{port}/health"
        kit, pw = make_kit("stall")
        pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit)
        pub.username_pw_set(kit, pw)
        pub.connect(settings.mqtt_host, settings.mqtt_port)
        pub.loop_start()
        msg = b'{"v":1,"readings":[{"ts":%d,"pm25":1.0}]}' % int(time.time())
        pub.publish(contract.topic(kit, contract.READINGS), msg, qos=1).wait_for_publish(10)
        answer = wait_for(lambda: (r := httpx.get(health)).status_code == 503 and r, what="health to see the stall")
        assert answer.text.startswith("oldest unacknowledged message is ")
        assert answer.text.endswith(" s old (limit 1 s): messages are not stored\n")
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        age = next(line for line in metrics.splitlines() if line.startswith("ijlucht_ingest_oldest_unacked_age"))
        assert float(age.split()[1]) > 1.0
        worker.settings.pg_port = settings.pg_port  # the database is back: the message is stored and acked
        wait_for(lambda: httpx.get(health).status_code == 200, what="health to recover")
        assert conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (kit,)).fetchone()[0] == 1
        pub.disconnect()
        pub.loop_stop()
    finally:
        stalled.stop()


def test_rejects_older_than_the_retention_are_deleted_and_newer_ones_kept(settings, conn):
    tag = uuid.uuid4().hex[:8]
    insert = (
        "INSERT INTO rejects (received_at, topic, reason, excerpt) VALUES (now() - %s * interval '1 day', %s, 'r', '')"
    )
    left = "SELECT count(*) FROM rejects WHERE topic = %s"
    for days in (31, 31, 31, 40, 1):
        conn.execute(insert, (days, f"direct-{tag}"))
    assert expire_rejects(conn, 30 * 86400, chunk=2) >= 4  # in statements of at most 2 rows
    assert conn.execute(left, (f"direct-{tag}",)).fetchone()[0] == 1
    # The worker does the same at start and then every interval.
    handle = WorkerHandle(ingest_client_id=f"ijlucht-ingest-expire-{tag}", ingest_rejects_expire_interval_s=0.2)
    handle.start()
    try:
        for days in (31, 45, 29):
            conn.execute(insert, (days, f"worker-{tag}"))
        wait_for(lambda: conn.execute(left, (f"worker-{tag}",)).fetchone()[0] == 1, what="old rejects deleted")
    finally:
        handle.stop()
