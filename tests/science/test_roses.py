"""Rose and CPF per sector and speed bin on hand-made hours: sectors, calm and variable apart, empty sectors."""

import numpy as np
import pytest

from ijlucht.science import roses


def _rose(values, dirs, states, speeds, **kw):
    return roses.rose(
        np.array(values, float), np.array(dirs, float), np.array(states, object), np.array(speeds, float), **kw
    )


def _row(r, sector, speed_from=None):
    return next(x for x in r.rows if x["sector"] == sector and x["speed_from"] == speed_from)


def test_hours_fall_in_north_centred_sectors_with_calm_and_variable_apart():
    r = _rose(
        [10, 20, 30, 40, 50, 60, np.nan],
        [355, 5, 180, np.nan, np.nan, 180, 180],
        ["direction", "direction", "direction", "calm", "variable", "direction", "direction"],
        [3, 3, 5, 0, 2, 0.2, 3],
        sectors=12,
    )
    assert r.hours == 6  # the hour without a value is left out
    north, south = _row(r, 0), _row(r, 6)
    assert (north["hours"], north["mean"]) == (2, 15.0)
    assert (south["hours"], south["mean"]) == (1, 30.0)  # 60 had 0.2 m/s: calm
    assert r.calm == {"hours": 2, "mean": 50.0} and r.variable == {"hours": 1, "mean": 50.0}
    assert sum(x["hours"] for x in r.rows if x["speed_from"] is None) == 3


def test_empty_sectors_report_zero_hours_and_no_statistics():
    r = _rose([10], [90], ["direction"], [3])
    west = _row(r, 9)
    assert west["hours"] == 0 and west["mean"] is None and west["cpf"] is None and west["p50"] is None


def test_cpf_is_the_share_of_sector_hours_above_the_overall_percentile():
    # 8 hours: 4 from the south with high values, 4 from the north with low ones; 75th percentile = 42.5
    vals = [1, 2, 3, 4, 30, 40, 50, 60]
    dirs = [0, 0, 0, 0, 180, 180, 180, 180]
    r = _rose(vals, dirs, ["direction"] * 8, [3] * 8, percentile=75)
    assert r.threshold == pytest.approx(np.percentile(vals, 75))
    assert _row(r, 6)["cpf"] == 0.5 and _row(r, 0)["cpf"] == 0.0
    assert _row(r, 6)["p50"] == 45.0


def test_speed_bins_split_each_sector_and_the_last_is_open():
    r = _rose([1, 2, 3], [180, 180, 180], ["direction"] * 3, [1, 5, 15], edges=(0, 4, 10))
    assert [(x["speed_from"], x["speed_to"], x["hours"]) for x in r.rows if x["sector"] == 6] == [
        (None, None, 3),
        (0.0, 4.0, 1),
        (4.0, 10.0, 1),
        (10.0, None, 1),
    ]


def test_bad_speed_bins_and_percentile_are_refused():
    with pytest.raises(ValueError, match="ascending"):
        roses.speed_bins([0, 4, 2])
    with pytest.raises(ValueError, match="percentile"):
        _rose([1], [1], ["direction"], [1], percentile=100)
