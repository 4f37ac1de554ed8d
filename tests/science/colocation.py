"""The 2023 Beverwijk co-location (HLL kits beside NL49570) as shipped in data/reference, parsed by the importers."""

from functools import cache

import numpy as np
import pandas as pd

from ijlucht.settings import PROJECT_ROOT
from ingest.sources import luchtmeetnet, samenmeten

REFERENCE = PROJECT_ROOT / "data" / "reference"


@cache
def _station() -> pd.Series:
    rows = luchtmeetnet.parse_file(REFERENCE / "luchtmeetnet" / "NL49570.csv").rows
    return pd.Series({r.hour: r.value for r in rows}, name="ref")


@cache
def beverwijk(kit: str) -> pd.DataFrame:
    """Columns pm, rh, ref per hour where kit PM, kit humidity and the station all have a value."""
    rows = samenmeten.parse_file(REFERENCE / "samenmeten" / f"{kit}.csv").rows
    frame = pd.DataFrame({"pm": [r.pm25 for r in rows], "rh": [r.rh for r in rows]}, index=[r.hour for r in rows])
    frame = frame.join(_station(), how="inner").dropna().astype(float)
    frame.index = pd.DatetimeIndex(frame.index)
    return frame[(frame.rh > 0) & (frame.rh <= 100)]


def as_readings(hourly: pd.DataFrame, per_hour: int = 6) -> pd.DataFrame:
    """Raw readings made from hourly values: `per_hour` readings a hour whose PM and RH vary around the hour's value
    (same mean PM), so the platform's per-reading path can be tested on the real co-location."""
    wobble = np.linspace(-0.3, 0.3, per_hour)
    times = hourly.index.repeat(per_hour) + pd.to_timedelta(np.tile(np.arange(per_hour) * 10 + 5, len(hourly)), "min")
    pm = np.repeat(hourly["pm"].to_numpy(), per_hour) * (1 + np.tile(wobble, len(hourly)))
    rh = np.clip(np.repeat(hourly["rh"].to_numpy(), per_hour) + np.tile(wobble * 10, len(hourly)), 1, 100)
    return pd.DataFrame({"pm": pm, "rh": rh}, index=pd.DatetimeIndex(times))
