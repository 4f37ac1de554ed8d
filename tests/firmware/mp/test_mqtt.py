import binascii
import errno

import mptest
from kit import mqtt

# Reference packets from docs (sensor-protocols.md 2.1, derived from the MQTT 3.1.1 spec).
CONNECT_WITH_WILL = (
    "104700044d51545404ee003c00086b69742d303030310016696a6d6f6e642f6b69742d303030312f73746174757300076f66666c696e65"
    "00086b69742d303030310006736563726574"
)
PUBLISH_RETAINED_QOS1 = "33200016696a6d6f6e642f6b69742d303030312f73746174757300016f6e6c696e65"
PUBLISH_QOS1 = "321d0012696a6d6f6e642f6b69742d303030312f757000027b2261223a317d"
STATUS = "ijmond/kit-0001/status"


def unhex(text):
    return binascii.unhexlify(text)


class FakeSocket:
    """Replays `incoming` bytes to read(); collects what the client writes. Empty: timeout, like a socket."""

    def __init__(self, incoming=b"", closed_when_empty=False):
        self.incoming = incoming
        self.written = b""
        self.closed = False
        self.closed_when_empty = closed_when_empty

    def write(self, data):
        self.written += bytes(data)
        return len(data)

    def read(self, n):
        if not self.incoming:
            if self.closed_when_empty:
                return b""
            raise OSError(errno.ETIMEDOUT)
        chunk, self.incoming = self.incoming[:1], self.incoming[1:]  # one byte at a time: short reads
        return chunk

    def close(self):
        self.closed = True


def client():
    c = mqtt.MQTTClient("kit-0001", "broker", user="kit-0001", password="secret", keepalive=60, timeout_s=1)
    c.set_last_will(STATUS, "offline", retain=True, qos=1)
    return c


def test_remaining_length_encoding():
    assert mqtt._vbi(0) == b"\x00"
    assert mqtt._vbi(127) == unhex("7f")
    assert mqtt._vbi(128) == unhex("8001")
    assert mqtt._vbi(16383) == unhex("ff7f")
    assert mqtt._vbi(16384) == unhex("808001")


def test_connect_sends_login_with_retained_qos1_will_and_accepts_connack():
    c = client()
    sock = FakeSocket(unhex("20020000"))
    assert c.connect(sock=sock) == 0
    assert sock.written == unhex(CONNECT_WITH_WILL)


def test_refused_connack_raises_a_readable_error_and_closes():
    c = client()
    sock = FakeSocket(unhex("20020004"))
    exc = mptest.raises(mqtt.MQTTError, c.connect, sock=sock)
    assert "bad user name or password" in str(exc), str(exc)
    assert sock.closed and c.sock is None


def test_missing_connack_is_a_timeout():
    mptest.raises(mqtt.MQTTTimeout, client().connect, sock=FakeSocket())


def test_publish_qos1_retained_bytes_and_puback_with_matching_id():
    c = client()
    c.connect(sock=FakeSocket(unhex("20020000")))
    # A stray PINGRESP and a PUBACK for another packet id come first and are skipped.
    c.sock = FakeSocket(unhex("d000") + unhex("40020009") + unhex("40020001"))
    assert c.publish(STATUS, "online", retain=True, qos=1) == 1
    assert c.sock.written == unhex(PUBLISH_RETAINED_QOS1)
    c.sock = FakeSocket(unhex("40020002"))
    assert c.publish("ijmond/kit-0001/up", b'{"a":1}', qos=1) == 2
    assert c.sock.written == unhex(PUBLISH_QOS1)


def test_publish_qos1_without_puback_raises_timeout():
    c = client()
    c.sock = FakeSocket()
    mptest.raises(mqtt.MQTTTimeout, c.publish, "t", "x", qos=1)


def test_broker_closing_the_connection_is_an_oserror():
    c = client()
    c.sock = FakeSocket(closed_when_empty=True)
    exc = mptest.raises(OSError, c.publish, "t", "x", qos=1)
    assert "closed" in str(exc)


def test_publish_qos0_waits_for_nothing():
    c = client()
    c.sock = FakeSocket()
    assert c.publish("a/b", "hi") == 0
    assert c.sock.written == b"\x30\x07\x00\x03a/bhi"


