"""The ingest worker against the real broker and database: stored once, rejected with reasons, nothing lost."""

import json
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from ijlucht import contract, quality
from ingest.settings import IngestSettings
from ingest.worker import IngestWorker
from tests.conftest import WorkerHandle, wait_for


def publisher(settings, kit_id, password) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit_id)
    c.username_pw_set(kit_id, password)
    c.connect(settings.mqtt_host, settings.mqtt_port)
    c.loop_start()
    return c


def send(client, kit_id, readings, kind=contract.READINGS, raw=None, retain=False, seq=1):
    payload = raw if raw is not None else json.dumps({"v": 1, "seq": seq, "fw": "t", "readings": readings})
    client.publish(contract.topic(kit_id, kind), payload, qos=1, retain=retain).wait_for_publish(10)


def count(conn, kit_id) -> int:
    return conn.execute("SELECT count(*) FROM readings WHERE kit_id = %s", (kit_id,)).fetchone()[0]


def test_readings_are_stored_with_flags_and_latest_value(settings, conn, make_kit, ingest_worker):
    kit, pw = make_kit()
    now = int(time.time())
    pub = publisher(settings, kit, pw)
    send(pub, kit, [{"ts": now - 60, "pm25": 7.1, "pm10": 12.4, "rh": 90.0}, {"ts": now, "pm25": 8.2, "pm10": 14.0}])
    wait_for(lambda: count(conn, kit) == 2, what="2 readings stored")
    flags = conn.execute("SELECT flags FROM readings WHERE kit_id = %s ORDER BY time", (kit,)).fetchall()
    assert flags[0][0] & quality.HIGH_HUMIDITY and flags[1][0] == 0
    latest = conn.execute("SELECT pm25, extract(epoch FROM time) FROM latest_readings WHERE kit_id = %s", (kit,))
    pm25, t = latest.fetchone()
    assert abs(pm25 - 8.2) < 1e-5 and int(t) == now
    pub.disconnect()


def test_duplicate_readings_are_stored_once(settings, conn, make_kit, ingest_worker):
    kit, pw = make_kit()
    now = int(time.time())
    pub = publisher(settings, kit, pw)
    batch = [{"ts": now - i, "pm25": float(i)} for i in range(10)]
    send(pub, kit, batch, seq=1)
    send(pub, kit, batch[:5], seq=2)  # a replayed backlog overlapping what was sent
    send(pub, kit, [{"ts": now - 20, "pm25": 1.0}], seq=3)
    wait_for(lambda: count(conn, kit) == 11, what="11 distinct readings")
    time.sleep(0.5)
    assert count(conn, kit) == 11
    older_latest = conn.execute("SELECT extract(epoch FROM time) FROM latest_readings WHERE kit_id = %s", (kit,))
    assert int(older_latest.fetchone()[0]) == now  # an older reading arriving later does not replace the latest
    pub.disconnect()


def test_bad_messages_go_to_rejects_with_reasons_and_good_readings_are_kept(settings, conn, make_kit, ingest_worker):
    kit, pw = make_kit()
    now = int(time.time())
    pub = publisher(settings, kit, pw)
    send(pub, kit, None, raw=b"\xff\x00 garbage")
    send(pub, kit, [{"ts": now, "pm25": 3.0}, {"ts": now + 86400 * 2, "pm25": 4.0}, {"pm25": 5}])
    send(pub, kit, None, kind=contract.STATUS, raw=b"sleepy")
    wait_for(lambda: count(conn, kit) == 1, what="the valid reading")

    def reasons():
        rows = conn.execute("SELECT reason FROM rejects WHERE kit_id = %s ORDER BY id", (kit,)).fetchall()
        return [r[0] for r in rows] if len(rows) >= 4 else None

    got = wait_for(reasons, what="4 rejects")  # status and readings take separate paths: order is not fixed
    assert sum(r.startswith("not valid JSON") for r in got) == 1
    assert sum("in the future" in r for r in got) == 1 and sum("no 'ts'" in r for r in got) == 1
    assert sum("status must be 'online' or 'offline'" in r for r in got) == 1
    pub.disconnect()


