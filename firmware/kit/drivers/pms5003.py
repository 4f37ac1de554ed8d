"""Plantower PMS5003 / PMSx003 particulate sensor on UART 9600 8N1.

Frame (32 bytes, Plantower PMS5003 datasheet; ESPHome pmsx003.cpp parse_data_):
    42 4D | length = 28 (BE) | 13 BE uint16: PM1/2.5/10 CF=1, PM1/2.5/10 atmospheric, counts >0.3, 0.5,
    1.0, 2.5, 5.0, 10 um per 0.1 L, reserved | checksum = sum of bytes 0..29 (BE uint16)
PMS5003T: bytes 24-25 are temperature (int16 / 10 degC) and 26-27 RH (/ 10 %) instead of the last two counts.
Commands are 7 bytes: 42 4D CMD DATAH DATAL CHK16 with CHK16 = sum of the first five bytes.
"""

import struct

from kit.drivers import stream

FRAME_LEN = 32
LENGTH_FIELD = 28  # data + checksum
HEADER = b"BM"
WARMUP_S = 30  # fan settling time after wake-up (ESPHome PMS_STABILISING_MS = 30000)
KEYS = ("pm1_cf1", "pm25_cf1", "pm10_cf1", "pm1", "pm25", "pm10", "n0_3", "n0_5", "n1_0", "n2_5", "n5_0", "n10")
VARIANTS = ("pms5003", "pms5003t")


def checksum(data):
    return sum(data) & 0xFFFF


def parse(frame, variant="pms5003"):
    """A 32-byte frame -> dict (PM in ug/m3, counts per 0.1 L); ValueError on bad header, length or checksum."""
    if variant not in VARIANTS:
        raise ValueError("pms5003: unknown variant %r (known: %s)" % (variant, ", ".join(VARIANTS)))
    if len(frame) != FRAME_LEN:
        raise ValueError("pms5003: frame is %d bytes, expected %d" % (len(frame), FRAME_LEN))
    if frame[:2] != HEADER:
        raise ValueError("pms5003: bad header %02x %02x, expected 42 4d" % (frame[0], frame[1]))
    fields = struct.unpack(">H13HH", frame[2:])
    if fields[0] != LENGTH_FIELD:
        raise ValueError("pms5003: length field %d, expected %d" % (fields[0], LENGTH_FIELD))
    if checksum(frame[:30]) != fields[14]:
        raise ValueError("pms5003: checksum 0x%04x, computed 0x%04x" % (fields[14], checksum(frame[:30])))
    out = {}
    for i in range(12):
        out[KEYS[i]] = fields[1 + i]
    if variant == "pms5003t":
        del out["n5_0"], out["n10"]
        out["t"] = struct.unpack(">h", frame[24:26])[0] / 10
        out["rh"] = fields[12] / 10
    return out


def command(cmd, data=0):
    body = struct.pack(">BBBH", 0x42, 0x4D, cmd, data)
    return body + struct.pack(">H", checksum(body))


PASSIVE_MODE = command(0xE1, 0)  # 42 4D E1 00 00 01 70
ACTIVE_MODE = command(0xE1, 1)
PASSIVE_READ = command(0xE2, 0)  # answered by one 32-byte frame
SLEEP = command(0xE4, 0)
WAKE = command(0xE4, 1)


def extract(buffer, variant="pms5003"):
    """Parse the first frame in buffer.data; None when no whole frame is there yet.

    Garbage before the header is dropped; on a bad frame the header's first byte is dropped and
    ValueError raised, so the next call resynchronises on the following 42 4D.
    """
    data = buffer.data
    start = data.find(HEADER)
    if start < 0:
        buffer.data = data[-1:] if data[-1:] == b"B" else b""
        return None
    if len(data) - start < FRAME_LEN:
        buffer.data = data[start:]
        return None
    try:
        result = parse(data[start : start + FRAME_LEN], variant)
    except ValueError:
        buffer.data = data[start + 1 :]
        raise
    buffer.data = data[start + FRAME_LEN :]
    return result


class PMS5003:
    """Driver on an injected UART (9600 8N1). Passive mode: a frame only when asked, so it is fresh."""

    name = "pms5003"
    warmup_s = WARMUP_S
    laser = True  # limited laser life: duty-cycle it

    def __init__(self, uart, variant="pms5003", passive=True, timeout_ms=2500):
        if variant not in VARIANTS:
            raise ValueError("pms5003: unknown variant %r" % variant)
        self.uart = uart
        self.variant = variant
        self.passive = passive
        self.timeout_ms = timeout_ms
        self.buffer = stream.FrameBuffer(3 * FRAME_LEN)
        self.uart.write(PASSIVE_MODE if passive else ACTIVE_MODE)

    def read(self):
        """One frame as a dict; OSError when no valid frame arrives within timeout_ms."""
        if self.passive:
            self._drain()
            self.uart.write(PASSIVE_READ)
        return stream.read_frame(self.uart, self.buffer, self._extract, self.timeout_ms, self.name)

    def _extract(self, buffer):
        return extract(buffer, self.variant)

    def _drain(self):
        # Old bytes (the answer to a mode command, half a frame) would be mistaken for the new frame.
        waiting = self.uart.any()
        if waiting:
            self.uart.read(waiting)
        self.buffer.clear()

    def sleep(self):
        self.uart.write(SLEEP)

    def wake(self):
        self.uart.write(WAKE)
        if self.passive:  # the sensor comes back in active mode after a wake-up on some firmware
            self.uart.write(PASSIVE_MODE)
