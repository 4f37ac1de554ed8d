"""Before/after comparison of two periods (method `compare-daybootstrap-v1`).

The difference is after − before of the hourly means. Its 95 % interval comes from a bootstrap by day: days are
drawn with replacement within each period (all hours of a drawn day together), BOOTSTRAP times, and the 2.5 and
97.5 percentiles of the difference are taken. Hours within a day are strongly correlated, so resampling hours would
give far too narrow an interval; days still correlate over multi-day episodes, so the interval is, if anything, a
little narrow for short periods. The weather-normalised difference is the same computation on the hourly values
under long-run weather (ijlucht/science/deweather.py); its interval leaves out the uncertainty of the fitted
weather effects (small beside the day-to-day spread with months of hours).

A before/after difference shows a change; it cannot show what caused it. Periods over different calendar months
also differ by season, which the weather normalisation does not remove: `same_months` says whether they match.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

METHOD = "compare-daybootstrap-v1"
BOOTSTRAP = 1000
SEED = 20261203
LEVEL = 0.95
MIN_DAYS = 2


def day_number(times) -> np.ndarray:
    """Days since 1970-01-01 (UTC) of each time, whatever the resolution pandas keeps the times in."""
    t = pd.DatetimeIndex(times).tz_convert("UTC")
    return np.asarray((t - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(days=1), dtype=int)


@dataclass(frozen=True)
class Difference:
    difference: float | None
    low: float | None
    high: float | None
    before_mean: float | None
    after_mean: float | None
    before_hours: int
    after_hours: int
    before_days: int
    after_days: int


def _day_sums(days: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = ~np.isnan(values)
    _, idx = np.unique(days[ok], return_inverse=True)
    return np.bincount(idx, weights=values[ok]), np.bincount(idx).astype(float)


def difference(
    before_days: np.ndarray,
    before: np.ndarray,
    after_days: np.ndarray,
    after: np.ndarray,
    bootstrap: int = BOOTSTRAP,
    seed: int = SEED,
) -> Difference:
    """after − before of the hourly means, with its bootstrap-by-day interval. `*_days` label each hour's day."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    bs, bn = _day_sums(np.asarray(before_days), before)
    as_, an = _day_sums(np.asarray(after_days), after)
    counts = (int(bn.sum()), int(an.sum()), bs.size, as_.size)
    if bs.size < MIN_DAYS or as_.size < MIN_DAYS:
        b_mean = bs.sum() / bn.sum() if bn.sum() else None
        a_mean = as_.sum() / an.sum() if an.sum() else None
        return Difference(None, None, None, b_mean, a_mean, *counts)
    b_mean, a_mean = bs.sum() / bn.sum(), as_.sum() / an.sum()
    rng = np.random.default_rng(seed)
    draws = np.empty(bootstrap)
    # In chunks, so memory stays small for long periods.
    for lo in range(0, bootstrap, 250):
        k = min(250, bootstrap - lo)
        ib = rng.integers(0, bs.size, (k, bs.size))
        ia = rng.integers(0, as_.size, (k, as_.size))
        draws[lo : lo + k] = as_[ia].sum(1) / an[ia].sum(1) - bs[ib].sum(1) / bn[ib].sum(1)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Difference(float(a_mean - b_mean), float(low), float(high), float(b_mean), float(a_mean), *counts)
