"""Reading frames from a UART byte stream with a deadline (shared by the PM sensor drivers)."""

import time


class FrameBuffer:
    """Bytes received but not yet parsed, bounded so garbage on the line cannot fill the RAM."""

    def __init__(self, limit=256):
        self.limit = limit
        self.data = b""

    def feed(self, chunk):
        if chunk:
            self.data = (self.data + chunk)[-self.limit :]

    def clear(self):
        self.data = b""


def read_frame(uart, buffer, extract, timeout_ms, name):
    """Feed UART bytes into `buffer` until extract(buffer) returns a parsed dict or timeout_ms passes.

    extract(buffer) returns a dict or None and consumes what it used or rejected. The UART is polled
    with any(), so no read blocks longer than the UART's own character timeout.
    """
    deadline = time.ticks_add(time.ticks_ms(), timeout_ms)
    errors = 0
    while True:
        try:
            result = extract(buffer)
        except ValueError:
            errors += 1  # a bad frame: extract dropped its first byte, so we resynchronise on the next header
            continue
        if result is not None:
            return result
        if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
            raise OSError("%s: no valid frame in %d ms (%d bad frames)" % (name, timeout_ms, errors))
        waiting = uart.any()
        if waiting:
            buffer.feed(uart.read(waiting))
        else:
            time.sleep_ms(10)
