"""Two workers share the stream through an MQTT v5 shared subscription; every message is stored once."""

import json
import time
import uuid

import paho.mqtt.client as mqtt

from ijlucht import contract
from tests.conftest import WorkerHandle, wait_for

N = 2000


def test_two_workers_in_a_share_group_split_the_stream_and_store_each_reading_once(
    settings, conn, make_kit, without_session_worker
):
    group = f"ingest-{uuid.uuid4().hex[:6]}"
    handles = [WorkerHandle(ingest_client_id=f"ijlucht-ingest-{group}-{i}", ingest_share_group=group) for i in range(2)]
    workers = [h.start() for h in handles]
    kits = [make_kit("share") for _ in range(4)]
    clients = []
    for kit, pw in kits:
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit)
        c.username_pw_set(kit, pw)
        c.connect(settings.mqtt_host, settings.mqtt_port)
        c.loop_start()
        clients.append((kit, c))
    base = int(time.time()) - N
    infos = []
    for i in range(N):
        kit, c = clients[i % len(clients)]
        msg = {"v": 1, "seq": i, "fw": "t", "readings": [{"ts": base + i, "pm25": 1.0}]}
        infos.append(c.publish(contract.topic(kit, contract.READINGS), json.dumps(msg), qos=1))
    for info in infos:
        info.wait_for_publish(30)
    kit_ids = [k for k, _ in kits]

    def total():
        return conn.execute("SELECT count(*) FROM readings WHERE kit_id = ANY(%s)", (kit_ids,)).fetchone()[0]

    wait_for(lambda: total() == N, timeout=60, what=f"{N} readings stored")
    time.sleep(0.5)
    assert total() == N
    # count readings, not messages: on subscribing, each member also gets retained status/info of other kits
    stored = [w.counters.stored for w in workers]
    assert all(s > N // 10 for s in stored), f"both workers must take a share: {stored}"
    assert sum(stored) == N  # each message went to exactly one member of the group
    assert sum(w.counters.duplicates for w in workers) == 0
    for _, c in clients:
        c.disconnect()
        c.loop_stop()
    for h in handles:
        h.stop()
