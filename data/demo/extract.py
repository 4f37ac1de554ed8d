"""How the demo files here were cut from the shared IJmond data (run once by hand; kept for provenance).

    python data/demo/extract.py /path/to/shared/data

Takes the raw PM of the Hollandse Luchten kits listed in fleet.csv and KNMI station 240's temperature and
humidity for the same hours (2020-02-07 01:00 – 2020-02-21 00:00 UTC). Values are copied, not changed.
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
SRC = "ijmond_samen_analyseren_2019_2020"


def main(shared_data: Path) -> None:
    fleet = pd.read_csv(HERE / "fleet.csv")
    pm = pd.read_csv(shared_data / SRC / "hll_sensors_2020-02-07_2020-02-21.csv")
    pm = pm[pm.kit_id.isin(fleet.source_kit)][["kit_id", "date", "pm25", "pm10"]].dropna(subset=["date"])
    pm.to_csv(HERE / "hll_pm_2020-02-07_2020-02-21.csv", index=False)
    knmi = pd.read_csv(shared_data / SRC / "knmi_6stations_2020-02-07_2020-02-22.csv")
    knmi = knmi[knmi.station_number == 240][["date", "temp", "rh"]]
    knmi.to_csv(HERE / "knmi_240_2020-02-07_2020-02-22.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
