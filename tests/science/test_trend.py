"""Trends, weather normalisation and before/after on synthetic series with a known slope, step, season and wind
effect: each is recovered within its interval; hand-made cases for the pieces."""

import numpy as np
import pandas as pd
import pytest

from ijlucht.science import compare, deweather, trend

HOURS = pd.date_range("2021-01-01", "2023-12-31 23:00", freq="h", tz="UTC")
SOUTH_WEST = (180, 240)  # the synthetic source lies in these wind directions


def synthetic(
    seed: int,
    slope: float = -1.0,
    season: float = 4.0,
    source: float = 8.0,
    step: float = 0.0,
    southwest_share_change: float = 0.0,
    times: pd.DatetimeIndex = HOURS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(values, wind cells, wind direction, downwind) of hourly data: level 12 µg/m³, `slope` per year, a cosine
    season, `source` µg/m³ extra when the wind blows from the south-west, AR(1) noise correlated over about a day,
    wind that changes every six hours; `southwest_share_change` tilts the wind toward the south-west over time."""
    rng = np.random.default_rng(seed)
    n = times.size
    years = (times - times[0]).total_seconds().to_numpy() / (365.25 * 86400)
    blocks = n // 6 + 1
    direction = rng.integers(1, 37, blocks) * 10.0
    tilt = rng.random(blocks) < southwest_share_change * np.linspace(0, 1, blocks)
    direction[tilt] = rng.choice([190.0, 200.0, 210.0, 220.0, 230.0], tilt.sum())
    direction = np.repeat(direction, 6)[:n]
    speed = np.repeat(rng.gamma(3.0, 2.0, blocks), 6)[:n]
    cells = deweather.weather_cells(np.full(n, "direction", dtype=object), direction, speed)
    downwind = (direction >= SOUTH_WEST[0]) & (direction <= SOUTH_WEST[1])
    noise = np.zeros(n)
    shocks = rng.normal(0, 1.0, n)
    for i in range(1, n):
        noise[i] = 0.96 * noise[i - 1] + shocks[i]
    doy = times.day_of_year.to_numpy()
    values = 12 + slope * years + season * np.cos(2 * np.pi * doy / 365.25) + source * downwind + noise
    values = values + step * (times >= times[n // 2]).astype(float)
    return values, cells, direction, downwind


def run_trend(values, cells=None, times=HOURS, increments=None):
    months = trend.month_number(times)
    normal = None
    if cells is not None:
        long_run = deweather.climate(cells)
        normal = deweather.normalised(values, cells, times.hour.to_numpy(), months - months[0], long_run)
    return trend.trend(months, values, months[0], months[-1], normal, increments)


def test_theil_sen_is_the_median_pairwise_slope_and_ignores_one_wild_month():
    t = np.arange(7.0)
    y = 2.0 * t
    y[3] = 500.0
    assert trend.theil_sen(t, y) == pytest.approx(2.0)
    assert np.isnan(trend.theil_sen(np.ones(3), np.arange(3.0)))


def test_a_known_slope_under_season_and_correlated_noise_is_recovered_within_its_interval():
    values, *_ = synthetic(seed=1, slope=-1.0)
    found = run_trend(values)
    s = found.slope
    assert found.deseasonalised is not None and found.note is None
    assert s.low <= -1.0 <= s.high and s.high < 0
    assert s.per_year == pytest.approx(-1.0, abs=0.5) and s.months == 36


def test_deseasonalising_removes_a_pure_season_and_keeps_the_level():
    first = 2021 * 12
    months = np.arange(36)
    means = 10 + 5 * np.cos(2 * np.pi * months / 12)
    des, note = trend.deseasonalise(first, means)
    assert note is None
    assert np.allclose(des, 10.0)
    assert trend.slope(first, des).per_year == pytest.approx(0.0, abs=1e-9)


def test_with_less_than_two_years_there_is_no_deseasonalised_series_nor_slope_and_the_note_says_why():
    times = pd.date_range("2023-01-01", "2023-08-31 23:00", freq="h", tz="UTC")
    values, cells, *_ = synthetic(seed=2, times=times)
    found = run_trend(values, cells, times)
    assert found.deseasonalised is None and found.slope.per_year is None
    assert "at least 2 years" in found.note and "Jan" in found.note
    # what it can give: monthly means and weather-normalised means
    assert np.count_nonzero(~np.isnan(found.mean)) == 8 and np.count_nonzero(~np.isnan(found.normalised)) == 8


def test_a_month_with_too_few_hours_has_no_mean_but_keeps_its_hours():
    months = np.array([0] * 100 + [1] * 300)
    mean, hours = trend.monthly(months, np.ones(400), 0, 1)
    assert np.isnan(mean[0]) and mean[1] == 1.0 and list(hours) == [100, 300]


def test_wind_cells_centre_sector_zero_on_north_and_keep_calm_and_variable_apart():
    state = np.array(["direction"] * 5 + ["calm", "variable", None], dtype=object)
    direction = np.array([360, 10, 15, 200, 90, np.nan, np.nan, np.nan])
    speed = np.array([1.0, 2.0, 5.0, 12.0, np.nan, 0.0, 1.0, np.nan])
    cells = deweather.weather_cells(state, direction, speed)
    b = deweather.SPEED_BINS
    assert list(cells[:4]) == [0 * b + 0, 0 * b + 1, 1 * b + 2, 7 * b + 4]  # 200° lies in 195–225°
    assert list(cells[4:]) == [deweather.MISSING, deweather.CALM, deweather.VARIABLE, deweather.MISSING]


def test_the_additive_model_recovers_exact_effects_and_runs_each_month_with_long_run_weather():
    rng = np.random.default_rng(3)
    n = 24 * 60
    groups = np.repeat([0, 1], n // 2)
    cells = rng.integers(0, 4, n)
    hours = np.tile(np.arange(24), n // 24)
    alpha, beta, gamma = np.array([10.0, 6.0]), np.array([0.0, 2.0, 5.0, -1.0]), np.sin(np.arange(24) / 4.0)
    y = alpha[groups] + beta[cells] + gamma[hours]
    long_run = np.zeros(deweather.CELLS)
    long_run[:4] = [0.4, 0.3, 0.2, 0.1]
    out = deweather.normalised(y, cells, hours, groups, long_run)
    expected = alpha + long_run[:4] @ beta + gamma.mean()
    assert out[groups == 0].mean() == pytest.approx(expected[0], abs=1e-5)
    assert out[groups == 1].mean() == pytest.approx(expected[1], abs=1e-5)


def test_a_trend_made_by_the_wind_alone_is_seen_raw_and_gone_after_weather_normalisation():
    # No real change: only the wind turns toward the source over the years.
    values, cells, *_ = synthetic(seed=4, slope=0.0, southwest_share_change=0.6)
    raw = run_trend(values).slope
    normal = run_trend(values, cells).slope
    assert raw.low > 0, "the wind makes a rising raw trend"
    assert normal.low <= 0.0 <= normal.high
    assert abs(normal.per_year) < raw.per_year / 3


def test_the_downwind_increment_slope_of_an_emitter_is_recovered():
    # The source's share falls by 2 µg/m³ a year; the background stays level.
    background, _, _, downwind = synthetic(seed=5, slope=0.0, source=0.0)
    years = (HOURS - HOURS[0]).total_seconds().to_numpy() / (365.25 * 86400)
    values = background + downwind * (8.0 - 2.0 * years)
    found = run_trend(values, increments={"works": (downwind, np.ones(values.size, dtype=bool))})
    s = found.increments["works"]
    assert s.low <= -2.0 <= s.high and s.high < 0


def test_a_known_step_between_the_same_months_of_two_years_is_recovered_within_its_interval():
    times = pd.date_range("2022-01-01", "2023-12-31 23:00", freq="h", tz="UTC")
    values, *_ = synthetic(seed=6, slope=0.0, step=-3.0, times=times)
    days = compare.day_number(times)
    before = times < pd.Timestamp("2023-01-01", tz="UTC")
    d = compare.difference(days[before], values[before], days[~before], values[~before])
    assert d.low <= -3.0 <= d.high and d.high < 0
    assert d.before_days == 365 and d.after_days == 365 and d.before_hours == 8760


def test_the_weather_normalised_difference_removes_a_difference_the_wind_made():
    times = pd.date_range("2022-01-01", "2023-12-31 23:00", freq="h", tz="UTC")
    values, cells, *_ = synthetic(seed=7, slope=0.0, southwest_share_change=0.9, times=times)
    months = trend.month_number(times)
    normal = deweather.normalised(values, cells, times.hour.to_numpy(), months - months[0], deweather.climate(cells))
    days = compare.day_number(times)
    before = times < pd.Timestamp("2023-01-01", tz="UTC")
    raw = compare.difference(days[before], values[before], days[~before], values[~before])
    fair = compare.difference(days[before], normal[before], days[~before], normal[~before])
    assert raw.low > 0
    assert fair.low <= 0.0 <= fair.high


def test_too_few_days_give_means_but_no_difference():
    d = compare.difference(np.array([0, 0]), np.array([1.0, 2.0]), np.array([5, 6]), np.array([3.0, 4.0]))
    assert d.difference is None and d.before_mean == 1.5 and d.after_mean == 3.5


def test_the_slope_interval_covers_the_true_slope_in_most_synthetic_series():
    # Monthly AR(1) noise (φ = 0.5): an interval that ignored the correlation would cover far less than 95 %.
    covered = 0
    for seed in range(40):
        rng = np.random.default_rng(100 + seed)
        noise = np.zeros(36)
        for i in range(1, 36):
            noise[i] = 0.5 * noise[i - 1] + rng.normal()
        months = np.arange(36)
        des, _ = trend.deseasonalise(0, 10 - 0.8 * months / 12 + 3 * np.cos(2 * np.pi * months / 12) + noise)
        s = trend.slope(0, des)
        covered += s.low <= -0.8 <= s.high
    assert covered >= 34  # 85 %: measured 92 % over 200 series (docs/science.md)


def test_the_same_data_give_the_same_interval():
    values, *_ = synthetic(seed=8)
    assert run_trend(values).slope == run_trend(values).slope


def test_the_science_page_states_the_method_versions_and_the_constants_of_the_code():
    from ijlucht.settings import PROJECT_ROOT

    page = (PROJECT_ROOT / "docs" / "science.md").read_text(encoding="utf-8")
    for method in (trend.METHOD, deweather.METHOD, compare.METHOD):
        assert f"`{method}`" in page, method
    flat = " ".join(page.split())
    assert f"needs {trend.MIN_MONTH_HOURS} hours" in flat and f"{trend.MIN_INCREMENT_HOURS} hours on each side" in flat
    assert f"{trend.BOOTSTRAP:,} moving-block" in flat and f"{compare.BOOTSTRAP:,} bootstrap" in flat
    assert f"{deweather.SECTORS} sectors" in flat and "2–4, 4–6, 6–10, ≥ 10 m/s" in flat
    assert deweather.SPEED_EDGES == (2.0, 4.0, 6.0, 10.0) and trend.SEASON_YEARS == 2
