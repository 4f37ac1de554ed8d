"""Sensirion SPS30 particulate sensor: UART (SHDLC, 115200 8N1, pin SEL floating) or I2C (0x69, SEL to GND).

SHDLC (Sensirion python-shdlc-driver): MOSI 7E | ADR CMD LEN DATA CHK | 7E, MISO 7E | ADR CMD STATE LEN
DATA CHK | 7E, CHK = ~sum(ADR..DATA) & 0xFF over the unstuffed bytes. Between the delimiters 7E, 7D, 11
and 13 are sent as 7D, b ^ 0x20. Measured values: 10 big-endian float32 (start with output format 0x03).
I2C: 16-bit commands; the answer is words each followed by a Sensirion CRC-8 (see sensirion.py).
"""

import struct
import time

from kit.drivers import sensirion

DELIMITER = 0x7E
ESCAPE = 0x7D
_STUFFED = (0x7E, 0x7D, 0x11, 0x13)
KEYS = ("pm1", "pm25", "pm4", "pm10", "n0_5", "n1_0", "n2_5", "n4_0", "n10", "size")
WARMUP_S = 30  # the datasheet's start-up time for stable number concentrations is below 30 s
I2C_ADDR = 0x69
MAX_FRAME = 522

CMD_START, CMD_STOP, CMD_READ, CMD_SLEEP, CMD_WAKE = 0x00, 0x01, 0x03, 0x10, 0x11
STATE_ERRORS = {0x43: "command not allowed in the current state"}


def checksum(data):
    return ~sum(data) & 0xFF


