"""The private Mosquitto enforces the production rules: no anonymous access, a password per kit, a per-kit ACL."""

import ssl
import threading
import time
import uuid

import paho.mqtt.client as mqtt

from ijlucht import contract
from ijlucht.dynsec import INGEST_CLIENT_PREFIX, INGEST_USER
from tests.conftest import wait_for


def connect(settings, user=None, password=None, tls=False, client_id=None) -> tuple[mqtt.Client, mqtt.ReasonCode]:
    """Log in; a kit's client id is its kit id (the only one its account may use), the worker's its prefix."""
    if client_id is None:
        client_id = f"{INGEST_CLIENT_PREFIX}-t-{uuid.uuid4().hex[:8]}" if user == INGEST_USER else user or "anonymous"
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if user:
        c.username_pw_set(user, password)
    result: dict = {}
    done = threading.Event()

    def on_connect(client, userdata, flags, rc, props):
        result["rc"] = rc
        done.set()

    c.on_connect = on_connect
    port = settings.mqtt_port
    if tls:
        c.tls_set(ca_certs=str(settings.mosquitto_dir / "tls" / "ca.crt"), cert_reqs=ssl.CERT_REQUIRED)
        port = settings.mqtt_tls_port
    c.connect(settings.mqtt_host, port)
    c.loop_start()
    assert done.wait(10), "no CONNACK"
    return c, result["rc"]


def ingest_password(settings) -> str:
    return (settings.secrets_dir / "mqtt-ingest.pass").read_text().strip()


def test_anonymous_and_wrong_password_are_refused(settings, make_kit):
    kit, _ = make_kit()
    for user, pw in ((None, None), (kit, "wrong"), ("nobody", "x")):
        c, rc = connect(settings, user, pw)
        c.loop_stop()
        assert rc.is_failure, (user, str(rc))


def test_kit_can_publish_only_below_its_own_topic(settings, make_kit):
    kit_a, pw_a = make_kit()
    kit_b, _ = make_kit()
    received: list[str] = []
    sub, rc = connect(settings, "ingest", ingest_password(settings))
    assert not rc.is_failure
    sub.on_message = lambda c, u, m: received.append(m.topic)
    sub.subscribe("ijlucht/kits/+/readings", qos=1)
    pub, rc = connect(settings, kit_a, pw_a)
    assert not rc.is_failure
    wait_for(lambda: sub.is_connected(), what="subscriber")
    time.sleep(0.3)  # let the subscription settle
    pub.publish(contract.topic(kit_b, contract.READINGS), b"forged", qos=1).wait_for_publish(5)
    pub.publish(contract.topic(kit_a, contract.READINGS), b"mine", qos=1).wait_for_publish(5)
    wait_for(lambda: contract.topic(kit_a, contract.READINGS) in received, what="own message delivered")
    time.sleep(0.3)
    assert contract.topic(kit_b, contract.READINGS) not in received
    for c in (pub, sub):
        c.disconnect()
        c.loop_stop()


def test_kit_cannot_read_other_kits_data(settings, make_kit):
    kit, pw = make_kit()
    c, rc = connect(settings, kit, pw)
    assert not rc.is_failure
    got = []
    c.on_message = lambda cl, u, m: got.append(m.topic)
    c.subscribe("ijlucht/kits/#", qos=1)
    other, opw = make_kit()
    o, _ = connect(settings, other, opw)
    o.publish(contract.topic(other, contract.READINGS), b"x", qos=1).wait_for_publish(5)
    time.sleep(0.5)
    assert got == []
    for cl in (c, o):
        cl.disconnect()
        cl.loop_stop()


def test_tls_listener_verifies_with_the_local_ca(settings, make_kit):
    kit, pw = make_kit()
    c, rc = connect(settings, kit, pw, tls=True)
    assert not rc.is_failure
    c.disconnect()
    c.loop_stop()
