"""Nova Fitness SDS011 particulate sensor on UART 9600 8N1 (Laser Dust Sensor Control Protocol V1.3).

Data frame (10 bytes): AA C0 PM25_L PM25_H PM10_L PM10_H ID1 ID2 CHK AB; PM little-endian in 0.1 ug/m3,
CHK = sum of bytes 2..7 & 0xFF. Command (19 bytes): AA B4 D1..D13 ID_H ID_L CHK AB, CHK = sum of D1..D15
(the two device-id bytes included) & 0xFF; FF FF addresses every device. Replies to commands use C5.
"""

import struct

from kit.drivers import stream

FRAME_LEN = 10
HEAD, TAIL = 0xAA, 0xAB
DATA_ID, REPLY_ID = 0xC0, 0xC5
WARMUP_S = 30  # airrohr waits 15 s; 30 s as for the PMS gives the fan time after a sleep
MAX_PERIOD_MIN = 30


def parse(frame):
    """A 10-byte data frame -> {"pm25", "pm10"} in ug/m3 (0.1 resolution); ValueError when malformed."""
    if len(frame) != FRAME_LEN:
        raise ValueError("sds011: frame is %d bytes, expected %d" % (len(frame), FRAME_LEN))
    if frame[0] != HEAD or frame[9] != TAIL:
        raise ValueError("sds011: bad head/tail %02x..%02x, expected aa..ab" % (frame[0], frame[9]))
    if frame[1] != DATA_ID:
        raise ValueError("sds011: command id %02x is not a data frame (c0)" % frame[1])
    chk = sum(frame[2:8]) & 0xFF
    if chk != frame[8]:
        raise ValueError("sds011: checksum 0x%02x, computed 0x%02x" % (frame[8], chk))
    pm25, pm10 = struct.unpack("<HH", frame[2:6])
    return {"pm25": pm25 / 10, "pm10": pm10 / 10}


def command(data, device=0xFFFF):
    """A 19-byte command frame with data bytes D1.. (padded with zeros to 13)."""
    body = bytes(data) + bytes(13 - len(data)) + struct.pack(">H", device)
    return bytes([HEAD, 0xB4]) + body + bytes([sum(body) & 0xFF, TAIL])


SLEEP = command(b"\x06\x01\x00")  # aab406010000000000000000000000ffff05ab
WORK = command(b"\x06\x01\x01")
QUERY_MODE = command(b"\x02\x01\x01")  # report only when asked
ACTIVE_MODE = command(b"\x02\x01\x00")
QUERY = command(b"\x04")  # answered by a C0 data frame


def working_period(minutes):
    """Work 30 s then sleep minutes*60-30 s (0 = continuous). The sensor keeps it across power-off."""
    if not 0 <= minutes <= MAX_PERIOD_MIN:
        raise ValueError("sds011: working period must be 0-%d min, got %d" % (MAX_PERIOD_MIN, minutes))
    return command(bytes([0x08, 0x01, minutes]))


def extract(buffer):
    """Parse the first data frame in buffer.data (command replies and garbage skipped); None if incomplete."""
    data = buffer.data
    while True:
        start = data.find(b"\xaa")
        if start < 0:
            buffer.data = b""
            return None
        if len(data) - start < FRAME_LEN:
            buffer.data = data[start:]
            return None
        if data[start + 1] == REPLY_ID:  # an answer to a command: not a reading
            data = data[start + FRAME_LEN :]
            continue
        try:
            result = parse(data[start : start + FRAME_LEN])
        except ValueError:
            buffer.data = data[start + 1 :]
            raise
        buffer.data = data[start + FRAME_LEN :]
        return result


class SDS011:
    """Driver on an injected UART in query mode: each read() asks for one fresh frame."""

    name = "sds011"
    warmup_s = WARMUP_S
    laser = True  # about 8000 h of laser life: duty-cycle it

    def __init__(self, uart, timeout_ms=2500):
        self.uart = uart
        self.timeout_ms = timeout_ms
        self.buffer = stream.FrameBuffer(4 * FRAME_LEN)
        # The working period persists in the sensor: set it back to continuous, we duty-cycle ourselves.
        self.uart.write(working_period(0))
        self.uart.write(QUERY_MODE)

    def read(self):
        waiting = self.uart.any()
        if waiting:
            self.uart.read(waiting)
        self.buffer.clear()
        self.uart.write(QUERY)
        return stream.read_frame(self.uart, self.buffer, extract, self.timeout_ms, self.name)

    def sleep(self):
        self.uart.write(SLEEP)

    def wake(self):
        self.uart.write(WORK)
