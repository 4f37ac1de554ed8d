"""Faults, tested with the real parts: every published reading ends up stored exactly once when the worker is
killed mid-stream, when PostgreSQL restarts and when Mosquitto restarts."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import httpx
import paho.mqtt.client as mqtt
import psycopg
import pytest

from ijlucht import contract
from tests.conftest import ROOT, free_port, services, wait_for

N = 3000  # messages in the stream, one reading each


class WorkerProcess:
    """`python -m ingest` as a real process, with its own persistent session on the broker."""

    def __init__(self) -> None:
        self.client_id = f"ijlucht-ingest-fault-{uuid.uuid4().hex[:6]}"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "IJLUCHT_INGEST_CLIENT_ID": self.client_id,
            "IJLUCHT_INGEST_METRICS_PORT": str(self.port),
            # Long batches keep many received-but-uncommitted messages in the worker: what a fault must not lose.
            "IJLUCHT_INGEST_BATCH_WAIT_S": "1.5",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

        def healthy():
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, timeout=30, what="worker process subscribed")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


class Stream:
    """A kit publishing N messages at QoS 1 in the background; paho resends what the broker did not confirm."""

    def __init__(self, settings, kit: str, password: str) -> None:
        self.base = int(time.time()) - N - 60
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit)
        self.client.username_pw_set(kit, password)
        self.client.max_queued_messages_set(0)  # keep everything while the broker is away
        self.client.reconnect_delay_set(0.2, 1)
        self.client.connect(settings.mqtt_host, settings.mqtt_port)
        self.confirmed: set[int] = set()  # message ids the broker acknowledged (PUBACK)
        self.client.on_publish = lambda c, u, mid, rc, props: self.confirmed.add(mid)
        self.client.loop_start()
        self.kit = kit
        self.infos: list[mqtt.MQTTMessageInfo] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        topic = contract.topic(self.kit, contract.READINGS)
        for i in range(N):
            msg = {"v": 1, "seq": i, "fw": "t", "readings": [{"ts": self.base + i, "pm25": float(i % 50)}]}
            self.infos.append(self.client.publish(topic, json.dumps(msg), qos=1))
            if i % 100 == 0:
                time.sleep(0.1)  # a steady stream over ~3–4 s rather than one burst

    def start(self) -> "Stream":
        self.thread.start()
        return self

    def wait_confirmed(self, timeout: float = 60) -> None:
        self.thread.join(timeout)
        wait_for(
            # Messages published while the broker was away are queued by paho and sent after it reconnects.
            lambda: len(self.infos) == N and {i.mid for i in self.infos} <= self.confirmed,
            timeout=timeout,
            interval=0.2,
            what="broker confirmed every message",
        )
        self.client.disconnect()
        self.client.loop_stop()


def stored(settings, kit) -> tuple[int, int]:
    """(rows, distinct times) of the kit; a fresh connection each time, since the database may restart."""
    try:
        with psycopg.connect(settings.dsn, connect_timeout=3) as c:
            return c.execute("SELECT count(*), count(DISTINCT time) FROM readings WHERE kit_id = %s", (kit,)).fetchone()
    except psycopg.OperationalError:
        return (-1, -1)


@pytest.fixture
def worker(settings, without_session_worker):
    w = WorkerProcess()
    w.start()
    yield w
    w.stop()


def assert_exactly_once(settings, kit, stream: Stream) -> None:
    stream.wait_confirmed()
    wait_for(lambda: stored(settings, kit)[0] == N, timeout=90, interval=0.5, what=f"{N} readings stored")
    time.sleep(1.0)  # nothing more arrives late
    rows, distinct = stored(settings, kit)
    assert rows == N and distinct == N


def test_kill_9_of_the_worker_mid_stream_loses_nothing(settings, make_kit, worker):
    kit, pw = make_kit("fault")
    stream = Stream(settings, kit, pw).start()
    wait_for(lambda: stored(settings, kit)[0] > N // 4, timeout=60, what="part of the stream stored")
    time.sleep(0.7)  # into the next batch: messages received by the worker, not yet committed
    worker.kill()
    at_kill = stored(settings, kit)[0]
    assert 0 < at_kill < len(stream.infos) < N, "the kill must land mid-stream with messages in the worker"
    worker.start()
    assert_exactly_once(settings, kit, stream)


def test_postgresql_restart_mid_stream_loses_nothing(settings, make_kit, worker):
    kit, pw = make_kit("fault")
    stream = Stream(settings, kit, pw).start()
    wait_for(lambda: stored(settings, kit)[0] > N // 4, timeout=60, what="part of the stream stored")
    assert stored(settings, kit)[0] < N, "the restart must land mid-stream"
    services("stop", "postgres")
    time.sleep(2.0)  # the worker keeps receiving but cannot commit: it must not acknowledge
    services("start", "postgres")
    assert worker.proc.poll() is None, "the worker must survive the database restart"
    assert_exactly_once(settings, kit, stream)


def test_mosquitto_restart_mid_stream_loses_nothing(settings, make_kit, worker):
    kit, pw = make_kit("fault")
    stream = Stream(settings, kit, pw).start()
    wait_for(lambda: stored(settings, kit)[0] > N // 4, timeout=60, what="part of the stream stored")
    assert stored(settings, kit)[0] < N, "the restart must land mid-stream"
    services("stop", "mosquitto")
    time.sleep(1.0)
    services("start", "mosquitto")
    assert worker.proc.poll() is None, "the worker must survive the broker restart"
    assert_exactly_once(settings, kit, stream)
