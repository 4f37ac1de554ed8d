"""Stand-in for micropython-lib ntptime: the host clock is already right, so settime() changes nothing."""

import time as _time

host = "pool.ntp.org"
timeout = 1


def time():
    """Seconds since the port's epoch (1970 on the unix port), like the real ntptime.time()."""
    return int(_time.time())


def settime():
    pass
