"""Pollution rose and conditional probability function per wind sector and speed bin (part of `direction-v1`).

Per sector (centred on north) and speed bin: hours, mean, percentiles 25/50/75/90 and the CPF of Ashbaugh et al.
1985 (Atmos. Environ. 19, 1263): CPF = m / n, n the hours with wind from the sector, m those above the threshold,
the chosen percentile of ALL hours with a value (as openair's polarPlot does). Calm and variable hours have no
direction: they are counted and averaged apart, never put in a sector. Hours without a value are left out.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from ijlucht.science import direction

PERCENTILES = (25, 50, 75, 90)


@dataclass
class Rose:
    hours: int  # with a value and any wind state (calm, variable, missing included)
    threshold: float | None  # the CPF threshold: `percentile` of all hours with a value
    calm: dict  # {hours, mean}
    variable: dict
    missing_wind_hours: int
    rows: list[dict]  # per sector: all speeds (speed_from/to None) first, then each speed bin


def speed_bins(edges) -> list[tuple[float, float | None]]:
    """[(from, to)] from ascending edges: [e0, e1), …, [e_last, ∞) with to None for the open last bin."""
    e = [float(x) for x in edges]
    if any(b <= a for a, b in itertools.pairwise(e)) or not e or e[0] < 0:
        raise ValueError("speed bins must be ascending, non-negative numbers")
    return [(e[i], e[i + 1] if i + 1 < len(e) else None) for i in range(len(e))]


def in_speed_bin(speed: np.ndarray, lo: float, hi: float | None) -> np.ndarray:
    s = np.asarray(speed, dtype=float)
    return (s >= lo) & (True if hi is None else s < hi)


def _mean(v: np.ndarray) -> float | None:
    return float(v.mean()) if v.size else None


def _cell(v: np.ndarray, threshold: float | None) -> dict:
    if v.size == 0:
        return {"hours": 0, "mean": None, **{f"p{p}": None for p in PERCENTILES}, "cpf": None}
    qs = np.percentile(v, PERCENTILES)
    cpf = float((v > threshold).mean()) if threshold is not None else None
    stats = {f"p{p}": float(q) for p, q in zip(PERCENTILES, qs, strict=True)}
    return {"hours": int(v.size), "mean": float(v.mean()), **stats, "cpf": cpf}


def rose(values, wind_dir, wind_state, wind_speed, sectors: int = 12, edges=(0, 2, 4, 6, 10), percentile=75) -> Rose:
    """Statistics per sector × speed bin of hourly `values` with the wind of the same hours."""
    v = np.asarray(values, dtype=float)
    d = np.asarray(wind_dir, dtype=float)
    state = np.asarray(wind_state, dtype=object)
    s = np.asarray(wind_speed, dtype=float)
    if not (v.shape == d.shape == s.shape == state.shape):
        raise ValueError("values and wind arrays must have the same length")
    if not 0 < percentile < 100:
        raise ValueError("percentile must lie between 0 and 100")
    bins = speed_bins(edges)
    keep = ~np.isnan(v)
    v, d, state, s = v[keep], d[keep], state[keep], s[keep]
    threshold = float(np.percentile(v, percentile)) if v.size else None
    calm = (state == "calm") | (np.isin(state, ("direction", "variable")) & (s < direction.CALM_BELOW_MS))
    variable = (state == "variable") & ~calm
    has_dir = (state == "direction") & ~np.isnan(d) & ~calm
    sector = direction.sector_of(np.where(has_dir, d, np.nan), sectors)
    rows = []
    for i, (centre, lo_deg, hi_deg) in enumerate(direction.sector_edges(sectors)):
        in_sector = sector == i
        base = {"sector": i, "centre_deg": centre, "from_deg": lo_deg, "to_deg": hi_deg}
        rows.append({**base, "speed_from": None, "speed_to": None, **_cell(v[in_sector], threshold)})
        for lo, hi in bins:
            cell = v[in_sector & in_speed_bin(s, lo, hi)]
            rows.append({**base, "speed_from": lo, "speed_to": hi, **_cell(cell, threshold)})
    return Rose(
        hours=int(v.size),
        threshold=threshold,
        calm={"hours": int(calm.sum()), "mean": _mean(v[calm])},
        variable={"hours": int(variable.sum()), "mean": _mean(v[variable])},
        missing_wind_hours=int((~calm & ~variable & ~has_dir).sum()),
        rows=rows,
    )
