"""Stand-in for the ESP32 `machine` module on the virtual kit (found before the built-in on sys.path)."""

import sys
import time

RESET_EXIT_CODE = 3  # the virtual kit's process ends with this code when the firmware resets the "chip"

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5


class WDT:
    """Records feeds instead of resetting; the loop's health logic is what the virtual kit exercises."""

    def __init__(self, id=0, timeout=5000):
        self.timeout = timeout
        self.feeds = 0
        self.last_feed_ms = None

    def feed(self):
        self.feeds += 1
        self.last_feed_ms = time.ticks_ms()


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 2
    PULL_DOWN = 1

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self.id = id
        self.mode = mode
        self.pull = pull
        # A pulled-up input reads 1 while nothing pulls it down (the BOOT button is not held).
        self._value = (1 if pull == Pin.PULL_UP else 0) if value is None else value

    def value(self, v=None):
        if v is None:
            return self._value
        self._value = 1 if v else 0
        return None

    def on(self):
        self._value = 1

    def off(self):
        self._value = 0


def reset():
    print("machine.reset(): virtual kit exits with code %d" % RESET_EXIT_CODE)
    sys.exit(RESET_EXIT_CODE)


def soft_reset():
    reset()


def reset_cause():
    return PWRON_RESET


def unique_id():
    return b"\x1a\x1b\x1c\x1d\x1e\x1f"


def freq(hz=None):
    return 240000000


def idle():
    time.sleep_ms(1)


class UART:
    """A UART with nothing connected: no bytes ever arrive (the virtual kit uses the replay sensor)."""

    def __init__(self, id, baudrate=9600, tx=None, rx=None, timeout=0, timeout_char=0, **kwargs):
        self.id = id
        self.baudrate = baudrate
        self.written = []

    def any(self):
        return 0

    def read(self, n=-1):
        return None

    def write(self, data):
        self.written.append(bytes(data))
        return len(data)


class I2C:
    """An I2C bus with no devices: every transfer fails with ENODEV, as on a board with nothing plugged in."""

    def __init__(self, id=0, scl=None, sda=None, freq=100000):
        self.id = id

    def _nodev(self, *args):
        raise OSError(19)

    writeto = readfrom = readfrom_mem = writeto_mem = _nodev

    def scan(self):
        return []
