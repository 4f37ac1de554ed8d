"""When a watch raises an event (pure: pandas in, events out).

A trigger turns a target's hours into "the condition holds" per hour; `debounce` turns those into events, carrying
the watch's state (the last hour of its latest event) from one cycle to the next. Two triggers share the interface
`held(rule, target, window) -> bool Series over window.hours`:

* band: the target's hourly value (a kit's own; an area's median over its places, so one broken or smoky sensor
  cannot raise an area alert alone) reaches the rule's band (ijlucht/bands.py decides the band);
* episode: an episode found by ijlucht/science/episodes.py (episodes-v1) involves one of the target's places that
  hour: a regional one, or a local one with the wind from a known emitter (see `episode_held`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from ijlucht import bands, sources
from ijlucht.alerts import QUIET_HOURS, Rule
from ijlucht.science.episodes import Episode, find_episodes

HOUR = timedelta(hours=1)


@dataclass
class Window:
    """Hourly values of every place in [start, end): long form, one row per (place, hour).

    Columns: place ('kit:ID' or 'station:ID'), hour (UTC, start), quantity, value, municipality, district (CBS codes
    or None), indoor (bool)."""

    start: datetime
    end: datetime
    rows: pd.DataFrame
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)  # for episodes' emitters
    wind: pd.DataFrame | None = None  # hour → wind_dir, wind_state, wind_speed (one KNMI station)
    _cache: dict = field(default_factory=dict)

    @property
    def hours(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="h", inclusive="left")

    def _all_values(self, quantity: str) -> dict[str, pd.Series]:
        """Every target's hourly values at once (one group-by per kind of target, not one filter per watch)."""
        if quantity not in self._cache:
            r = self.rows[self.rows["quantity"] == quantity]
            outdoor = r[~r["indoor"]]
            found: dict[str, pd.Series] = {}
            for column, prefix, rows in (
                ("place", "", r),
                ("municipality", "area:", outdoor),
                ("district", "area:", outdoor),
            ):
                medians = rows.groupby([column, "hour"])["value"].median()  # NaN keys are dropped
                for key, values in medians.groupby(level=0):
                    found[f"{prefix}{key}"] = values.droplevel(0).reindex(self.hours)
            self._cache[quantity] = found
        return self._cache[quantity]

    def places_of(self, target: str) -> set[str]:
        """The places whose values make the target's (a kit itself; an area's outdoor places in the window)."""
        if target.startswith("kit:"):
            return {target}
        key = ("places", target)
        if key not in self._cache:
            code = target.split(":", 1)[1]
            r = self.rows[
                ((self.rows["municipality"] == code) | (self.rows["district"] == code)) & ~self.rows["indoor"]
            ]
            self._cache[key] = set(r["place"])
        return self._cache[key]

    def episodes(self, quantity: str) -> list[Episode]:
        """The window's episodes of a quantity (ijlucht/science/episodes.py), found once for all watches."""
        key = ("episodes", quantity)
        if key not in self._cache:
            r = self.rows[(self.rows["quantity"] == quantity) & ~self.rows["indoor"]]
            wide = r.pivot_table(index="hour", columns="place", values="value", aggfunc="mean").reindex(self.hours)
            emitters = list(sources.emitters().values())
            found = find_episodes(wide, quantity, self.wind, self.positions, emitters) if len(wide.columns) else []
            self._cache[key] = found
        return self._cache[key]

    def target_values(self, target: str, quantity: str) -> pd.Series:
        """The target's value per hour: a kit's own, an area's median over its outdoor places; NaN where none."""
        values = self._all_values(quantity).get(target)
        return pd.Series(float("nan"), index=self.hours) if values is None else values


def band_reached(quantity: str, scale: str, band: int, values: pd.Series) -> pd.Series:
    """Whether each value lies in `band` or a worse one, with bands.band_for's bounds (EEA and WHO: a band's upper
    bound belongs to it; LKI: its lower bound does); NaN is False."""
    lower = bands.bands_of(quantity, scale)[band - 1].lower
    return values > lower if bands.scale_of(scale).upper_inclusive else values >= lower


def band_held(rule: Rule, target: str, window: Window) -> pd.Series:
    return band_reached(rule.quantity, rule.scale, rule.band, window.target_values(target, rule.quantity))


def episode_held(rule: Rule, target: str, window: Window) -> pd.Series:
    """True in the hours of an episode that involves one of the target's places: a regional one, or a local one the
    wind brought from a known emitter. A local episode without an emitter is left out: in the data it is mostly a
    raw sensor in damp air far above its neighbours (the New Year replay has six at one Hollandse Luchten kit)."""
    held = pd.Series(False, index=window.hours)
    places = window.places_of(target)
    for episode in window.episodes(rule.quantity):
        if (episode.kind == "regional" or episode.emitter) and places.intersection(episode.places):
            held[(held.index >= episode.start) & (held.index < episode.end)] = True
    return held


Trigger = Callable[[Rule, str, Window], pd.Series]
TRIGGERS: dict[str, Trigger] = {"band": band_held, "episode": episode_held}


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