def test_a_message_the_database_refuses_is_rejected_with_its_reason_and_its_batch_neighbours_are_kept(
    settings, conn, make_kit, ingest_worker
):
    # A rule the validation does not know (a stand-in for any refusal by the database): pm1 must not be 666.
    conn.execute("ALTER TABLE readings ADD CONSTRAINT test_refuse_666 CHECK (pm1 IS DISTINCT FROM 666)")
    try:
        kit, pw = make_kit()
        now = int(time.time())
        pub = publisher(settings, kit, pw)
        # published back to back, so they usually share a batch: the batch fails, then each message is retried
        pub.publish(
            contract.topic(kit, contract.READINGS),
            json.dumps({"v": 1, "seq": 1, "fw": "t", "readings": [{"ts": now - 2, "pm25": 1.0}]}),
            qos=1,
        )
        pub.publish(
            contract.topic(kit, contract.READINGS),
            json.dumps({"v": 1, "seq": 2, "fw": "t", "readings": [{"ts": now - 1, "pm1": 666}]}),
            qos=1,
        )
        send(pub, kit, [{"ts": now, "pm25": 3.0}], seq=3)
        wait_for(lambda: count(conn, kit) == 2, what="the two acceptable readings")
        reasons = wait_for(
            lambda: conn.execute("SELECT reason, excerpt FROM rejects WHERE topic LIKE %s", (f"%/{kit}/%",)).fetchall(),
            what="the refused message in rejects",
        )
        assert len(reasons) == 1
        assert reasons[0][0].startswith("could not be stored (CheckViolation") and '"pm1": 666' in reasons[0][1]
        pub.disconnect()
    finally:
        conn.execute("ALTER TABLE readings DROP CONSTRAINT test_refuse_666")


def test_status_and_info_update_the_kit(settings, conn, make_kit, ingest_worker):
    kit, pw = make_kit()
    pub = publisher(settings, kit, pw)
    send(pub, kit, None, kind=contract.STATUS, raw=b"online", retain=True)
    info = {"v": 1, "fw": "0.1.0", "sensors": ["pms5003", "bme280"], "boot": 17, "interval": 60}
    send(pub, kit, None, kind=contract.INFO, raw=json.dumps(info), retain=True)

    def kit_row():
        r = conn.execute("SELECT online, firmware, sensors, boot_count FROM kits WHERE kit_id = %s", (kit,)).fetchone()
        return r if r[0] and r[3] is not None else None

    assert wait_for(kit_row, what="kit state") == (True, "0.1.0", ["pms5003", "bme280"], 17)
    send(pub, kit, None, kind=contract.STATUS, raw=b"offline", retain=True)
    wait_for(lambda: conn.execute("SELECT online FROM kits WHERE kit_id = %s", (kit,)).fetchone()[0] is False)
    pub.disconnect()


def test_messages_sent_while_the_worker_is_down_are_stored_when_it_returns(settings, conn, make_kit):
    """The persistent session keeps QoS 1 messages in the broker while the worker is away."""
    client_id = f"ijlucht-ingest-restart-{uuid.uuid4().hex[:6]}"

    def start_worker():
        w = IngestWorker(IngestSettings(ingest_client_id=client_id, ingest_batch_wait_s=0.1))
        th = threading.Thread(target=w.run, daemon=True)
        th.start()
        wait_for(w.subscribed.is_set, what="worker subscribed")
        return w, th

    kit, pw = make_kit()
    w, th = start_worker()
    w.stop()
    th.join(10)
    now = int(time.time())
    pub = publisher(settings, kit, pw)
    for i in range(50):
        send(pub, kit, [{"ts": now - 100 + i, "pm25": float(i)}], seq=i)
    pub.disconnect()
    w, th = start_worker()
    # This worker's own queued session delivers all 50 (another worker in the session may store them too).
    wait_for(lambda: w.counters.received >= 50, what="the 50 queued messages delivered to the returning worker")
    wait_for(lambda: count(conn, kit) == 50, what="all 50 readings stored")
    w.stop()
    th.join(10)


def test_a_disabled_kit_is_cut_off_by_the_broker_and_its_queued_messages_are_refused(
    settings, conn, make_kit, without_session_worker
):
    from ijlucht.kits import disable_kit

    handle = WorkerHandle(ingest_client_id=f"ijlucht-ingest-test-disable-{uuid.uuid4().hex[:6]}")
    handle.start()
    handle.stop()  # its session now queues messages for it
    kit, pw = make_kit()
    pub = publisher(settings, kit, pw)
    now = int(time.time())
    send(pub, kit, [{"ts": now - 10, "pm25": 4.0}], seq=1)  # waits in the broker for the stopped worker
    disable_kit(conn, settings, kit)
    # Mosquitto drops the connection of an account that is gone when it reloads its password file.
    wait_for(lambda: not pub.is_connected(), what="the broker to cut the kit off")
    with pytest.raises(RuntimeError, match="not currently connected"):
        send(pub, kit, [{"ts": now, "pm25": 5.0}], seq=2)
    pub.loop_stop()
    worker = handle.start()
    got = wait_for(
        lambda: conn.execute("SELECT reason FROM rejects WHERE kit_id = %s", (kit,)).fetchall(), what="the refusal"
    )
    assert "is disabled" in got[0][0] and count(conn, kit) == 0 and worker.counters.stored == 0
    handle.stop()
