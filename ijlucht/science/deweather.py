"""Weather normalisation (method `deweather-additive-v1`): what a series would have been with average weather.

A model of the hourly concentration as a sum of effects, fitted by least squares:

    y = α[period] + β[wind cell] + γ[hour of day] + ε

`period` is a calendar month of the record (or any grouping the caller gives): its effect takes up the level of
that month, so trend and season never leak into the wind and hour effects, which are estimated *within* months.
A wind cell is a 30° sector (12, centred on north) × a speed bin (0–2, 2–4, 4–6, 6–10, ≥ 10 m/s), or calm, or
variable. "Average weather" is the long-run frequency of each cell at the weather station (all its stored years):
the normalised value of an hour is

    y − β[its cell] − γ[its hour] + Σ_c p_c β[c] + mean_h γ[h]

so a month's normalised mean is its level α plus the effect of long-run weather (the residuals of a month average to
zero). Hours without wind (missing) get no normalised value. Cells the long-run record has but the fitted data do
not are left out of the average and the weights of the others scaled up (their effect is unknown, not zero).

Fitted by backfitting (alternating group means), which converges to the least-squares solution of this additive
model and needs only bincounts: a few milliseconds for two years of hours.
"""

import numpy as np

from ijlucht.science import direction

METHOD = "deweather-additive-v1"

SECTORS = 12
SPEED_EDGES = (2.0, 4.0, 6.0, 10.0)  # m/s: bins 0–2, 2–4, 4–6, 6–10, ≥ 10
SPEED_BINS = len(SPEED_EDGES) + 1
CALM = SECTORS * SPEED_BINS
VARIABLE = CALM + 1
CELLS = VARIABLE + 1
MISSING = -1

MAX_ITERATIONS = 200
TOLERANCE = 1e-7  # µg/m³: change of any effect between sweeps


def weather_cells(wind_state: np.ndarray, wind_dir: np.ndarray, wind_speed: np.ndarray) -> np.ndarray:
    """The wind cell of each hour; MISSING where the state, or the direction's speed, is unknown."""
    state = np.asarray(wind_state, dtype=object)
    d = np.asarray(wind_dir, dtype=float)
    s = np.asarray(wind_speed, dtype=float)
    cells = np.full(state.shape, MISSING, dtype=int)
    directed = (state == "direction") & ~np.isnan(d) & ~np.isnan(s)
    sector = direction.sector_of(np.where(directed, d, 0.0), SECTORS)  # sector 0 centred on north
    speed_bin = np.searchsorted(np.asarray(SPEED_EDGES), np.where(directed, s, 0.0), side="right")
    cells[directed] = (sector * SPEED_BINS + speed_bin)[directed]
    cells[state == "calm"] = CALM
    cells[state == "variable"] = VARIABLE
    return cells


def climate(cells: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Long-run frequency of each cell (sums to 1 over the known cells); all zeros without any known hour."""
    cells = np.asarray(cells, dtype=int)
    w = np.ones(cells.shape) if counts is None else np.asarray(counts, dtype=float)
    known = cells >= 0
    freq = np.bincount(cells[known], weights=w[known], minlength=CELLS)
    total = freq.sum()
    return freq / total if total > 0 else freq


def fit(y: np.ndarray, cells: np.ndarray, hours: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(β per cell, γ per hour of day) of the additive model, each centred to mean zero over the fitted hours.

    Only hours with a value and a known cell are fitted; `groups` are small non-negative integers."""
    y = np.asarray(y, dtype=float)
    ok = ~np.isnan(y) & (np.asarray(cells) >= 0)
    yv, c, h, g = y[ok], np.asarray(cells)[ok], np.asarray(hours)[ok], np.asarray(groups)[ok]
    beta, gamma = np.zeros(CELLS), np.zeros(24)
    if yv.size == 0:
        return beta, gamma
    n_g = np.bincount(g)
    n_c, n_h = np.bincount(c, minlength=CELLS), np.bincount(h, minlength=24)
    alpha = np.zeros(n_g.size)
    for _ in range(MAX_ITERATIONS):
        alpha = _means(yv - beta[c] - gamma[h], g, n_g)
        new_beta = _means(yv - alpha[g] - gamma[h], c, n_c)
        new_gamma = _means(yv - alpha[g] - new_beta[c], h, n_h)
        # Centre the effects on the fitted hours (the level lives in α), so β and γ are identified.
        new_beta -= new_beta[c].mean()
        new_gamma -= new_gamma[h].mean()
        change = max(np.abs(new_beta - beta).max(), np.abs(new_gamma - gamma).max())
        beta, gamma = new_beta, new_gamma
        if change < TOLERANCE:
            break
    return beta, gamma


def _means(values: np.ndarray, index: np.ndarray, counts: np.ndarray) -> np.ndarray:
    sums = np.bincount(index, weights=values, minlength=counts.size)
    return np.divide(sums, counts, out=np.zeros(counts.size), where=counts > 0)


def normalised(
    y: np.ndarray, cells: np.ndarray, hours: np.ndarray, groups: np.ndarray, long_run: np.ndarray
) -> np.ndarray:
    """Each hour's value under long-run weather (NaN without a value or without wind); see the module docstring."""
    y = np.asarray(y, dtype=float)
    cells = np.asarray(cells, dtype=int)
    hours = np.asarray(hours, dtype=int)
    beta, gamma = fit(y, cells, hours, groups)
    fitted = np.bincount(cells[(cells >= 0) & ~np.isnan(y)], minlength=CELLS) > 0
    weights = np.where(fitted, long_run, 0.0)
    if weights.sum() <= 0:
        return np.full(y.shape, np.nan)
    average_weather = float((weights / weights.sum()) @ beta) + float(gamma.mean())
    out = y - beta[np.maximum(cells, 0)] - gamma[hours] + average_weather
    out[cells < 0] = np.nan
    return out
