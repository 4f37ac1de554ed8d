"""A sensor that replays a recorded series, for the virtual kit (runs under MicroPython).

Config keys: replay_file (CSV, header offset_s,pm1,pm25,pm10,t,rh,p; empty field = missing),
replay_anchor (Unix time of offset 0, default 0) and replay_period (series length in s, after which
it repeats; default: last offset plus the last step). read() interpolates linearly for "now".
"""

import array

QUANTITIES = ("pm1", "pm25", "pm10", "t", "rh", "p")
HEADER = ("offset_s",) + QUANTITIES
NAN = float("nan")


def load_series(path):
    """(offsets, columns): offsets rising, one float array per quantity with NaN for missing values."""
    offsets = array.array("d")
    columns = [array.array("f") for _ in QUANTITIES]
    with open(path) as f:
        header = tuple(name.strip() for name in f.readline().strip().split(","))
        if header != HEADER:
            raise ValueError("replay: %s must start with header %s" % (path, ",".join(HEADER)))
        number = 1
        for line in f:
            number += 1
            line = line.strip()
            if not line:
                continue
            fields = line.split(",")
            if len(fields) != len(HEADER):
                raise ValueError(
                    "replay: %s line %d has %d fields, expected %d" % (path, number, len(fields), len(HEADER))
                )
            offset = float(fields[0])
            if len(offsets) and offset <= offsets[-1]:
                raise ValueError("replay: %s line %d: offset_s must rise" % (path, number))
            offsets.append(offset)
            for column, text in zip(columns, fields[1:]):
                text = text.strip()
                column.append(float(text) if text else NAN)
    if not len(offsets):
        raise ValueError("replay: %s has no rows" % path)
    return offsets, columns


def _last_at_or_before(offsets, pos):
    """Index of the last offset <= pos, or -1 when pos lies before the first one (binary search)."""
    low, high = 0, len(offsets)
    while low < high:
        mid = (low + high) // 2
        if offsets[mid] <= pos:
            low = mid + 1
        else:
            high = mid
    return low - 1


class ReplaySensor:
    name = "replay"
    multi_sample = False  # interpolation gives the same value for every sample of one reading

    def __init__(self, cfg, now):
        path = cfg.get("replay_file")
        if not path:
            raise ValueError("replay sensor: config needs 'replay_file'")
        self.offsets, self.columns = load_series(path)
        self.anchor = cfg.get("replay_anchor", 0)
        offsets = self.offsets
        last_step = offsets[-1] - offsets[-2] if len(offsets) > 1 else 1
        self.period = cfg.get("replay_period") or offsets[-1] + last_step
        if self.period <= offsets[-1]:
            raise ValueError("replay sensor: replay_period must exceed the last offset_s (%s)" % offsets[-1])
        self.now = now

    def read(self):
        return self.values_at(self.now())

    def values_at(self, unix_ts):
        """Quantities at Unix time unix_ts: linear between rows; missing when the row before lacks it."""
        offsets = self.offsets
        n = len(offsets)
        pos = (unix_ts - self.anchor) % self.period
        left = _last_at_or_before(offsets, pos)
        if left < 0:  # before the first row: between the last row of the previous period and the first
            left, left_at = n - 1, offsets[n - 1] - self.period
        else:
            left_at = offsets[left]
        right = (left + 1) % n
        right_at = offsets[right] if right > left else offsets[right] + self.period
        frac = (pos - left_at) / (right_at - left_at) if right_at != left_at else 0.0
        values = {}
        for key, column in zip(QUANTITIES, self.columns):
            a = column[left]
            b = column[right]
            if a != a:  # NaN (missing) is the only value not equal to itself
                continue
            # Missing after: hold the last value (as virtualkit/fleet.py's interpolate() does).
            values[key] = a + (b - a) * frac if b == b else a
        return values
