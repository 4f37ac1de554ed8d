# ruff: noqa: UP031  (MicroPython script: %-formatting as in the firmware)
"""Fake UART and I2C buses for the driver tests (the unix port's machine module has neither)."""


class FakeUART:
    """Bytes arrive in the given chunks, one chunk per read(); `replies` maps a written command to the bytes
    the sensor sends back, so a driver that asks gets an answer. Writes are recorded."""

    def __init__(self, chunks=(), replies=None):
        self.pending = [bytes(c) for c in chunks]
        self.replies = replies or {}
        self.written = []

    def write(self, data):
        self.written.append(bytes(data))
        reply = self.replies.get(bytes(data))
        if reply is not None:
            self.pending.extend(reply if isinstance(reply, list) else [reply])
        return len(data)

    def any(self):
        return len(self.pending[0]) if self.pending else 0

    def read(self, n=-1):
        if not self.pending:
            return None
        chunk = self.pending[0]
        if n < 0 or n >= len(chunk):
            self.pending.pop(0)
            return chunk
        self.pending[0] = chunk[n:]
        return chunk[:n]


class FakeI2C:
    """Registers for readfrom_mem, a queue of answers for readfrom, a log of writes."""

    def __init__(self, registers=None, answers=None):
        self.registers = registers or {}
        self.answers = list(answers or [])
        self.writes = []

    def writeto(self, addr, data):
        self.writes.append((addr, bytes(data)))
        return 1

    def readfrom(self, addr, n):
        if not self.answers:
            raise OSError(19)  # ENODEV: nothing answered
        data = self.answers.pop(0)
        assert len(data) == n, "asked for %d bytes, fake has %d" % (n, len(data))
        return data

    def readfrom_mem(self, addr, reg, n):
        return bytes(self.registers.get(reg, bytes(n)))[:n]

    def writeto_mem(self, addr, reg, data):
        self.writes.append((addr, reg, bytes(data)))
