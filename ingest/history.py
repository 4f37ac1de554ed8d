"""Quality checks that need a kit's recent past: spike, flatline and warm-up. Pure, O(1) per value.

Per kit and quantity the worker keeps a running level (exponentially weighted mean), a running typical deviation
and the current run of identical values. Memory is a few numbers per kit and quantity, so a worker can follow
tens of thousands of kits. A worker that has just started (or sees a kit for the first time) warms its state
from the kit's last readings in the database.
"""

from dataclasses import dataclass, field

from ijlucht import quality
from ijlucht.quantities import KEYS

ALPHA = 0.2  # weight of a new value in the running level: about the last 10 readings count
SPIKE_K = 6.0  # a value further than K typical deviations from the level is a spike …
SPIKE_MIN_SAMPLES = 5
# … and further than this absolute step, so that a sensor in very stable air does not flag its rounding.
SPIKE_FLOOR = {"pm1": 15.0, "pm25": 15.0, "pm10": 25.0, "t": 4.0, "rh": 15.0, "p": 3.0}
FLATLINE_MIN_READINGS = 6  # the same value this many times …
FLATLINE_MIN_SPAN_S = 3600.0  # … over at least an hour is a stuck sensor (data README: runs of ≥ 6 h seen)
WARM_UP_S = 120.0  # optical PM sensors need ~30 s after power-up (PMS5003 datasheet); kits add sampling time


@dataclass(slots=True)
class Track:
    """What we remember of one quantity of one kit."""

    n: int = 0
    level: float = 0.0
    deviation: float = 0.0
    last_ts: float = float("-inf")
    run_value: float | None = None
    run_len: int = 0
    run_start_ts: float = 0.0


@dataclass
class KitHistory:
    tracks: dict[str, Track] = field(default_factory=lambda: {k: Track() for k in KEYS})
    booted_at: float | None = None  # Unix time of the kit's last boot, from its info message

    def check(self, ts: float, values: dict[str, float | None]) -> int:
        """Flags for a reading at `ts`; readings in time order also update the state."""
        flags = 0
        if self.booted_at is not None and self.booted_at <= ts < self.booted_at + WARM_UP_S:
            flags |= quality.WARM_UP
        tracks = self.tracks
        for key, v in values.items():
            if v is not None:
                flags |= _check_value(tracks[key], key, ts, v)
        return flags


def _check_value(t: Track, key: str, ts: float, v: float) -> int:
    flags = 0
    if t.n >= SPIKE_MIN_SAMPLES:
        step = abs(v - t.level)
        if step > SPIKE_K * t.deviation and step > SPIKE_FLOOR[key]:
            flags |= quality.SPIKE
    in_order = ts > t.last_ts
    if in_order:
        if v == t.run_value:
            t.run_len += 1
        else:
            t.run_value, t.run_len, t.run_start_ts = v, 1, ts
    if t.run_value == v and t.run_len >= FLATLINE_MIN_READINGS and ts - t.run_start_ts >= FLATLINE_MIN_SPAN_S:
        flags |= quality.FLATLINE
    if not in_order:
        return flags  # a late reading is judged against the present state but does not move it
    t.last_ts = ts
    if t.n == 0:
        t.level, t.deviation = v, 0.0
    elif not flags & quality.SPIKE:  # a spike does not drag the level along
        t.deviation += ALPHA * (abs(v - t.level) - t.deviation)
        t.level += ALPHA * (v - t.level)
    t.n += 1
    return flags