def stuff(data):
    out = bytearray()
    for b in data:
        if b in _STUFFED:
            out.append(ESCAPE)
            out.append(b ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


def unstuff(data):
    """Undo byte stuffing, one byte at a time (chained replace() would get 7D 5D 5E wrong)."""
    out = bytearray()
    escaped = False
    for b in data:
        if escaped:
            if b ^ 0x20 not in _STUFFED:
                raise ValueError("sps30: invalid escaped byte 7d %02x" % b)
            out.append(b ^ 0x20)
            escaped = False
        elif b == ESCAPE:
            escaped = True
        elif b == DELIMITER:
            raise ValueError("sps30: delimiter 7e inside a frame")
        else:
            out.append(b)
    if escaped:
        raise ValueError("sps30: frame ends in the middle of an escape")
    return bytes(out)


def mosi_frame(cmd, data=b"", adr=0):
    """A host-to-sensor frame with delimiters and stuffing."""
    body = bytes([adr, cmd, len(data)]) + bytes(data)
    return bytes([DELIMITER]) + stuff(body + bytes([checksum(body)])) + bytes([DELIMITER])


def decode_miso(raw):
    """(adr, cmd, state, data) of one raw MISO frame; ValueError on framing, length, checksum or state."""
    if len(raw) < 7 or raw[0] != DELIMITER or raw[-1] != DELIMITER:
        raise ValueError("sps30: a frame must start and end with 7e and hold at least 5 bytes")
    body = unstuff(raw[1:-1])
    if len(body) < 5 or body[3] != len(body) - 5:
        raise ValueError("sps30: length field does not match the frame (%d bytes)" % len(body))
    if checksum(body[:-1]) != body[-1]:
        raise ValueError("sps30: checksum 0x%02x, computed 0x%02x" % (body[-1], checksum(body[:-1])))
    state = body[2] & 0x7F
    if state:
        raise ValueError("sps30: device state 0x%02x (%s)" % (state, STATE_ERRORS.get(state, "error")))
    return body[0], body[1], state, body[4:-1]


def _values(data):
    if len(data) != 40:
        raise ValueError("sps30: %d data bytes, expected 40 (10 floats)" % len(data))
    out = {}
    floats = struct.unpack(">10f", data)
    for i in range(10):
        out[KEYS[i]] = floats[i]
    return out


def parse_uart(raw):
    """One raw MISO frame answering 'read measured values' -> dict; ValueError when bad or empty."""
    adr, cmd, state, data = decode_miso(raw)
    if cmd != CMD_READ:
        raise ValueError("sps30: answer to command 0x%02x, expected 0x03" % cmd)
    if not data:
        raise ValueError("sps30: no new measurement yet")
    return _values(data)


def parse_i2c(data):
    """The 60 bytes of I2C command 0x0300 (20 words, each + CRC) -> dict; ValueError on a bad CRC."""
    if len(data) != 60:
        raise ValueError("sps30: %d bytes from I2C, expected 60" % len(data))
    return _values(sensirion.strip_crc(data, "sps30"))


class SPS30UART:
    name = "sps30"
    warmup_s = WARMUP_S
    laser = True

    def __init__(self, uart, timeout_ms=1000):
        self.uart = uart
        self.timeout_ms = timeout_ms
        self._request(CMD_START, b"\x01\x03", check=False)  # may be running already (state 0x43)

    def _request(self, cmd, data=b"", check=True):
        waiting = self.uart.any()
        if waiting:
            self.uart.read(waiting)
        self.uart.write(mosi_frame(cmd, data))
        raw = self._read_frame()
        if check:
            return raw
        try:
            decode_miso(raw)
        except ValueError:
            pass
        return raw

    def _read_frame(self):
        """Bytes from one 7E to the next, bounded by timeout_ms and MAX_FRAME."""
        deadline = time.ticks_add(time.ticks_ms(), self.timeout_ms)
        frame = bytearray()
        while time.ticks_diff(deadline, time.ticks_ms()) > 0:
            if not self.uart.any():
                time.sleep_ms(5)
                continue
            b = self.uart.read(1)[0]
            if not frame and b != DELIMITER:
                continue  # garbage before the frame
            if frame and b == DELIMITER and len(frame) == 1:
                continue  # two delimiters in a row: the first ended an earlier frame
            frame.append(b)
            if b == DELIMITER and len(frame) > 1:
                return bytes(frame)
            if len(frame) > MAX_FRAME:
                frame = bytearray()
        raise OSError("sps30: no answer in %d ms" % self.timeout_ms)

    def read(self):
        return parse_uart(self._request(CMD_READ))

    def sleep(self):
        self._request(CMD_STOP, check=False)
        self._request(CMD_SLEEP, check=False)

    def wake(self):
        self.uart.write(b"\xff")  # a falling edge wakes the UART; the wake-up frame must follow within 100 ms
        self._request(CMD_WAKE, check=False)
        self._request(CMD_START, b"\x01\x03", check=False)


class SPS30I2C:
    name = "sps30"
    warmup_s = WARMUP_S
    laser = True

    def __init__(self, i2c, addr=I2C_ADDR):
        self.i2c = i2c
        self.addr = addr
        self._start()

    def _command(self, cmd, arg=None):
        data = struct.pack(">H", cmd)
        if arg is not None:
            data += sensirion.word_bytes(arg)
        self.i2c.writeto(self.addr, data)

    def _start(self):
        self._command(0x0010, 0x0300)  # start measurement, float output: 00 10 03 00 AC

    def ready(self):
        self._command(0x0202)
        time.sleep_ms(1)
        return sensirion.words(self.i2c.readfrom(self.addr, 3), "sps30")[0] & 1 == 1

    def read(self):
        if not self.ready():
            raise OSError("sps30: no new measurement yet")
        self._command(0x0300)
        time.sleep_ms(1)
        return parse_i2c(self.i2c.readfrom(self.addr, 60))

    def sleep(self):
        self._command(0x0104)  # stop: sleep is allowed only from idle mode
        time.sleep_ms(20)
        self._command(0x1001)

    def wake(self):
        # The first wake-up command is NACKed by the sleeping interface; Sensirion sends it twice.
        try:
            self._command(0x1103)
        except OSError:
            pass
        self._command(0x1103)
        time.sleep_ms(5)
        self._start()
