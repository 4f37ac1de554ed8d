"""Calibration on the real 2023 Beverwijk co-location: cross-validated, versioned, and honest when it cannot fit."""

import numpy as np
import pandas as pd
import pytest

from ijlucht.science import calibration
from tests.science.colocation import as_readings, beverwijk


@pytest.mark.parametrize("kit", ["HLL_545", "HLL_549"])
def test_cross_validated_rmse_is_at_most_half_the_raw_and_no_worse_than_humidity_alone(kit):
    record = calibration.calibrate(beverwijk(kit))
    assert record.valid and record.method == calibration.METHOD
    raw, humidity, cv = record.metrics["raw"], record.metrics["humidity"], record.metrics["cv"]
    assert cv["rmse"] <= raw["rmse"] / 2
    assert cv["rmse"] <= humidity["rmse"]
    assert record.n == len(beverwijk(kit)) and record.n > 4000
    assert set(record.coefficients) == {"kappa", "intercept", "slope"}
    for scores in (raw, cv):
        assert set(scores) >= {"rmse", "mae", "bias", "r2", "slope"}


def test_leave_one_month_out_never_predicts_a_month_with_a_model_that_saw_it():
    # A month whose reference is shifted by +100 cannot be predicted by the other months' model.
    data = beverwijk("HLL_549").copy()
    may = data.index.month == 5
    data.loc[may, "ref"] += 100
    predicted = calibration.leave_one_month_out(data)
    assert np.mean(np.abs(predicted[may] - data["ref"][may])) > 90


def test_leave_one_kit_out_scores_each_kit_with_the_other_kits_model():
    scores = calibration.leave_one_kit_out({"HLL_545": beverwijk("HLL_545"), "HLL_549": beverwijk("HLL_549")})
    assert set(scores) == {"HLL_545", "HLL_549"}
    for kit, s in scores.items():
        raw = calibration.metrics(beverwijk(kit)["pm"], beverwijk(kit)["ref"])
        assert s["rmse"] < raw["rmse"] / 2


def test_leave_one_kit_out_needs_two_kits():
    with pytest.raises(calibration.CalibrationError, match="at least two kits"):
        calibration.leave_one_kit_out({"HLL_545": beverwijk("HLL_545")})


def test_too_little_data_gives_an_invalid_record_with_the_reason_and_no_coefficients():
    record = calibration.calibrate(beverwijk("HLL_545").iloc[:100])
    assert not record.valid and record.coefficients is None
    assert "100 paired hours" in record.reason


def test_a_kit_without_valid_calibration_gets_null_values_with_a_reason_never_its_raw_value():
    pm, rh = np.array([12.0, 30.0]), np.array([60.0, 85.0])
    values, reason = calibration.apply(None, pm, rh)
    assert np.isnan(values).all() and reason == "no calibration for this kit"
    invalid = calibration.calibrate(beverwijk("HLL_545").iloc[:100])
    values, reason = calibration.apply(invalid, pm, rh)
    assert np.isnan(values).all() and reason.startswith("calibration not valid: 100 paired hours")


def test_a_valid_calibration_lowers_humid_readings_more_than_dry_ones():
    record = calibration.calibrate(beverwijk("HLL_549"))
    values, reason = calibration.apply(record, np.array([20.0, 20.0]), np.array([40.0, 90.0]))
    assert reason is None and values[1] < values[0]


def test_metrics_of_a_perfect_estimate():
    ref = pd.Series([1.0, 2.0, 4.0, 8.0])
    assert calibration.metrics(ref, ref) == {"n": 4, "rmse": 0.0, "mae": 0.0, "bias": 0.0, "r2": 1.0, "slope": 1.0}


def test_a_platform_kit_is_calibrated_on_its_readings_corrected_before_the_hourly_mean():
    hourly = beverwijk("HLL_549")
    record = calibration.calibrate_readings(as_readings(hourly), hourly["ref"])
    assert record.valid and record.extra["correction_applied_to"] == "reading"
    assert record.n == len(hourly)
    assert record.metrics["raw"]["rmse"] == pytest.approx(calibration.metrics(hourly["pm"], hourly["ref"])["rmse"])
    assert record.metrics["cv"]["rmse"] <= record.metrics["raw"]["rmse"] / 2
    assert record.metrics["cv"]["rmse"] <= record.metrics["humidity"]["rmse"]
    assert 0.25 <= record.coefficients["kappa"] <= 0.45


def test_a_platform_kit_with_too_few_readings_gets_no_calibration_and_the_reason():
    hourly = beverwijk("HLL_549").iloc[:50]
    record = calibration.calibrate_readings(as_readings(hourly), hourly["ref"])
    assert not record.valid and "50 paired hours" in record.reason
