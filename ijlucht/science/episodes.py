"""Episodes: periods of high concentration, regional (many places high together) or local (one place far above the
regional background, with the wind from an emitter). Method `episodes-v1`; pure (pandas in, episodes out).

Input is one quantity's hourly values: a frame indexed by hour start (UTC), one column per place (`station:ID`,
`kit:ID`). Rules (docs/science.md, "Episodes"):

* An hour is *regional* when at least REGIONAL_MIN_PLACES places, and at least REGIONAL_SHARE of the places with a
  value in that hour, are at or above the quantity's HIGH level.
* A place is *locally high* in an hour that is not regional when its value is at least LOCAL_FACTOR times the
  regional background (the median of the other places in that hour) and exceeds it by at least LOCAL_EXCESS, and
  at most LOCAL_MAX_SHARE of the places (at least 2) are so in that hour.
* A value repeated unchanged STUCK_MIN_HOURS hours or more in a row is left out first: a stuck sensor (the data
  README's fixtures: kits stuck at 344.54 or 59.7 µg/m³ for days), whichever network it comes from.
* Hours of one kind (and, for local, one place) less than MERGE_GAP_HOURS apart form one episode.
* A local episode names the emitter the place was downwind of (ijlucht.science.direction.classify_hours) in most
  of its hours with wind, if in at least half of them; otherwise its emitter is None.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ijlucht.bands import EAQI_2024
from ijlucht.science.direction import Emitter, classify_hours, view_of

METHOD = "episodes-v1"


def _eaqi_lower(key: str, band: int) -> float:
    return EAQI_2024.bands[key][band - 1].lower


# Hourly level at or above which a place counts as high for a regional episode, µg/m³: the lower bound of the
# European Air Quality Index's band "poor" (EAQI 2024, hourly; ETC HE 2024/17 Table 5.2, ijlucht/bands.py). SO2 is
# not in bands.py (no kit measures it): same table, band "poor" from 125 µg/m³. Components without a level (CO, H2S,
# benzene …) have local episodes only.
HIGH: dict[str, float] = {
    "pm25": _eaqi_lower("pm25", 4),
    "pm10": _eaqi_lower("pm10", 4),
    "no2": _eaqi_lower("no2", 4),
    "o3": _eaqi_lower("o3", 4),
    "so2": 125.0,
}
# Smallest excess over the regional background that makes a local episode, µg/m³: the width of the EAQI 2024 bands
# "good" and "fair" together (the upper bound of "fair": a place a whole two bands above clean air). CO has no
# EAQI band: 1000 µg/m³, about three times the IJmond's usual hourly CO (median ~350 µg/m³ at IJmuiden,
# NL49551, in the 2019-2020 data). Other components (H2S, benzene …): TYPICAL_TIMES times the median of all their
# values in the period asked for, so that a component at the edge of detection does not make noise into episodes.
LOCAL_EXCESS: dict[str, float] = {
    "pm25": _eaqi_lower("pm25", 3),
    "pm10": _eaqi_lower("pm10", 3),
    "no2": _eaqi_lower("no2", 3),
    "o3": _eaqi_lower("o3", 3),
    "so2": 40.0,
    "co": 1000.0,
}
TYPICAL_TIMES = 3.0
LOCAL_MAX_SHARE = 0.1  # … and when at most this share of the places (at least 2) are so in that hour
REGIONAL_MIN_PLACES = 3
REGIONAL_SHARE = 0.5
LOCAL_FACTOR = 2.0
STUCK_MIN_HOURS = 6  # as the ingest flatline check (6 equal values over at least an hour); hourly here
MERGE_GAP_HOURS = 2  # hours apart that still belong to one episode (a missing or dipping hour does not split it)
HOUR = pd.Timedelta(hours=1)


@dataclass(frozen=True)
class Wind:
    dir_deg: float | None  # vector mean of the hours with a direction (where the wind came FROM)
    speed: float | None  # mean m/s
    state: str  # direction | calm | variable | missing: the most common state of the hours


@dataclass
class Episode:
    kind: str  # regional | local
    quantity: str
    start: pd.Timestamp  # first hour's start
    end: pd.Timestamp  # last hour's end
    peak_value: float
    peak_place: str
    places: list[str]
    wind: Wind
    emitter: str | None = None
    hours: int = 0
    method: str = field(default=METHOD)


def _runs(hours: list[pd.Timestamp]) -> list[list[pd.Timestamp]]:
    """Sorted hours split where they lie MERGE_GAP_HOURS or more apart."""
    runs: list[list[pd.Timestamp]] = []
    for h in sorted(hours):
        if runs and h - runs[-1][-1] <= MERGE_GAP_HOURS * HOUR:
            runs[-1].append(h)
        else:
            runs.append([h])
    return runs


def wind_over(wind: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp) -> Wind:
    """Wind during [start, end): `wind` has columns wind_dir, wind_state, wind_speed, indexed by hour start."""
    if wind is None or wind.empty:
        return Wind(None, None, "missing")
    w = wind.loc[(wind.index >= start) & (wind.index < end)]
    if w.empty:
        return Wind(None, None, "missing")
    states = w["wind_state"].fillna("missing")
    state = str(states.value_counts().idxmax())
    d = w.loc[w["wind_state"] == "direction", "wind_dir"].dropna().astype(float)
    dir_deg = None
    if len(d):
        x, y = np.sin(np.radians(d)).mean(), np.cos(np.radians(d)).mean()
        dir_deg = round(math.degrees(math.atan2(x, y)) % 360.0, 1) if math.hypot(x, y) > 1e-9 else None
    speed = w["wind_speed"].dropna().astype(float)
    return Wind(dir_deg, round(float(speed.mean()), 1) if len(speed) else None, state)


def mask_stuck(values: pd.DataFrame) -> pd.DataFrame:
    """`values` with runs of STUCK_MIN_HOURS or more equal consecutive hourly values set to NaN."""
    out = values.copy()
    for col in values.columns:
        v = values[col]
        run_id = (v != v.shift()).cumsum()
        run_len = v.groupby(run_id).transform("size")
        out.loc[(run_len >= STUCK_MIN_HOURS) & v.notna(), col] = np.nan
    return out


def regional_hours(values: pd.DataFrame, quantity: str) -> pd.Series:
    """Whether each hour is regional (see the module's rules); False for a quantity without a HIGH level."""
    high = HIGH.get(quantity)
    if high is None or values.empty:
        return pd.Series(False, index=values.index)
    n_high = (values >= high).sum(axis=1)
    n = values.notna().sum(axis=1)
    return (n_high >= REGIONAL_MIN_PLACES) & (n_high >= REGIONAL_SHARE * n)


def background(values: pd.DataFrame) -> pd.DataFrame:
    """For each place and hour, the median of the OTHER places in that hour (NaN when no other has a value)."""
    out = pd.DataFrame(np.nan, index=values.index, columns=values.columns)
    arr = values.to_numpy(dtype=float)
    for j, col in enumerate(values.columns):
        others = np.delete(arr, j, axis=1)
        has = ~np.isnan(others).all(axis=1)
        med = np.full(len(arr), np.nan)
        if has.any():
            med[has] = np.nanmedian(others[has], axis=1)
        out[col] = med
    return out


def locally_high(values: pd.DataFrame, quantity: str, regional: pd.Series | None = None) -> pd.DataFrame:
    """Whether each place is locally high in each hour; hours marked in `regional` (default: the regional hours)
    are left out: inside a regional episode the regional cloud itself is uneven."""
    bg = background(values)
    excess = LOCAL_EXCESS.get(quantity)
    if excess is None:
        typical = float(np.nanmedian(values.to_numpy(dtype=float))) if values.notna().any().any() else math.nan
        excess = TYPICAL_TIMES * abs(typical)
    high = ((values >= LOCAL_FACTOR * bg) & (values - bg >= excess)).fillna(False).astype(bool)
    # Many places high above the others at once is a patch of the region (a town's fireworks, a bias shared by one
    # kind of sensor), not one place: leave such hours out.
    few = high.sum(axis=1) <= np.maximum(2, LOCAL_MAX_SHARE * values.notna().sum(axis=1))
    regional = regional_hours(values, quantity) if regional is None else regional
    return high & (few & ~regional).to_numpy()[:, None]


def _emitter_of(
    place: str, hours: list[pd.Timestamp], wind: pd.DataFrame | None, positions, emitters: list[Emitter]
) -> str | None:
    if wind is None or place not in positions or not emitters:
        return None
    w = wind.reindex(pd.DatetimeIndex(hours))
    with_wind = int((w["wind_state"] == "direction").sum())
    if with_wind == 0:
        return None
    lat, lon = positions[place]
    best, best_n = None, 0
    for e in emitters:
        classes = classify_hours(
            w["wind_dir"].astype(float), w["wind_state"], w["wind_speed"].astype(float), view_of(lat, lon, e)
        )
        n = int((classes == "downwind").sum())
        if n > best_n:
            best, best_n = e.id, n
    return best if best_n * 2 >= with_wind else None


def find_episodes(
    values: pd.DataFrame,
    quantity: str,
    wind: pd.DataFrame | None = None,
    positions: dict[str, tuple[float, float]] | None = None,
    emitters: list[Emitter] | None = None,
) -> list[Episode]:
    """Regional and local episodes of one quantity, in time order (regional first at equal starts)."""
    quantity = quantity.lower()
    values = mask_stuck(values.sort_index().astype(float))
    positions, emitters = positions or {}, emitters or []
    out: list[Episode] = []
    high = HIGH.get(quantity, math.inf)
    covered = pd.Series(False, index=values.index)
    for run in _runs(list(values.index[regional_hours(values, quantity)])):
        covered.loc[run[0] : run[-1]] = True
        block = values.loc[run[0] : run[-1]]
        peak_place = str(block.max().idxmax())
        involved = sorted(str(c) for c in block.columns if (block.loc[run, c] >= high).any())
        start, end = run[0], run[-1] + HOUR
        out.append(
            Episode(
                "regional",
                quantity,
                start,
                end,
                float(block.max().max()),
                peak_place,
                involved,
                wind_over(wind, start, end),
                None,
                len(run),
            )
        )
    local = locally_high(values, quantity, covered)
    for place in local.columns:
        for run in _runs(list(local.index[local[place]])):
            col = values.loc[run, place]
            start, end = run[0], run[-1] + HOUR
            out.append(
                Episode(
                    "local",
                    quantity,
                    start,
                    end,
                    float(col.max()),
                    str(place),
                    [str(place)],
                    wind_over(wind, start, end),
                    _emitter_of(place, run, wind, positions, emitters),
                    len(run),
                )
            )
    return sorted(out, key=lambda e: (e.start, e.kind != "regional", e.peak_place))


def thresholds(quantity: str) -> dict[str, float | int | None]:
    """The rules' numbers for one quantity (local_excess None: TYPICAL_TIMES × the period's median)."""
    q = quantity.lower()
    return {
        "high": HIGH.get(q),
        "local_factor": LOCAL_FACTOR,
        "local_excess": LOCAL_EXCESS.get(q),
        "local_max_share": LOCAL_MAX_SHARE,
        "regional_min_places": REGIONAL_MIN_PLACES,
        "regional_share": REGIONAL_SHARE,
        "merge_gap_hours": MERGE_GAP_HOURS,
        "stuck_min_hours": STUCK_MIN_HOURS,
    }
