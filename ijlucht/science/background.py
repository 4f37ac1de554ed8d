"""Regional background: what the area measured in an hour where the emitter's plume was not (part of `direction-v1`).

For a place and an hour: the median over the OTHER stations and kits of the area (within AREA_KM of the emitter's
centre) that were NOT downwind of the emitter in that hour; calm, variable and missing-wind hours count as not
downwind. Subtracting it hour by hour keeps regional pollution (a hazy easterly over all of North Holland) from
looking like the local source. An hour without any such place has no background (left out, and counted).
"""

import numpy as np

AREA_KM = 20.0


def regional_background(other_values: np.ndarray, other_downwind: np.ndarray) -> np.ndarray:
    """other_values, other_downwind: (hours × places), the place itself not among them. Median per hour of the
    places not downwind (NaN when none)."""
    vals = np.asarray(other_values, dtype=float)
    down = np.asarray(other_downwind, dtype=bool)
    if vals.shape != down.shape:
        raise ValueError("values and downwind masks must have the same shape (hours × places)")
    usable = np.where(down, np.nan, vals)
    out = np.full(vals.shape[0], np.nan)
    some = (~np.isnan(usable)).any(axis=1)
    if some.any():
        out[some] = np.nanmedian(usable[some], axis=1)
    return out


def central_order_stats(usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hours × places) values, NaN where a place is not usable that hour → per hour the count m and the three
    central order statistics s[k−1], s[k], s[k+1] (k = (m−1) // 2; NaN where they do not exist).

    These are enough to give every place its background without itself (background_from_stats): removing one
    value shifts the middle by at most one rank. Stored per hour (migration 072), they let one place's regional
    background be read in one query instead of reading every place of the area.
    """
    vals = np.asarray(usable, dtype=float)
    hours, places = vals.shape
    m = (~np.isnan(vals)).sum(axis=1)
    s = np.sort(vals, axis=1)  # NaN last
    s = np.concatenate([s, np.full((hours, 2), np.nan)], axis=1)  # room for k + 1
    k = (m - 1) // 2
    idx = np.stack([k - 1, k, k + 1], axis=1)
    out = np.take_along_axis(s, np.clip(idx, 0, places + 1), axis=1)
    out[idx < 0] = np.nan
    return m, out


def background_from_stats(m: np.ndarray, s3: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Per hour, the median of the usable values without the place's own (own: its value where it was among the
    usable ones, NaN where not)."""
    m = np.asarray(m)
    own = np.asarray(own, dtype=float)
    inside = ~np.isnan(own)
    n = m - inside
    k = (m - 1) // 2

    def nth(i: np.ndarray) -> np.ndarray:
        """The i-th smallest of the usable values without own: s[i] if s[i] < own (or own absent), else s[i + 1]."""
        col = np.clip(i - (k - 1), 0, 2)
        col1 = np.clip(i + 1 - (k - 1), 0, 2)
        si = np.take_along_axis(s3, col[:, None], axis=1)[:, 0]
        si1 = np.take_along_axis(s3, col1[:, None], axis=1)[:, 0]
        return np.where(inside & ~(si < own), si1, si)

    with np.errstate(invalid="ignore"):
        med = (nth((n - 1) // 2) + nth(n // 2)) / 2
    return np.where(n > 0, med, np.nan)
