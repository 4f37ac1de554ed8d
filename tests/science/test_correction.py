"""κ-Köhler humidity correction: golden values, flags, per-reading before averaging, κ fitted on real data."""

import numpy as np
import pandas as pd
import pytest

from ijlucht.science import correction
from tests.science.colocation import beverwijk


def test_growth_factor_matches_the_formula_by_hand():
    # RH 80 %: a_w = 0.8, 1/a_w − 1 = 0.25, C = 1 + (0.35/1.65)/0.25 = 1.848485
    assert correction.growth_factor(np.array([80.0]), 0.35)[0] == pytest.approx(1.848485, rel=1e-6)
    corrected, flags = correction.correct(np.array([18.48485]), np.array([80.0]), 0.35)
    assert corrected[0] == pytest.approx(10.0, rel=1e-5)
    assert flags[0] == 0


def test_humidity_above_95_percent_is_capped_where_the_factor_diverges():
    assert correction.growth_factor(np.array([99.0]), 0.35)[0] == correction.growth_factor(np.array([95.0]), 0.35)[0]


def test_missing_or_implausible_humidity_gives_no_correction_and_a_flag_and_raw_is_untouched():
    pm = np.array([10.0, 10.0, 10.0, 10.0])
    rh = np.array([np.nan, 120.0, -3.0, 50.0])
    before = pm.copy()
    corrected, flags = correction.correct(pm, rh, 0.35)
    assert list(flags) == [
        correction.FLAG_RH_MISSING,
        correction.FLAG_RH_IMPLAUSIBLE,
        correction.FLAG_RH_IMPLAUSIBLE,
        0,
    ]
    assert np.isnan(corrected[:3]).all() and corrected[3] < 10.0
    assert (pm == before).all()


def test_correction_is_applied_to_each_reading_before_the_hourly_mean():
    # Two readings in one hour: one dry, one at 94 %. Correcting the mean would use the mean humidity (72 %).
    times = pd.DatetimeIndex(["2023-03-01T10:10Z", "2023-03-01T10:40Z"])
    pm, rh = np.array([10.0, 30.0]), np.array([50.0, 94.0])
    hourly = correction.hourly_corrected_means(times, pm, rh, 0.35)
    per_reading = np.mean(correction.correct(pm, rh, 0.35)[0])
    of_mean = correction.correct(np.array([20.0]), np.array([72.0]), 0.35)[0][0]
    assert hourly.loc[pd.Timestamp("2023-03-01T10:00Z"), "pm_corrected"] == pytest.approx(per_reading)
    assert abs(per_reading - of_mean) > 1.0
    assert hourly.index[0] == pd.Timestamp("2023-03-01T10:00Z")


def test_an_hour_with_a_reading_without_humidity_keeps_the_others_and_says_so():
    times = pd.DatetimeIndex(["2023-03-01T10:10Z", "2023-03-01T10:40Z"])
    hourly = correction.hourly_corrected_means(times, np.array([10.0, 30.0]), np.array([50.0, np.nan]), 0.35)
    row = hourly.iloc[0]
    assert (row["n"], row["n_corrected"], row["flags"]) == (2, 1, correction.FLAG_RH_MISSING)


def test_hourly_only_sources_are_corrected_on_the_mean_and_marked():
    _, _, applied_to = correction.correct_hourly_mean(np.array([10.0]), np.array([60.0]), 0.35)
    assert applied_to == "hourly-mean"


@pytest.mark.parametrize("kit", ["HLL_545", "HLL_549"])
def test_kappa_fitted_on_the_beverwijk_colocation_is_near_035_and_about_halves_the_error(kit):
    data = beverwijk(kit)
    kappa = correction.fit_kappa(data.pm, data.rh, data.ref)
    assert 0.30 <= kappa <= 0.40
    corrected, _ = correction.correct(data.pm, data.rh, kappa)
    raw_rmse = np.sqrt(np.mean((data.pm - data.ref) ** 2))
    rmse = np.sqrt(np.nanmean((corrected - data.ref) ** 2))
    assert rmse <= 0.55 * raw_rmse  # HLL_545: 9.32 → 4.71, HLL_549: 8.72 → 3.72 (docs/science.md)


def test_kappa_cannot_be_fitted_without_data():
    with pytest.raises(ValueError, match="fewer than 2 hours"):
        correction.fit_kappa(np.array([1.0]), np.array([np.nan]), np.array([1.0]))


def test_kappa_from_readings_matches_the_hourly_fit_when_each_hour_has_one_reading():
    data = beverwijk("HLL_545")
    hour = np.arange(len(data))
    assert correction.fit_kappa_readings(data.pm, data.rh, hour, data.ref.to_numpy()) == correction.fit_kappa(
        data.pm, data.rh, data.ref
    )


def test_an_hour_with_both_kinds_of_bad_humidity_carries_both_flags():
    times = pd.DatetimeIndex(["2023-03-01T10:10Z", "2023-03-01T10:40Z", "2023-03-01T11:10Z"])
    hourly = correction.hourly_corrected_means(times, np.array([1.0, 2.0, 3.0]), np.array([np.nan, 120.0, 50.0]), 0.35)
    assert list(hourly["flags"]) == [correction.FLAG_RH_MISSING | correction.FLAG_RH_IMPLAUSIBLE, 0]
    assert np.isnan(hourly["pm_corrected"].iloc[0]) and hourly["n_corrected"].iloc[0] == 0
