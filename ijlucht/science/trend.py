"""Trends over months to years (method `trend-theilsen-mbb-v1`): monthly means, deseasonalised, and a Theil–Sen
slope per year with a 95 % interval from a moving-block bootstrap over months.

* **Monthly means** over UTC calendar months; a month counts with at least MIN_MONTH_HOURS hours (10 days),
  otherwise its mean is null (its hours are still reported).
* **Deseasonalised** = monthly mean − the mean of that calendar month over the years + the mean of those twelve
  (the level is kept). It needs every calendar month in at least two years (SEASON_YEARS); with less, there is no
  deseasonalised series and no slope, and the answer says why: a slope over less than two years is mostly season.
* **Slope**: the Theil–Sen estimator (median of the slopes between all pairs of months), per year. Robust to a few
  odd months (a fireworks January), and makes no assumption about the noise distribution.
* **Interval**: 2.5 and 97.5 percentiles of the slope over BOOTSTRAP resamples that draw blocks of consecutive
  months (block length ⌈√n⌉, at least 2) with replacement. Months next to each other are correlated (a
  dry spring, a windy winter); resampling blocks keeps that correlation, where an interval that treats months as
  independent would be too narrow. The random generator has a fixed seed: the same data give the same answer.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

METHOD = "trend-theilsen-mbb-v1"

MIN_MONTH_HOURS = 240
SEASON_YEARS = 2
MIN_INCREMENT_HOURS = 24  # downwind hours and other hours a month needs for its increment
BOOTSTRAP = 1000
SEED = 20261202
LEVEL = 0.95


def month_number(times: pd.DatetimeIndex) -> np.ndarray:
    """Months since year 0 (year × 12 + month − 1) of UTC times."""
    t = pd.DatetimeIndex(times).tz_convert("UTC")
    return np.asarray(t.year * 12 + t.month - 1, dtype=int)


def month_start(number: int) -> pd.Timestamp:
    return pd.Timestamp(year=number // 12, month=number % 12 + 1, day=1, tz="UTC")


def monthly(months: np.ndarray, values: np.ndarray, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean, hours) of each month first..last; mean NaN when the month has fewer than MIN_MONTH_HOURS hours."""
    values = np.asarray(values, dtype=float)
    ok = ~np.isnan(values)
    idx = np.asarray(months)[ok] - first
    n = last - first + 1
    hours = np.bincount(idx, minlength=n)[:n]
    sums = np.bincount(idx, weights=values[ok], minlength=n)[:n]
    mean = np.divide(sums, hours, out=np.full(n, np.nan), where=hours >= MIN_MONTH_HOURS)
    return mean, hours


