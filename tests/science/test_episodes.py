"""Episode detection (ijlucht/science/episodes.py) on hand-made hours and on the real 2019-2020 files."""

import numpy as np
import pandas as pd

from ijlucht import sources
from ijlucht.science import episodes

HOURS = pd.date_range("2020-01-01", periods=24, freq="h", tz="UTC")
WIJK_AAN_ZEE = (52.494, 4.60199)  # NL49553, north of the works
SOUTH_WIND = pd.DataFrame(
    {"wind_dir": 190.0, "wind_state": "direction", "wind_speed": 8.0}, index=HOURS
)  # from the works, seen from Wijk aan Zee
NORTH_WIND = SOUTH_WIND.assign(wind_dir=10.0)


def places(n: int = 6, level: float = 10.0) -> pd.DataFrame:
    ripple = np.tile([0.0, 0.5, 1.0, 0.3], 6)  # no place repeats a value (a stuck sensor would be left out)
    return pd.DataFrame({f"station:NL0000{i}": level + ripple + i * 0.1 for i in range(n)}, index=HOURS)


def test_many_places_high_together_make_one_regional_episode_across_a_dip():
    v = places()
    v.iloc[10:14] = 200.0 + np.arange(4)[:, None] + np.arange(6)[None, :]  # 10:00-13:59 everywhere
    v.iloc[12, :4] = 30.0  # a dip of one hour in most places does not split it
    v.iloc[11, 2] = 400.0
    found = episodes.find_episodes(v, "pm25")
    assert [(e.kind, e.start, e.end, e.peak_value, e.peak_place) for e in found] == [
        ("regional", HOURS[10], HOURS[14], 400.0, "station:NL00002")
    ]
    assert len(found[0].places) == 6


def test_one_place_far_above_the_others_downwind_of_the_works_is_a_local_episode_naming_it():
    v = places().rename(columns={"station:NL00000": "station:NL49553"})
    v.loc[HOURS[20:22], "station:NL49553"] = [90.0, 104.0]
    positions = {"station:NL49553": WIJK_AAN_ZEE}
    emitters = list(sources.emitters().values())
    (e,) = episodes.find_episodes(v, "so2", SOUTH_WIND, positions, emitters)
    assert (e.kind, e.start, e.end, e.peak_value, e.places) == (
        "local",
        HOURS[20],
        HOURS[22],
        104.0,
        ["station:NL49553"],
    )
    assert e.emitter == "tata-steel-ijmuiden" and e.wind.dir_deg == 190.0 and e.wind.speed == 8.0
    (north,) = episodes.find_episodes(v, "so2", NORTH_WIND, positions, emitters)
    assert north.emitter is None  # the same rise with the wind from the sea names no emitter


def test_small_excess_and_stuck_values_make_no_episode():
    v = places()
    v.loc[HOURS[5], "station:NL00001"] = 24.0  # double the others but only +14 µg/m³ SO2: below the 40 excess
    v["station:NL00009"] = [344.54] * 24  # a stuck sensor, far above everyone all day
    assert episodes.find_episodes(v, "so2") == []


def test_the_wind_over_an_episode_is_the_vector_mean_across_north():
    w = pd.DataFrame(
        {"wind_dir": [350.0, 10.0, np.nan], "wind_state": ["direction", "direction", "calm"], "wind_speed": 4.0},
        index=HOURS[:3],
    )
    got = episodes.wind_over(w, HOURS[0], HOURS[3])
    assert got.dir_deg in (0.0, 360.0) and got.state == "direction" and got.speed == 4.0
