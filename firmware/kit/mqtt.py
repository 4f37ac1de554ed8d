"""A small MQTT 3.1.1 client: CONNECT with last will, PUBLISH QoS 0/1, SUBSCRIBE, PINGREQ, DISCONNECT.

Every wait is bounded: the socket has a timeout and each wait for a reply has a deadline. A QoS 1 publish
that gets no PUBACK in time raises MQTTTimeout; the caller reconnects and sends the message again.
Messages from the broker (the kit's cmd topic) land in `inbox` as (topic, payload, retained), whenever they
arrive; `retained` is the PUBLISH header's RETAIN flag, set only for a message the broker kept from earlier.
"""

import errno
import select
import socket
import struct
import time

from kit.mqttwire import _vbi, connect_packet, pem_to_der, publish_packet, subscribe_packet, tls_context  # noqa: F401

CONNECT = 0x10
CONNACK = 0x20
PUBLISH = 0x30
PUBACK = 0x40
SUBSCRIBE = 0x82  # with the required flags 0010
SUBACK = 0x90
PINGREQ = 0xC0
PINGRESP = 0xD0
DISCONNECT = 0xE0

CONNACK_REASONS = {
    1: "unacceptable protocol version",
    2: "client id rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}

_TIMEOUT_ERRNOS = (errno.ETIMEDOUT, errno.EAGAIN)
MAX_INCOMING = 64 * 1024  # a larger message from the broker is read and thrown away, never kept in RAM
INBOX_MAX = 4


class MQTTError(Exception):
    """The broker refused us or spoke out of turn."""


class MQTTTimeout(MQTTError):
    """No reply from the broker in time."""


class MQTTClient:
    def __init__(
        self, client_id, host, port=1883, user=None, password=None, keepalive=60, ssl_context=None, timeout_s=10
    ):
        self.client_id = client_id
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.keepalive = keepalive
        self.ssl_context = ssl_context
        self.timeout_s = timeout_s
        self.will = None
        self.sock = None
        self._pid = 0
        self.inbox = []  # (topic, payload bytes, retained) received from the broker, oldest first
        self.dropped_incoming = 0
        self.last_tx = time.ticks_ms()  # the app pings when nothing was sent for a while

    def set_last_will(self, topic, msg, retain=False, qos=0):
        self.will = (topic, msg, retain, qos)

    def _open(self):
        addr = socket.getaddrinfo(self.host, self.port, 0, socket.SOCK_STREAM)[0]
        sock = socket.socket(addr[0], addr[1], addr[2])
        sock.settimeout(self.timeout_s)
        try:
            sock.connect(addr[-1])
            if self.ssl_context is not None:
                sock = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        except ValueError as exc:  # MicroPython's ssl reports a failed certificate check this way
            sock.close()
            raise MQTTError("TLS handshake with %s failed: %s" % (self.host, str(exc).strip()))
        except Exception:
            sock.close()
            raise
        return sock

    def connect(self, clean_session=True, sock=None):
        """Open the connection (or use `sock`) and log in; returns the session-present flag."""
        self.close()
        self.sock = sock if sock is not None else self._open()
        try:
            self._send(
                connect_packet(self.client_id, self.keepalive, self.user, self.password, self.will, clean_session)
            )
            body = self._wait_for(CONNACK, None, self.timeout_s * 1000)
            if len(body) != 2:
                raise MQTTError("malformed CONNACK")
            if body[1]:
                raise MQTTError("connection refused: %s" % CONNACK_REASONS.get(body[1], "code %d" % body[1]))
        except Exception:
            self.close()
            raise
        return body[0] & 1

    def publish(self, topic, msg, retain=False, qos=0):
        """Send one message; with qos=1 return only after the matching PUBACK (or raise)."""
        if qos not in (0, 1):
            raise ValueError("qos must be 0 or 1")
        pid = 0
        if qos:
            self._pid = self._pid % 0xFFFF + 1
            pid = self._pid
        self._send(publish_packet(topic, msg, qos, retain, pid))
        if qos:
            self._wait_for(PUBACK, pid, self.timeout_s * 1000)
        return pid

    def subscribe(self, topic, qos=1):
        """SUBSCRIBE and wait for the SUBACK; MQTTError when the broker refuses (0x80)."""
        self._pid = self._pid % 0xFFFF + 1
        self._send(subscribe_packet(topic, qos, self._pid))
        body = self._wait_for(SUBACK, self._pid, self.timeout_s * 1000)
        if len(body) < 3 or body[2] == 0x80:
            raise MQTTError("subscription to %s refused" % topic)

    def wait_msg(self, timeout_ms):
        """Wait up to timeout_ms for a packet from the broker and handle it; True when one came.

        The kit sleeps here between readings, so a command arrives at once and the CPU stays idle.
        """
        if self.sock is None:
            raise OSError("not connected")
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        events = poller.poll(max(0, timeout_ms))
        if not events:
            return False
        if events[0][1] & (select.POLLHUP | select.POLLERR) and not events[0][1] & select.POLLIN:
            raise OSError("connection closed by broker")
        header, body = self._read_packet()
        self._handle(header, body)
        return True

    def _handle(self, header, body):
        """A packet nobody waited for: keep a PUBLISH (and acknowledge it), ignore the rest."""
        if header & 0xF0 != PUBLISH or body is None:
            return
        tlen = struct.unpack("!H", body[:2])[0]
        topic = bytes(body[2 : 2 + tlen]).decode()
        pos = 2 + tlen
        qos = (header >> 1) & 3
        if qos:
            pid = struct.unpack("!H", body[pos : pos + 2])[0]
            pos += 2
            self._send(bytes([PUBACK, 2]) + struct.pack("!H", pid))
        if len(self.inbox) >= INBOX_MAX:
            self.inbox.pop(0)
            self.dropped_incoming += 1
        self.inbox.append((topic, bytes(body[pos:]), bool(header & 1)))

    def ping(self):
        """PINGREQ and wait for PINGRESP, so a dead connection shows up here and not at the next publish."""
        self._send(bytes([PINGREQ, 0]))
        self._wait_for(PINGRESP, None, self.timeout_s * 1000)

    def disconnect(self):
        try:
            if self.sock is not None:
                self._send(bytes([DISCONNECT, 0]))
        except OSError:
            pass
        self.close()

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def _send(self, data):
        if self.sock is None:
            raise OSError("not connected")
        view = memoryview(data)
        sent = 0
        while sent < len(data):
            n = self.sock.write(view[sent:])
            if not n:
                raise OSError("socket write failed")
            sent += n
        self.last_tx = time.ticks_ms()

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.sock.read(n - len(buf))
            except OSError as exc:
                if exc.args and exc.args[0] in _TIMEOUT_ERRNOS:
                    raise MQTTTimeout("broker did not answer in %d s" % self.timeout_s)
                raise
            if not chunk:
                raise OSError("connection closed by broker")
            buf += chunk
        return buf

    def _read_packet(self):
        """(packet type byte, body) of the next packet from the broker."""
        header = self._read(1)[0]
        length = 0
        shift = 0
        while True:
            byte = self._read(1)[0]
            length |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
            shift += 7
            if shift > 21:
                raise MQTTError("malformed remaining length")
        if length > MAX_INCOMING:
            self._skip(length)
            self.dropped_incoming += 1
            return header, None
        return header, self._read(length) if length else b""

    def _skip(self, n):
        while n:
            n -= len(self._read(min(n, 512)))

    def _wait_for(self, ptype, pid, timeout_ms):
        """Body of the next `ptype` packet (with packet id `pid` if given); others are skipped."""
        deadline = time.ticks_add(time.ticks_ms(), timeout_ms)
        while True:
            if self.sock is None:
                raise OSError("not connected")
            header, body = self._read_packet()
            if body is not None and header & 0xF0 == ptype and (pid is None or struct.unpack("!H", body[:2])[0] == pid):
                return body
            self._handle(header, body)
            if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
                raise MQTTTimeout("no %s from the broker in %d ms" % (hex(ptype), timeout_ms))
