"""Whether a kit's jump is air: a rise that neighbouring kits or reference stations see in the same hours. Pure.

The spike check (ingest/history.py) sees one kit at a time, so a real episode (fireworks, a plume, a regional smog
day) looks like a spike. A jump that places nearby also rise with is air, not a fault: the spike review
(ingest/spike_review.py) clears the spike flag of such kit-hours afterwards, once the neighbours' data are in.
Thresholds are part of the quality method (ijlucht.quality.METHOD_VERSION; docs/quality.md).
"""

import numpy as np
import pandas as pd

from ijlucht.science.direction import distance_km
from ingest.history import SPIKE_FLOOR

NEIGHBOUR_KM = 5.0  # neighbours: kits and stations this close (the IJmond towns lie 3-6 km apart)
BASELINE_HOURS = 24  # a place's rise is its hourly mean minus the median of its previous 24 hours …
BASELINE_MIN_HOURS = 6  # … when it has at least this many of them
NEIGHBOUR_SHARE = 0.25  # a neighbour confirms when it rises by at least this share of the kit's own rise …
LAG_HOURS = 1  # … within this many hours either side (plumes and fronts pass places at different times)
MIN_RISE = SPIKE_FLOOR["pm25"]  # … and by at least the spike check's own floor


def baselines(hourly: pd.DataFrame) -> pd.DataFrame:
    """Each place's (column's) median of the BASELINE_HOURS before each hour (index: hour starts, UTC).

    Missing hours are filled in as missing, so the baseline counts real hours only."""
    if hourly.empty:
        return hourly.astype(float)
    full = hourly.sort_index()
    full = full.reindex(pd.date_range(full.index[0], full.index[-1], freq="h"))
    base = full.shift(1).rolling(BASELINE_HOURS, min_periods=BASELINE_MIN_HOURS).median()
    return base.reindex(hourly.index)


def rises(hourly: pd.DataFrame) -> pd.DataFrame:
    """Rise of each place in each hour: its hourly mean minus its baseline."""
    return hourly - baselines(hourly)


def confirmed_hours(own_rise: pd.Series, neighbour_rises: pd.DataFrame) -> pd.Series:
    """For each hour of `own_rise` (the kit's rise), whether a neighbour (column) rose with it.

    Both are indexed by the same regular hourly index; missing neighbour hours never confirm."""
    if neighbour_rises.shape[1] == 0:
        return pd.Series(False, index=own_rise.index)
    best = neighbour_rises.max(axis=1, skipna=True)
    best = best.rolling(2 * LAG_HOURS + 1, center=True, min_periods=1).max()
    need = np.maximum(MIN_RISE, NEIGHBOUR_SHARE * own_rise.fillna(0.0))
    return (best >= need).fillna(False).astype(bool)


def own_rises(peak: pd.Series, mean: pd.Series) -> pd.Series:
    """A kit's rise per hour: its highest value in the hour (one-minute jumps count) minus the baseline of its means."""
    return peak.astype(float) - baselines(mean.astype(float).to_frame("v"))["v"]


def neighbours_of(place: str, positions: dict[str, tuple[float, float]]) -> list[str]:
    """The places within NEIGHBOUR_KM of `place` (none when it has no position)."""
    if place not in positions:
        return []
    lat, lon = positions[place]
    return sorted(
        p for p, (la, lo) in positions.items() if p != place and distance_km(lat, lon, la, lo) <= NEIGHBOUR_KM
    )


def confirming_places(own_rise: pd.Series, neighbour_rises: pd.DataFrame, hour: pd.Timestamp) -> list[str]:
    """The neighbours whose rise confirms the kit's in `hour` (within LAG_HOURS); empty when none does."""
    need = max(MIN_RISE, NEIGHBOUR_SHARE * float(np.nan_to_num(own_rise.get(hour, 0.0))))
    lag = pd.Timedelta(hours=LAG_HOURS)
    near = neighbour_rises.loc[hour - lag : hour + lag]
    return sorted(str(c) for c in near.columns if (near[c] >= need).any())
