"""Downwind increment with a day bootstrap, and the regional background, on hand-made hours."""

import numpy as np
import pytest

from ijlucht.science import background, exposure


def _hours(days=30, down_extra=5.0, seed=1):
    rng = np.random.default_rng(seed)
    n = days * 24
    classes = np.array(["downwind", "upwind", "crosswind", "calm"] * (n // 4))
    values = 10 + rng.normal(0, 1, n) + np.where(classes == "downwind", down_extra, 0.0)
    return values, classes, np.full(n, 5.0), np.repeat(np.arange(days), 24)


def test_a_clear_downwind_excess_gives_an_interval_that_excludes_zero():
    v, c, s, day = _hours()
    row = exposure.exposure_rows(v, c, s, day, 30)[0]
    assert row["speed_from"] is None and row["downwind_hours"] == 180 and row["calm_hours"] == 180
    assert row["increment"] == pytest.approx(5.0, abs=0.3)
    assert 0 < row["increment_low"] < row["increment"] < row["increment_high"]


def test_no_excess_gives_an_interval_around_zero():
    v, c, s, day = _hours(down_extra=0.0)
    row = exposure.exposure_rows(v, c, s, day, 30)[0]
    assert row["increment_low"] < 0 < row["increment_high"]


def test_the_interval_is_the_same_on_every_call():
    v, c, s, day = _hours()
    assert exposure.exposure_rows(v, c, s, day, 30) == exposure.exposure_rows(v, c, s, day, 30)


def test_no_downwind_hours_gives_no_increment():
    v, c, s, day = _hours()
    c = np.where(c == "downwind", "upwind", c)
    row = exposure.exposure_rows(v, c, s, day, 30)[0]
    assert row["downwind_hours"] == 0 and row["increment"] is None and row["increment_low"] is None


def test_missing_wind_and_missing_values_are_left_out():
    v = np.array([20.0, 10.0, 99.0, np.nan])
    c = np.array(["downwind", "upwind", "missing", "downwind"])
    inc = exposure.increments(exposure.daily_sums(v, c, np.zeros(4, int), 1))
    assert inc["increment"][0] == 10.0 and inc["downwind_hours"][0] == 1


def test_day_bootstrap_is_wider_than_an_hour_bootstrap_would_be_for_correlated_hours():
    # Each day's hours share one day-level offset: the day bootstrap must see the day-to-day spread.
    rng = np.random.default_rng(3)
    days = 40
    offsets = np.repeat(rng.normal(0, 5, days), 24)
    c = np.tile(np.array(["downwind", "upwind"] * 12), days)
    v = 10 + offsets + rng.normal(0, 0.1, days * 24)
    row = exposure.exposure_rows(v, c, np.full(v.size, 5.0), np.repeat(np.arange(days), 24), days)[0]
    assert row["increment_high"] - row["increment_low"] < 1.0  # downwind and upwind hours share the days
    c2 = np.repeat(np.where(np.arange(days) % 2 == 0, "downwind", "upwind"), 24)
    row2 = exposure.exposure_rows(v, c2, np.full(v.size, 5.0), np.repeat(np.arange(days), 24), days)[0]
    assert row2["increment_high"] - row2["increment_low"] > 3.0  # whole days downwind: the days' spread counts


def test_regional_background_is_the_median_of_places_not_downwind():
    vals = np.array([[10.0, 20.0, 90.0], [10.0, np.nan, 30.0], [5.0, 5.0, 5.0]])
    down = np.array([[False, False, True], [True, False, False], [True, True, True]])
    out = background.regional_background(vals, down)
    assert out[0] == 15.0 and out[1] == 30.0 and np.isnan(out[2])


def test_three_central_order_statistics_give_every_place_the_median_of_the_others():
    rng = np.random.default_rng(5)
    vals = rng.normal(10, 3, (200, 7))
    vals[rng.random(vals.shape) < 0.2] = np.nan
    down = rng.random(vals.shape) < 0.3
    vals[:, 3] = vals[:, 2]  # ties
    usable = np.where(down, np.nan, vals)
    m, s3 = background.central_order_stats(usable)
    for j in range(vals.shape[1]):
        others = [k for k in range(vals.shape[1]) if k != j]
        slow = background.regional_background(vals[:, others], down[:, others])
        np.testing.assert_allclose(background.background_from_stats(m, s3, usable[:, j]), slow, equal_nan=True)
    # a place outside the set (its own value not usable) gets the median of all usable values
    np.testing.assert_allclose(
        background.background_from_stats(m, s3, np.full(200, np.nan)),
        background.regional_background(vals, down),
        equal_nan=True,
    )
