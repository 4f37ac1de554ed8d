"""The 2019-2020 New Year night on the real hourly files: kits (a cut of the Samen Meten file) and stations.

Times: both files label the END of the hour (data/reference/README.md); here every row keeps its file label, so kits
and stations line up as in the files. `replay` gives each kit's hourly pm25 to the ingest spike check in time order.
"""

from functools import cache

import pandas as pd

from ijlucht import geo
from ijlucht.settings import PROJECT_ROOT
from ingest.history import KitHistory

KITS_FILE = PROJECT_ROOT / "data" / "reference" / "newyear" / "hll_sensors_2019-12-29_2020-01-02_cut.csv"
STATIONS_FILE = PROJECT_ROOT / "data" / "reference" / "luchtmeetnet" / "luchtmeetnet_ijmond_2019-12-23_2020-01-20.csv"
# The fireworks hours as counted in the issue: labels 2019-12-31 18:00 … 2020-01-01 03:00, values above 50 µg/m³.
NIGHT = (pd.Timestamp("2019-12-31 18:00"), pd.Timestamp("2020-01-01 03:00"))
HIGH = 50.0


@cache
def kits() -> pd.DataFrame:
    """kit_id, date, lat, lon, pm25 (rows without a date, the source's error records, left out)."""
    d = pd.read_csv(KITS_FILE, parse_dates=["date"]).dropna(subset=["date"])
    return d[["kit_id", "date", "lat", "lon", "pm25"]].sort_values(["kit_id", "date"]).reset_index(drop=True)


@cache
def flagged() -> pd.DataFrame:
    """kits() with `flags`: the ingest history checks run over each kit's hourly pm25, as if sent hourly."""
    d = kits()
    flags = []
    for _, g in d.groupby("kit_id", sort=False):
        h = KitHistory()
        for ts, v in zip(g["date"], g["pm25"], strict=True):
            flags.append(h.check(ts.timestamp(), {} if pd.isna(v) else {"pm25": float(v)}))
    return d.assign(flags=flags)


def kit_positions() -> dict[str, tuple[float, float]]:
    first = kits().groupby("kit_id")[["lat", "lon"]].first()
    return {k: (r.lat, r.lon) for k, r in first.iterrows() if pd.notna(r.lat) and r.lat != 0}


def station_positions() -> dict[str, tuple[float, float]]:
    return {c: (s.lat, s.lon) for c, s in geo.stations().items() if s.network == "luchtmeetnet" and s.lat is not None}


@cache
def stations_pm25() -> pd.DataFrame:
    d = pd.read_csv(STATIONS_FILE, parse_dates=["date"])
    return d.pivot(index="date", columns="station_number", values="pm25")
