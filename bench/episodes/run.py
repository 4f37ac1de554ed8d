"""Episode detection benchmark (pure, no services): prints figures, asserts nothing about time.
   .venv/bin/python bench/episodes/run.py

find_episodes over 92 days (the API's longest range) of hourly PM2.5 for 100 and 1,000 places around the works,
with KNMI-like wind. Each place follows one shared regional series (a daily cycle and slow weather swings) times
its own noise, plus a few short plumes; the figure is the median of 3 runs.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np
import pandas as pd

from ijlucht import sources
from ijlucht.science import episodes

HOURS = pd.date_range("2025-10-01", periods=92 * 24, freq="h", tz="UTC")


def data(places: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    t = np.arange(len(HOURS))
    regional = 12 + 5 * np.sin(2 * np.pi * t / 24) + 8 * np.sin(2 * np.pi * t / (24 * 9)) ** 2
    values = regional[:, None] * rng.lognormal(0, 0.15, (len(HOURS), places))
    for _ in range(places // 5):  # short plumes at single places
        i, j = rng.integers(0, len(HOURS) - 3), rng.integers(0, places)
        values[i : i + 3, j] += rng.uniform(30, 120)
    cols = [f"kit:k{i}" for i in range(places)]
    wind = pd.DataFrame(
        {"wind_dir": rng.integers(1, 37, len(HOURS)) * 10.0, "wind_state": "direction", "wind_speed": 6.0},
        index=HOURS,
    )
    positions = {c: (52.44 + rng.random() * 0.1, 4.55 + rng.random() * 0.15) for c in cols}
    return pd.DataFrame(values, index=HOURS, columns=cols), wind, positions


def main() -> None:
    rng = np.random.default_rng(16)
    emitters = list(sources.emitters().values())
    for places in (100, 1000):
        values, wind, positions = data(places, rng)
        times, found = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            found = episodes.find_episodes(values, "pm25", wind, positions, emitters)
            times.append(time.perf_counter() - t0)
        print(
            f"episodes: {places} places x {len(HOURS)} hours: {statistics.median(times):.2f} s "
            f"(median of 3), {len(found)} episodes"
        )


if __name__ == "__main__":
    main()
