"""Helpers for the virtual-kit tests against the session's private Mosquitto (tests/conftest.py)."""

import secrets
import threading
import time

import paho.mqtt.client as paho
import pytest

from ijlucht import signing
from ijlucht.broker import service_password, set_kit_account
from ijlucht.dynsec import CMD_USER, INGEST_CLIENT_PREFIX, INGEST_USER
from ijlucht.settings import PlatformSettings
from tests.conftest import TEST_ENV

MQTT_PORT = int(TEST_ENV["IJLUCHT_MQTT_PORT"])
MQTT_TLS_PORT = int(TEST_ENV["IJLUCHT_MQTT_TLS_PORT"])


class Broker:
    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        self.state = settings.state_dir
        self.ingest_password = service_password(settings, INGEST_USER)
        self.cmd_password = service_password(settings, CMD_USER)
        self.signing_key = signing.load_private_key(settings.secrets_dir)  # the test platform's update key
        self.update_key = signing.public_key_hex(self.signing_key)

    def add_kit_account(self, kit_id: str, password: str) -> None:
        set_kit_account(self.settings, kit_id, password)  # holds once the broker has answered


class Recorder:
    """Subscribes as the ingest account to one kit's topics and keeps (topic, payload, retain)."""

    def __init__(self, broker: Broker, kit_id: str) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.lock = threading.Lock()
        self.client = paho.Client(
            paho.CallbackAPIVersion.VERSION2, client_id=f"{INGEST_CLIENT_PREFIX}-rec-{secrets.token_hex(4)}"
        )
        self.client.username_pw_set(INGEST_USER, broker.ingest_password)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(f"ijlucht/kits/{kit_id}/#", qos=1)
        self.client.connect("127.0.0.1", MQTT_PORT, keepalive=30)
        self.client.loop_start()

    def _on_message(self, client, userdata, msg) -> None:
        with self.lock:
            self.messages.append((msg.topic.rsplit("/", 1)[1], msg.payload, msg.retain))

    def of(self, kind: str) -> list[tuple[bytes, bool]]:
        with self.lock:
            return [(p, r) for t, p, r in self.messages if t == kind]

    def wait(self, predicate, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.1)
        pytest.fail(f"timed out after {timeout} s waiting for {what}; got {self.messages!r}")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def kit_config(kit_id: str, password: str, **changes) -> dict:
    cfg = {
        "kit_id": kit_id,
        "mqtt_host": "127.0.0.1",
        "mqtt_port": MQTT_PORT,
        "mqtt_password": password,
        "wifi_ssid": "virtual",
        "sensors": ["replay"],
        "interval": 1,
        "replay_anchor": int(time.time()),
        "replay_period": 120,
    }
    cfg.update(changes)
    return cfg
