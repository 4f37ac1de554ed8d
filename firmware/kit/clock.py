"""Unix time on any MicroPython port, and NTP sync with a 'synced' flag.

ESP32 counts seconds from 2000-01-01, the unix port from 1970-01-01; the platform wants Unix seconds.
"""

import time

UNIX_2000 = 946684800  # seconds from 1970-01-01 to 2000-01-01


def epoch_offset(gmtime=time.gmtime):
    """Seconds to add to time.time() to get Unix time on this port."""
    return UNIX_2000 if gmtime(0)[0] == 2000 else 0


class Clock:
    """Unix seconds; `synced` turns True after the first successful NTP sync.

    time_fn, gmtime and sleep are injectable for tests; ntp is a module with settime() (ntptime).
    """

    def __init__(self, time_fn=time.time, gmtime=time.gmtime, ntp=None, sleep=time.sleep):
        self._time = time_fn
        self._offset = epoch_offset(gmtime)
        self._ntp = ntp
        self._sleep = sleep
        self.synced = False
        # Seconds the clock jumped at the first sync of this boot: readings taken before it, in this boot, are
        # re-timed by this much when sent (payload.retime). None until then.
        self.jump = None

    def now(self):
        return int(self._time()) + self._offset

    def sync(self, host=None, attempts=3, timeout_s=2, pause_s=1):
        """Set the RTC from NTP; True on success. Bounded: attempts x (timeout_s + pause_s)."""
        ntp = self._ntp
        if ntp is None:
            try:
                import ntptime as ntp
            except ImportError:
                return False
            self._ntp = ntp
        if host:
            ntp.host = host
        ntp.timeout = timeout_s
        for attempt in range(attempts):
            try:
                before = self.now()
                ntp.settime()
                if self.jump is None:
                    self.jump = self.now() - before
                self.synced = True
                return True
            except (OSError, OverflowError, IndexError):
                # No network, DNS failure, timeout or a malformed reply: try again a little later.
                if attempt + 1 < attempts:
                    self._sleep(pause_s)
        return False