def test_ping_waits_for_pingresp_and_disconnect_sends_e000():
    c = client()
    c.sock = sock = FakeSocket(unhex("d000"))
    c.ping()
    assert sock.written == unhex("c000")
    c.disconnect()
    assert sock.written == unhex("c000e000") and sock.closed and c.sock is None


def test_ping_without_answer_raises_timeout():
    c = client()
    c.sock = FakeSocket()
    mptest.raises(mqtt.MQTTTimeout, c.ping)


def test_publish_when_not_connected_is_an_oserror():
    mptest.raises(OSError, client().publish, "t", "x")


def test_qos2_is_refused():
    c = client()
    c.sock = FakeSocket()
    mptest.raises(ValueError, c.publish, "t", "x", qos=2)


def test_pem_certificate_is_turned_into_der():
    der = b"\x30\x82\x01\x0a" + bytes(range(40))
    pem = b"-----BEGIN CERTIFICATE-----\n" + binascii.b2a_base64(der) + b"-----END CERTIFICATE-----\n"
    assert mqtt.pem_to_der(pem) == der
    assert mqtt.pem_to_der(der) == der


def connected(incoming):
    c = client()
    c.connect(sock=FakeSocket(unhex("20020000") + incoming))
    c.sock.written = b""
    return c


def test_subscribe_sends_qos1_filter_and_waits_for_suback():
    c = connected(unhex("9003000101"))
    c.subscribe("ijlucht/kits/kit-0001/cmd", qos=1)
    topic = b"ijlucht/kits/kit-0001/cmd"
    expected = b"\x82" + bytes([2 + 2 + len(topic) + 1]) + b"\x00\x01\x00" + bytes([len(topic)]) + topic + b"\x01"
    assert c.sock.written == expected


def test_refused_subscription_raises():
    c = connected(unhex("9003000180"))
    assert "refused" in str(mptest.raises(mqtt.MQTTError, c.subscribe, "ijlucht/kits/kit-0001/cmd"))


def test_command_arriving_while_waiting_for_puback_is_kept_and_acknowledged():
    # The broker sends a QoS 1 PUBLISH (pid 7) on the cmd topic before the PUBACK of our publish (pid 1).
    topic = b"ijlucht/kits/kit-0001/cmd"
    body = b"\x00" + bytes([len(topic)]) + topic + b"\x00\x07" + b'{"cmd":"info"}'
    incoming = b"\x32" + bytes([len(body)]) + body + unhex("40020001")
    c = connected(incoming)
    c.publish("ijlucht/kits/kit-0001/readings", "{}", qos=1)
    assert c.inbox == [("ijlucht/kits/kit-0001/cmd", b'{"cmd":"info"}', False)]
    assert unhex("40020007") in c.sock.written  # our PUBACK for the command


def test_retained_flag_of_an_incoming_message_is_kept_with_it():
    # A retained message (RETAIN bit 0x01 in the header) handed out at subscription, QoS 0.
    topic = b"ijlucht/kits/kit-0001/cmd"
    body = b"\x00" + bytes([len(topic)]) + topic + b'{"cmd":"reboot"}'
    c = connected(b"\x31" + bytes([len(body)]) + body + unhex("d000"))
    c.ping()
    assert c.inbox == [("ijlucht/kits/kit-0001/cmd", b'{"cmd":"reboot"}', True)]


def test_oversized_incoming_message_is_skipped_not_kept():
    size = mqtt.MAX_INCOMING + 10
    body = b"\x00\x01t" + bytes(size - 3)
    incoming = b"\x30" + mqtt._vbi(size) + body + unhex("d000")
    c = client()
    c.connect(sock=BulkSocket(unhex("20020000") + incoming))
    c.ping()
    assert c.inbox == [] and c.dropped_incoming == 1


class BulkSocket(FakeSocket):
    """Like FakeSocket, but gives up to n bytes per read (a large message would take ages byte by byte)."""

    def read(self, n):
        if not self.incoming:
            raise OSError(errno.ETIMEDOUT)
        chunk, self.incoming = self.incoming[:n], self.incoming[n:]
        return chunk


mptest.run(globals())
