"""MQTT 3.1.1 packet bytes and the TLS context: the pure, testable half of the client (kit/mqtt.py)."""

import binascii
import struct

CONNECT = 0x10
PUBLISH = 0x30
SUBSCRIBE = 0x82  # SUBSCRIBE with its required flags 0010


def _vbi(n):
    """MQTT variable byte integer (remaining length)."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def _field(value):
    """A length-prefixed UTF-8 string or binary field."""
    if isinstance(value, str):
        value = value.encode()
    return struct.pack("!H", len(value)) + value


def connect_packet(client_id, keepalive, user=None, password=None, will=None, clean=True):
    """CONNECT bytes; will is (topic, message, retain, qos) or None."""
    flags = 0x02 if clean else 0
    payload = _field(client_id)
    if will:
        topic, msg, retain, qos = will
        flags |= 0x04 | (qos << 3) | (0x20 if retain else 0)
        payload += _field(topic) + _field(msg)
    if user is not None:
        flags |= 0x80
        payload += _field(user)
        if password is not None:
            flags |= 0x40
            payload += _field(password)
    body = b"\x00\x04MQTT\x04" + struct.pack("!BH", flags, keepalive) + payload
    return bytes([CONNECT]) + _vbi(len(body)) + body


def publish_packet(topic, msg, qos=0, retain=False, pid=0):
    if isinstance(msg, str):
        msg = msg.encode()
    body = _field(topic)
    if qos:
        body += struct.pack("!H", pid)
    body += msg
    header = PUBLISH | (qos << 1) | (1 if retain else 0)
    return bytes([header]) + _vbi(len(body)) + body


def subscribe_packet(topic, qos, pid):
    body = struct.pack("!H", pid) + _field(topic) + bytes([qos])
    return bytes([SUBSCRIBE]) + _vbi(len(body)) + body


def pem_to_der(data):
    """DER bytes of the first certificate in PEM text; DER input is returned as it is.

    mbedTLS on MicroPython rejects PEM given as cadata (it wants a NUL-terminated buffer); DER always works.
    """
    begin = data.find(b"-----BEGIN CERTIFICATE-----")
    if begin < 0:
        return data
    end = data.find(b"-----END CERTIFICATE-----", begin)
    if end < 0:
        raise ValueError("PEM certificate without END line")
    body = data[begin + 27 : end].replace(b"\r", b"").replace(b"\n", b"")
    return binascii.a2b_base64(body)


def tls_context(ca_file=None):
    """An ssl context; with a CA file the broker's certificate is verified (needs a set clock)."""
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        ctx.verify_mode = ssl.CERT_REQUIRED
        with open(ca_file, "rb") as f:
            ctx.load_verify_locations(cadata=pem_to_der(f.read()))
    else:
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