def deseasonalise(first: int, means: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """(deseasonalised means, None), or (None, why not) when a calendar month has fewer than SEASON_YEARS years."""
    means = np.asarray(means, dtype=float)
    calendar = (first + np.arange(means.size)) % 12
    years = np.array([np.count_nonzero(~np.isnan(means[calendar == m])) for m in range(12)])
    if years.min() < SEASON_YEARS:
        short = [pd.Timestamp(2000, m + 1, 1).strftime("%b") for m in range(12) if years[m] < SEASON_YEARS]
        return None, (
            f"not deseasonalised: every calendar month needs a mean in at least {SEASON_YEARS} years "
            f"(at least {MIN_MONTH_HOURS} hours each); too few for {', '.join(short)}. Monthly means are given without "
            "a slope, since a slope over less than two years mostly measures the season"
        )
    climatology = np.array([np.nanmean(means[calendar == m]) for m in range(12)])
    return means - climatology[calendar] + climatology.mean(), None


def theil_sen(t: np.ndarray, y: np.ndarray) -> float:
    """Median of the slopes between all pairs with different t (NaN with fewer than two distinct t)."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    dt = t[None, :] - t[:, None]
    pairs = dt > 0
    if not pairs.any():
        return math.nan
    return float(np.median((y[None, :] - y[:, None])[pairs] / dt[pairs]))


def _theil_sen_rows(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """theil_sen of each row at once (the bootstrap's resamples): the pairs i < j of each row, ties left out."""
    i, j = np.triu_indices(t.shape[1], k=1)
    dt = t[:, j] - t[:, i]
    slopes = np.where(dt != 0, (y[:, j] - y[:, i]) / np.where(dt != 0, dt, 1.0), np.nan)
    return np.nanmedian(slopes, axis=1)


@dataclass(frozen=True)
class Slope:
    per_year: float | None
    low: float | None
    high: float | None
    months: int  # months in the fit


def slope(first: int, series: np.ndarray, bootstrap: int = BOOTSTRAP, seed: int = SEED) -> Slope:
    """Theil–Sen slope per year of a monthly series (NaN = no value) with its moving-block bootstrap interval."""
    series = np.asarray(series, dtype=float)
    ok = ~np.isnan(series)
    t = (first + np.flatnonzero(ok)) / 12.0
    y = series[ok]
    n = y.size
    if n < 3:
        return Slope(None, None, None, n)
    point = theil_sen(t, y)
    block = max(2, math.ceil(n**0.5))
    starts_max = n - block + 1
    blocks = math.ceil(n / block)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, starts_max, (bootstrap, blocks))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(bootstrap, -1)[:, :n]
    draws = _theil_sen_rows(t[idx], y[idx])
    draws = draws[~np.isnan(draws)]
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Slope(point, float(low), float(high), n)


def monthly_increment(
    months: np.ndarray, values: np.ndarray, downwind: np.ndarray, classified: np.ndarray, first: int, last: int
) -> np.ndarray:
    """Per month: mean of the downwind hours − mean of the other classified hours (calm, variable and missing wind
    are not classified); NaN when either side has fewer than MIN_INCREMENT_HOURS hours."""
    values = np.asarray(values, dtype=float)
    ok = ~np.isnan(values) & np.asarray(classified, dtype=bool)
    down = ok & np.asarray(downwind, dtype=bool)
    other = ok & ~np.asarray(downwind, dtype=bool)
    n = last - first + 1
    out = []
    for mask in (down, other):
        idx = np.asarray(months)[mask] - first
        count = np.bincount(idx, minlength=n)[:n]
        total = np.bincount(idx, weights=values[mask], minlength=n)[:n]
        out.append(np.divide(total, count, out=np.full(n, np.nan), where=count >= MIN_INCREMENT_HOURS))
    return out[0] - out[1]


@dataclass
class Trend:
    first: int  # month number of the first row
    mean: np.ndarray
    hours: np.ndarray
    deseasonalised: np.ndarray | None
    normalised: np.ndarray | None
    slope: Slope
    note: str | None
    increments: dict[str, Slope] = field(default_factory=dict)


def trend(
    months: np.ndarray,
    values: np.ndarray,
    first: int,
    last: int,
    normalised_values: np.ndarray | None = None,
    increments: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Trend:
    """Monthly means of the hourly values (months = month_number of each hour), deseasonalised when possible, and
    the slope of the deseasonalised series: of the weather-normalised one when `normalised_values` are given.
    `increments` maps an emitter id to (downwind mask, classified mask) of the hours."""
    mean, hours = monthly(months, values, first, last)
    normal = None if normalised_values is None else monthly(months, normalised_values, first, last)[0]
    des, note = deseasonalise(first, mean)
    if des is not None and normal is not None:
        basis, note = deseasonalise(first, normal)
    else:
        basis = des
    fitted = slope(first, basis) if basis is not None else Slope(None, None, None, 0)
    result = Trend(first, mean, hours, des, normal, fitted, note)
    for emitter, (downwind, classified) in (increments or {}).items():
        inc = monthly_increment(months, values, downwind, classified, first, last)
        inc_des, _ = deseasonalise(first, inc)
        result.increments[emitter] = slope(first, inc_des) if inc_des is not None else Slope(None, None, None, 0)
    return result
