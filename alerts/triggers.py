"""When a watch raises an event (pure: pandas in, events out).

A trigger turns a target's hours into "the condition holds" per hour; `debounce` turns those into events, carrying
the watch's state (the last hour of its latest event) from one cycle to the next. Two triggers share the interface
`held(rule, target, window) -> bool Series over window.hours`:

* band: the target's hourly value (a kit's own; an area's median over its places, so one broken or smoky sensor
  cannot raise an area alert alone) reaches the rule's band (ijlucht/bands.py decides the band);
* episode: an episode found by ijlucht/science/episodes.py covers one of the target's places that hour.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from ijlucht import bands
from ijlucht.alerts import QUIET_HOURS, Rule

HOUR = timedelta(hours=1)


@dataclass
class Window:
    """Hourly values of every place in [start, end): long form, one row per (place, hour).

    Columns: place ('kit:ID' or 'station:ID'), hour (UTC, start), quantity, value, municipality, district (CBS codes
    or None), indoor (bool)."""

    start: datetime
    end: datetime
    rows: pd.DataFrame
    _cache: dict = field(default_factory=dict)

    @property
    def hours(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="h", inclusive="left")

    def target_rows(self, target: str, quantity: str) -> pd.DataFrame:
        r = self.rows[self.rows["quantity"] == quantity]
        kind, ident = target.split(":", 1)
        if kind == "kit":
            return r[r["place"] == target]
        return r[((r["municipality"] == ident) | (r["district"] == ident)) & ~r["indoor"]]

    def target_values(self, target: str, quantity: str) -> pd.Series:
        """The target's value per hour: a kit's own, an area's median over its places; NaN where none."""
        key = ("values", target, quantity)
        if key not in self._cache:
            r = self.target_rows(target, quantity)
            self._cache[key] = r.groupby("hour")["value"].median().reindex(self.hours)
        return self._cache[key]


def band_reached(quantity: str, scale: str, band: int, values: pd.Series) -> pd.Series:
    def reached(v: float) -> bool:
        found = bands.band_for(quantity, None if pd.isna(v) else float(v), scale)
        return found is not None and found.index >= band

    return values.map(reached).astype(bool)


def band_held(rule: Rule, target: str, window: Window) -> pd.Series:
    return band_reached(rule.quantity, rule.scale, rule.band, window.target_values(target, rule.quantity))


Trigger = Callable[[Rule, str, Window], pd.Series]
TRIGGERS: dict[str, Trigger] = {"band": band_held}


@dataclass
class Raised:
    start: datetime  # first hour of the run
    raised: datetime  # the hour the run reached the rule's length
    last: datetime  # last hour the condition held
    peak: float | None


@dataclass
class Debounced:
    raised: list[Raised]
    last_held: datetime | None  # the watch's new state
    continued: tuple[datetime, float | None] | None  # (last hour, peak) added to the event raised in an earlier cycle


def _max(a: float | None, b: float) -> float | None:
    if pd.isna(b):
        return a
    return float(b) if a is None else max(a, float(b))


def debounce(
    held: pd.Series, values: pd.Series, hours: int, last_held: datetime | None, quiet_hours: int = QUIET_HOURS
) -> Debounced:
    """Events from hourly booleans (index: consecutive hours; a missing hour is False and breaks a run).

    A run of `hours` held hours raises an event, unless it began within `quiet_hours` of the previous event's last
    held hour: then it (like any held hour in that time) only extends that event. Re-reading hours already seen
    changes nothing (the state only grows), so a cycle may look back to pick up late data."""
    quiet = timedelta(hours=quiet_hours)
    out = Debounced([], last_held, None)
    current: Raised | None = None
    run_start = None
    run_peak: float | None = None
    for hour, ok in held.items():
        h = hour.to_pydatetime()
        v = values.get(hour)
        if not ok:
            run_start, run_peak = None, None
            continue
        if run_start is None:
            run_start, run_peak = h, None
        run_peak = _max(run_peak, v)
        if out.last_held is not None and h - out.last_held <= quiet:
            if h > out.last_held:
                out.last_held = h
                if current is not None:
                    current.last, current.peak = h, _max(current.peak, v)
                else:
                    peak = out.continued[1] if out.continued else None
                    out.continued = (h, _max(peak, v))
            continue
        if (h - run_start) // HOUR + 1 >= hours:
            current = Raised(run_start, h, h, run_peak)
            out.raised.append(current)
            out.last_held = h
    return out
