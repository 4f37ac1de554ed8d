"""κ-Köhler humidity correction for optical PM sensors (method `kohler-v1`).

Particles take up water and swell at high relative humidity, so an optical sensor over-reads. Following
Crilley et al. 2018 (Atmos. Meas. Tech. 11, 709–720, eq. 5 and 6):

    C = 1 + (κ / 1.65) / (1 / a_w − 1),  a_w = RH / 100,  PM_corrected = PM_raw / C

1.65 g/cm³ is the assumed particle density. RH is capped at 95 %, where C diverges. κ is fitted on co-location
data (`fit_kappa`); on the 2023 Beverwijk co-location with NL49570 it comes out near 0.35 (docs/science.md).

The correction is applied to each raw reading before any averaging. A reading whose humidity is missing or
outside 0–100 % gets no corrected value (NaN) and a flag; the raw value is never changed.
"""

import numpy as np
import pandas as pd

METHOD = "kohler-v1"
DENSITY = 1.65  # g/cm³, Crilley et al. 2018
RH_CAP = 95.0  # %: above this the growth factor diverges (Crilley et al. 2018, §3.2)
KAPPA_GRID = np.round(np.arange(0.0, 1.5001, 0.005), 3)

# Why a value has no humidity correction (bits, so hourly means can carry several).
FLAG_RH_MISSING = 1
FLAG_RH_IMPLAUSIBLE = 2


def humidity_flags(rh: np.ndarray) -> np.ndarray:
    rh = np.asarray(rh, dtype=float)
    flags = np.zeros(rh.shape, dtype=np.int32)
    flags[np.isnan(rh)] = FLAG_RH_MISSING
    flags[~np.isnan(rh) & ((rh <= 0) | (rh > 100))] = FLAG_RH_IMPLAUSIBLE
    return flags


def growth_factor(rh: np.ndarray, kappa: float) -> np.ndarray:
    aw = np.minimum(np.asarray(rh, dtype=float), RH_CAP) / 100.0
    return 1.0 + (kappa / DENSITY) / (1.0 / aw - 1.0)


def correct(pm: np.ndarray, rh: np.ndarray, kappa: float) -> tuple[np.ndarray, np.ndarray]:
    """Corrected PM (NaN where humidity is missing or implausible) and the flag of each value."""
    pm = np.asarray(pm, dtype=float)
    flags = humidity_flags(rh)
    ok = flags == 0
    out = np.full(pm.shape, np.nan)
    out[ok] = pm[ok] / growth_factor(np.asarray(rh, dtype=float)[ok], kappa)
    return out, flags


def hourly_corrected_means(times: pd.DatetimeIndex, pm: np.ndarray, rh: np.ndarray, kappa: float) -> pd.DataFrame:
    """Correct each reading, then average per hour (start of hour, UTC).

    Columns: `pm_corrected` (mean over the readings that could be corrected), `n_corrected`, `n`, and `flags`
    (OR of the readings' flags: the hour lost some readings to missing or implausible humidity).
    """
    corrected, flags = correct(pm, rh, kappa)
    frame = pd.DataFrame(
        {"pm_corrected": corrected, "ok": flags == 0, "flags": flags},
        index=pd.DatetimeIndex(times).tz_convert("UTC").floor("h"),
    )
    for bit in (FLAG_RH_MISSING, FLAG_RH_IMPLAUSIBLE):
        frame[bit] = (flags & bit) > 0
    grouped = frame.groupby(level=0)
    # The OR of the readings' flags, bit by bit (vectorised: no Python call per hour).
    either = sum(grouped[bit].any().astype(int) * bit for bit in (FLAG_RH_MISSING, FLAG_RH_IMPLAUSIBLE))
    return pd.DataFrame(
        {
            "pm_corrected": grouped["pm_corrected"].mean(),
            "n_corrected": grouped["ok"].sum().astype(int),
            "n": grouped.size(),
            "flags": either,
        }
    )


def correct_hourly_mean(pm: np.ndarray, rh: np.ndarray, kappa: float) -> tuple[np.ndarray, np.ndarray, str]:
    """For sources with hourly means only: the correction of the mean, marked as such by the third value."""
    corrected, flags = correct(pm, rh, kappa)
    return corrected, flags, "hourly-mean"


def fit_kappa(pm: np.ndarray, rh: np.ndarray, ref: np.ndarray) -> float:
    """κ minimising the RMSE of corrected PM against the reference (grid 0–1.5 in steps of 0.005)."""
    pm, rh, ref = (np.asarray(a, dtype=float) for a in (pm, rh, ref))
    ok = (humidity_flags(rh) == 0) & ~np.isnan(pm) & ~np.isnan(ref)
    if ok.sum() < 2:
        raise ValueError("fewer than 2 hours with PM, humidity and reference: κ cannot be fitted")
    pm, rh, ref = pm[ok], rh[ok], ref[ok]
    # One matrix of candidates × hours: the grid is small and exact, no optimiser needed.
    factors = 1.0 + (KAPPA_GRID[:, None] / DENSITY) / (1.0 / (np.minimum(rh, RH_CAP) / 100.0) - 1.0)
    rmse = np.sqrt(np.mean((pm[None, :] / factors - ref[None, :]) ** 2, axis=1))
    return float(KAPPA_GRID[int(np.argmin(rmse))])


def fit_kappa_readings(pm: np.ndarray, rh: np.ndarray, hour: np.ndarray, ref: np.ndarray) -> float:
    """κ for a kit with raw readings: each reading corrected, then averaged per hour, against the hourly reference.

    `hour` gives each reading's hour as an index into `ref` (one reference value per hour).
    """
    pm, rh, ref = (np.asarray(a, dtype=float) for a in (pm, rh, ref))
    hour = np.asarray(hour)
    ok = (humidity_flags(rh) == 0) & ~np.isnan(pm)
    pm, rh, hour = pm[ok], rh[ok], hour[ok]
    counts = np.bincount(hour, minlength=len(ref))
    used = (counts > 0) & ~np.isnan(ref)
    if used.sum() < 2:
        raise ValueError("fewer than 2 hours with readings, humidity and reference: κ cannot be fitted")
    inverse_aw = 1.0 / (np.minimum(rh, RH_CAP) / 100.0) - 1.0

    def rmse(kappa: float) -> float:
        means = np.bincount(hour, pm / (1.0 + (kappa / DENSITY) / inverse_aw), minlength=len(ref))[used] / counts[used]
        return float(np.sqrt(np.mean((means - ref[used]) ** 2)))

    # One reading array per κ (not grid × readings in memory); a coarse pass, then the fine grid around its best.
    # RMSE(κ) has a single minimum here (the growth factor rises monotonically with κ), so the two passes agree
    # with the full grid (tests/science/test_correction.py checks it).
    coarse = KAPPA_GRID[::10]
    centre = coarse[int(np.argmin([rmse(k) for k in coarse]))]
    fine = KAPPA_GRID[np.abs(KAPPA_GRID - centre) <= 0.05 + 1e-9]
    return float(fine[int(np.argmin([rmse(k) for k in fine]))])
