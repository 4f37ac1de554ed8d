"""Sampling: several samples per interval, a robust average, warm-up after wake and duty cycling.

Sensors with a laser (`laser = True`: PMS5003, SDS011, SPS30) wear out (about 8000 h for an SDS011), so
when the interval leaves room they sleep between readings and wake `warmup_s` before the next one, since
the fan needs that long before the counts are trustworthy (ESPHome waits 30 s).
"""

import time

MIN_REST_MS = 20000


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def robust_average(samples):
    """Median per key over a list of sample dicts (keys missing or None in a sample are skipped)."""
    out = {}
    keys = []
    for sample in samples:
        for key in sample:
            if key not in keys:
                keys.append(key)
    for key in keys:
        values = [s[key] for s in samples if s.get(key) is not None]
        if values:
            out[key] = median(values)
    return out


class Sampler:
    """Takes `samples` samples `gap_ms` apart from every reader and merges their medians."""

    def __init__(self, readers, interval_s, samples=5, gap_ms=1000, duty_cycle=True, sleep_ms=None):
        self.readers = readers
        self.gap_ms = gap_ms
        # Sampling must leave at least half the interval free for the network.
        self.samples = max(1, min(samples, interval_s * 500 // max(gap_ms, 1)))
        self.warmup_ms = 0
        for reader in readers:
            if getattr(reader, "laser", False):
                self.warmup_ms = max(self.warmup_ms, getattr(reader, "warmup_s", 30) * 1000)
        busy_ms = self.warmup_ms + self.samples * gap_ms
        # Sleeping pays when the sensor can rest at least MIN_REST_MS (at 60 s: 25 s rest, 40 % less wear).
        self.duty_cycle = duty_cycle and self.warmup_ms > 0 and interval_s * 1000 - busy_ms >= MIN_REST_MS
        self.asleep = False
        self._sleep_ms = sleep_ms or time.sleep_ms
        self.failures = 0
        self.failing = []  # names of the sensors that gave nothing at the last reading

    def _multi(self, reader):
        return getattr(reader, "multi_sample", True)

    def measure(self):
        """(values, failures) for one reading; a failing sensor is skipped and counted."""
        if self.asleep:
            self.wake()
        samples = {}
        failures = 0
        # Readers that give one value per reading (the replay sensor) need no waiting between samples.
        count = self.samples if any(self._multi(r) for r in self.readers) else 1
        for i in range(count):
            if i:
                self._sleep_ms(self.gap_ms)
            for reader in self.readers:
                if i and not self._multi(reader):
                    continue
                try:
                    samples.setdefault(id(reader), []).append(reader.read())
                except (OSError, ValueError) as exc:
                    failures += 1
                    print("sensor %s failed: %s" % (getattr(reader, "name", reader), exc))
        values = {}
        failing = []
        for reader in self.readers:
            got = samples.get(id(reader))
            if got:
                values.update(robust_average(got))
            else:
                failing.append(getattr(reader, "name", "?"))
        self.failing = failing
        if self.duty_cycle:
            self.sleep()
        self.failures += failures
        return values, failures

    def wake_at(self, next_reading_ms):
        """When to wake the sensors for the reading at next_reading_ms (None: they are awake)."""
        if not self.asleep:
            return None
        return time.ticks_add(next_reading_ms, -self.warmup_ms)

    def _each(self, method):
        for reader in self.readers:
            if getattr(reader, "laser", False):
                try:
                    getattr(reader, method)()
                except OSError as exc:
                    print("sensor %s %s failed: %s" % (reader.name, method, exc))

    def sleep(self):
        self._each("sleep")
        self.asleep = True

    def wake(self):
        self._each("wake")
        self.asleep = False
