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


def leave_one_out_backgrounds(values: np.ndarray, downwind: np.ndarray) -> np.ndarray:
    """(hours × places) → for every place and hour, regional_background of all the OTHER places: one sort per hour
    instead of one median per place (the map layer computes every kit at once)."""
    usable = np.where(np.asarray(downwind, dtype=bool), np.nan, np.asarray(values, dtype=float))
    hours, places = usable.shape
    s = np.sort(usable, axis=1)  # NaN last
    m = (~np.isnan(usable)).sum(axis=1)[:, None]  # usable places per hour
    own = usable
    inside = ~np.isnan(own)
    n = m - inside  # how many values the place's median is taken over
    out = np.full((hours, places), np.nan)

    def pick(i: np.ndarray) -> np.ndarray:
        """The i-th smallest of the row without the place's own value (i per cell)."""
        i = np.clip(i, 0, max(places - 1, 0))
        si = np.take_along_axis(s, i, axis=1)
        si1 = np.take_along_axis(s, np.clip(i + 1, 0, max(places - 1, 0)), axis=1)
        # Removing own value x: the i-th of the rest is s[i] if s[i] < x, else s[i + 1] (ties give the same value).
        return np.where(inside & ~(si < own), si1, si)

    lo_i = (n - 1) // 2
    hi_i = n // 2
    med = (
        pick(np.broadcast_to(lo_i, (hours, places)).copy()) + pick(np.broadcast_to(hi_i, (hours, places)).copy())
    ) / 2
    ok = n > 0
    out[ok] = med[ok]
    return out
