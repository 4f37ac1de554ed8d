import time

import mptest
from kit import clock


def gmtime_2000(secs):
    return (2000, 1, 1, 0, 0, 0, 5, 1)


def gmtime_1970(secs):
    return (1970, 1, 1, 0, 0, 0, 3, 1)


class FakeNtp:
    def __init__(self, failures):
        self.failures = failures
        self.calls = 0
        self.host = None
        self.timeout = None

    def settime(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError(110)


def test_epoch_2000_port_adds_the_seconds_from_1970_to_2000():
    # 2025-11-28 20:00:00 UTC is 1764360000 Unix seconds, 817675200 on an ESP32.
    c = clock.Clock(time_fn=lambda: 817675200, gmtime=gmtime_2000)
    assert c.now() == 1764360000


def test_epoch_1970_port_is_unix_time_already():
    c = clock.Clock(time_fn=lambda: 1764360000.9, gmtime=gmtime_1970)
    assert c.now() == 1764360000


def test_this_unix_port_reads_real_unix_time():
    assert clock.epoch_offset() == 0
    assert abs(clock.Clock().now() - time.time()) < 2


def test_sync_sets_synced_after_retries():
    ntp = FakeNtp(failures=2)
    pauses = []
    c = clock.Clock(ntp=ntp, sleep=pauses.append)
    assert not c.synced
    assert c.sync("ntp.example", attempts=3, timeout_s=2)
    assert c.synced and ntp.calls == 3 and ntp.host == "ntp.example" and ntp.timeout == 2
    assert len(pauses) == 2


def test_the_jump_of_the_first_sync_is_kept_for_retiming():
    now = [817675200]

    class Ntp(FakeNtp):
        def settime(self):
            FakeNtp.settime(self)
            now[0] += 946684800  # the RTC moves from 2000 to the real time

    c = clock.Clock(time_fn=lambda: now[0], gmtime=gmtime_1970, ntp=Ntp(0), sleep=lambda s: None)
    assert c.jump is None and c.sync()
    assert c.jump == 946684800
    now[0] += 5
    assert c.sync() and c.jump == 946684800  # a later sync (drift) does not change it


def test_sync_gives_up_after_the_attempts_and_stays_unsynced():
    ntp = FakeNtp(failures=10)
    c = clock.Clock(ntp=ntp, sleep=lambda s: None)
    assert not c.sync(attempts=3)
    assert not c.synced and ntp.calls == 3


mptest.run(globals())
