"""Exposure to an emitter: downwind hours against all other hours with known wind (method `exposure-v1`).

increment = mean of the downwind hours − mean of the other hours with known wind (upwind, crosswind, calm,
variable); hours without wind or without a value are left out. The 95 % interval comes from a bootstrap over
DAYS, since hours of one day are correlated: each of BOOTSTRAP_RESAMPLES resamples gives every day a Poisson(1)
weight (the Poisson bootstrap, Hanley & MacGibbon 2006, Comput. Methods Programs Biomed. 83, 57), with a fixed
seed, so the same data give the same interval on every call. The weights are drawn per calendar day of the
period, so places sharing a period share them (the map layer computes all places in one product).

A positive increment says the place is higher when the wind blows from the emitter: a correlation, not proof.
"""

from dataclasses import dataclass

import numpy as np

from ijlucht.science.roses import in_speed_bin, speed_bins

METHOD = "exposure-v1"
BOOTSTRAP_RESAMPLES = 1000
SEED = 16  # the issue that asked for it; any fixed number makes the interval reproducible
LEVEL = 0.95
KNOWN = ("upwind", "crosswind", "calm", "variable")  # "otherwise": known wind, not downwind
STATISTICS = ("mean_downwind", "mean_otherwise", "increment", "increment_low", "increment_high")


@dataclass(frozen=True)
class DailySums:
    """Per place (rows) and day (columns): sums and counts of downwind and of other known-wind hours."""

    down_sum: np.ndarray
    down_n: np.ndarray
    other_sum: np.ndarray
    other_n: np.ndarray


def daily_sums(values, classes, day_index, days: int) -> DailySums:
    """One place's hours → sums per day (day_index: 0…days−1 for each hour)."""
    v = np.asarray(values, dtype=float)
    c = np.asarray(classes)
    day = np.asarray(day_index, dtype=int)
    ok = ~np.isnan(v)
    down = ok & (c == "downwind")
    other = ok & np.isin(c, KNOWN)

    def per_day(mask: np.ndarray, weights) -> np.ndarray:
        return np.bincount(day[mask], weights=None if weights is None else weights[mask], minlength=days)[None, :]

    return DailySums(per_day(down, v), per_day(down, None), per_day(other, v), per_day(other, None))


def stack(parts: list[DailySums]) -> DailySums:
    return DailySums(
        *(np.vstack([getattr(p, f) for p in parts]) for f in ("down_sum", "down_n", "other_sum", "other_n"))
    )


def poisson_weights(days: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = SEED) -> np.ndarray:
    """(resamples × days) Poisson(1) day weights, the same for the same number of days."""
    return np.random.default_rng(seed).poisson(1.0, size=(resamples, days)).astype(np.float64)


def increments(sums: DailySums, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per place: downwind mean, other mean, increment and its bootstrap interval (NaN where undefined)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        dn, on = sums.down_n.sum(1), sums.other_n.sum(1)
        mean_down = sums.down_sum.sum(1) / dn
        mean_other = sums.other_sum.sum(1) / on
        w = poisson_weights(sums.down_n.shape[1]) if weights is None else weights
        # (resamples × days) @ (days × places): every resample for every place in four matrix products.
        bd = (w @ sums.down_sum.T) / (w @ sums.down_n.T)
        bo = (w @ sums.other_sum.T) / (w @ sums.other_n.T)
        boot = np.where(np.isfinite(bd - bo), bd - bo, np.nan)
    undefined = (dn == 0) | (on == 0)
    low, high = np.full(dn.shape, np.nan), np.full(dn.shape, np.nan)
    tail = (1 - LEVEL) / 2 * 100
    if (~undefined).any():  # a resample that drew no downwind (or no other) day has no increment: left out
        low[~undefined], high[~undefined] = np.nanpercentile(boot[:, ~undefined], [tail, 100 - tail], axis=0)
    return {
        "mean_downwind": mean_down,
        "mean_otherwise": mean_other,
        "increment": mean_down - mean_other,
        "increment_low": low,
        "increment_high": high,
        "downwind_hours": dn,
        "other_hours": on,
    }


def _num(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def exposure_rows(values, classes, wind_speed, day_index, days: int, edges=(0, 2, 4, 6, 10)) -> list[dict]:
    """One place, one emitter: all speeds first (speed_from/to None), then per speed bin (calm hours fall in the
    lowest bin: their speed is below 0.5 m/s)."""
    v = np.asarray(values, dtype=float)
    c = np.asarray(classes)
    s = np.asarray(wind_speed, dtype=float)
    day = np.asarray(day_index, dtype=int)
    weights = poisson_weights(days)
    rows = []
    for lo, hi in [(None, None), *speed_bins(edges)]:
        sel = ~np.isnan(v) & (np.ones(v.shape, bool) if lo is None else in_speed_bin(s, lo, hi))
        inc = increments(daily_sums(v[sel], c[sel], day[sel], days), weights)
        counts = {k: int((c[sel] == k).sum()) for k in ("downwind", "upwind", "crosswind", "calm")}
        rows.append(
            {
                "speed_from": lo,
                "speed_to": hi,
                **{f"{k}_hours": counts[k] for k in ("downwind", "upwind", "crosswind", "calm")},
                **{k: _num(inc[k][0]) for k in STATISTICS},
            }
        )
    return rows
