"""The spike review's rule (ingest/corroboration.py) by hand and on the real 2019-2020 New Year night (hourly files)."""

import numpy as np
import pandas as pd

from ijlucht import quality
from ingest import corroboration
from tests.ingest import newyear

HOURS = pd.date_range("2020-01-01 00:00", periods=30, freq="h")


def steady(level: float = 10.0) -> np.ndarray:
    return level + np.tile([0.0, 1.0, -1.0], 10)


def test_a_jump_a_neighbour_also_sees_is_confirmed_and_a_lone_jump_is_not():
    kit, near, calm = steady(), steady(12.0), steady(8.0)
    kit[27], near[27] = 200.0, 90.0  # the neighbour rises by 78: more than a quarter of the kit's 190
    own = corroboration.own_rises(pd.Series(kit, HOURS), pd.Series(kit, HOURS))
    both = corroboration.rises(pd.DataFrame({"kit:near": near}, HOURS))
    alone = corroboration.rises(pd.DataFrame({"kit:calm": calm}, HOURS))
    assert corroboration.confirmed_hours(own, both)[HOURS[27]]
    assert corroboration.confirming_places(own, both, HOURS[27]) == ["kit:near"]
    assert not corroboration.confirmed_hours(own, alone).any()


def test_a_neighbour_one_hour_later_confirms_but_a_small_rise_does_not():
    kit, late, small = steady(), steady(), steady()
    kit[26], late[27], small[26] = 200.0, 120.0, 30.0  # small: +20, below a quarter of the kit's +190
    own = corroboration.own_rises(pd.Series(kit, HOURS), pd.Series(kit, HOURS))
    assert corroboration.confirmed_hours(own, corroboration.rises(pd.DataFrame({"a": late}, HOURS)))[HOURS[26]]
    assert not corroboration.confirmed_hours(own, corroboration.rises(pd.DataFrame({"b": small}, HOURS)))[HOURS[26]]


def test_a_place_without_position_has_no_neighbours():
    positions = {"kit:a": (52.49, 4.60), "kit:b": (52.495, 4.605), "kit:far": (52.60, 4.90)}
    assert corroboration.neighbours_of("kit:a", positions) == ["kit:b"]
    assert corroboration.neighbours_of("kit:nowhere", positions) == []


def _night_review() -> pd.DataFrame:
    """The fireworks kit-hours above 50 µg/m³ with their v1 flags and whether the review confirms them."""
    d = newyear.flagged()
    hourly = d[(d["flags"] & quality.FLATLINE) == 0].pivot(index="date", columns="kit_id", values="pm25")
    hourly = pd.concat([hourly.add_prefix("kit:"), newyear.stations_pm25().add_prefix("station:")], axis=1, sort=True)
    window = pd.date_range(d["date"].min(), d["date"].max(), freq="h")
    rises = corroboration.rises(hourly.reindex(window))
    own_all = d.pivot(index="date", columns="kit_id", values="pm25").reindex(window)
    positions = {f"kit:{k}": p for k, p in newyear.kit_positions().items()}
    positions |= {f"station:{s}": p for s, p in newyear.station_positions().items()}
    lo, hi = newyear.NIGHT
    night = d[(d["date"] >= lo) & (d["date"] <= hi) & (d["pm25"] > newyear.HIGH)].copy()
    confirmed = {}
    for kit in night["kit_id"].unique():
        near = corroboration.neighbours_of(f"kit:{kit}", positions)
        own = corroboration.own_rises(own_all[kit], own_all[kit])
        confirmed[kit] = corroboration.confirmed_hours(own, rises[near] if near else rises.iloc[:, :0])
    night["confirmed"] = [bool(confirmed[k][t]) for k, t in zip(night["kit_id"], night["date"], strict=True)]
    night["neighbours"] = [len(corroboration.neighbours_of(f"kit:{k}", positions)) for k in night["kit_id"]]
    return night


def test_the_new_year_fireworks_pass_the_review_except_at_kits_without_neighbours():
    night = _night_review()
    spike = (night["flags"] & quality.SPIKE) != 0
    assert (len(night), int(spike.sum())) == (792, 709)  # the figure: the ingest check alone
    still = spike & ~night["confirmed"]
    assert int(still.sum()) == 59
    assert (night.loc[still, "neighbours"] == 0).all()  # every one left is at a kit with no neighbour to ask


def test_flatline_flags_only_the_stuck_kits_on_the_fireworks_night():
    d = newyear.flagged()
    stuck = d[(d["flags"] & quality.FLATLINE) != 0].groupby("kit_id")["pm25"].agg(["size", "first"])
    # the data README's stuck-value fixtures within the cut (device 068's run of 0.0 lies outside it)
    assert stuck["first"].to_dict() == {
        "HLL_hl_device_009": 344.54,
        "HLL_hl_device_038": 4.4,
        "HLL_hl_device_053": 59.7,
        "HLL_hl_device_094": 0.8,
        "HLL_hl_device_218": 344.54,
    }
    night = _night_review()
    flat = night[(night["flags"] & quality.FLATLINE) != 0]
    assert set(flat["kit_id"]) == {"HLL_hl_device_053", "HLL_hl_device_218"}  # stuck above 50, not the episode
