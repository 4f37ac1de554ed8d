from ijlucht import quality
from ingest.history import FLATLINE_MIN_READINGS, WARM_UP_S, KitHistory

NONE = dict.fromkeys(("pm1", "pm25", "pm10", "t", "rh", "p"))


def pm(v):
    return {**NONE, "pm25": v}


def test_a_sudden_jump_is_a_spike_and_does_not_move_the_level():
    h = KitHistory()
    for i, v in enumerate([8.0, 9.0, 8.5, 9.5, 8.0, 9.0, 8.7]):
        assert h.check(i * 60, pm(v)) == 0
    assert h.check(420, pm(120.0)) & quality.SPIKE
    assert h.check(480, pm(9.0)) == 0  # back to normal: the spike did not drag the level up


def test_a_slow_rise_is_not_a_spike():
    h = KitHistory()
    flags = [h.check(i * 60, pm(5.0 + i * 2.0)) for i in range(40)]
    assert not any(f & quality.SPIKE for f in flags)


def test_small_steps_in_very_stable_air_stay_below_the_floor():
    h = KitHistory()
    for i in range(20):
        h.check(i * 60, pm(3.0))
    assert not h.check(1200, pm(8.0)) & quality.SPIKE


def test_a_value_stuck_for_an_hour_is_a_flatline():
    h = KitHistory()
    flags = [h.check(i * 600, pm(344.54)) for i in range(FLATLINE_MIN_READINGS + 2)]
    assert not flags[0] & quality.FLATLINE
    assert flags[-1] & quality.FLATLINE
    assert not h.check(10_000, pm(12.0)) & quality.FLATLINE


def test_identical_values_within_minutes_are_not_a_flatline():
    h = KitHistory()
    flags = [h.check(i * 10, pm(7.0)) for i in range(20)]  # 200 s of the same value
    assert not any(f & quality.FLATLINE for f in flags)


def test_readings_right_after_boot_are_warm_up():
    h = KitHistory(booted_at=1000.0)
    assert h.check(1000.0 + 30, pm(5.0)) & quality.WARM_UP
    assert not h.check(1000.0 + WARM_UP_S + 1, pm(5.0)) & quality.WARM_UP


def test_late_readings_are_judged_but_do_not_change_the_state():
    h = KitHistory()
    for i in range(10):
        h.check(1000 + i * 60, pm(10.0 + (i % 2)))
    assert h.check(500, pm(200.0)) & quality.SPIKE
    assert h.check(2000, pm(10.5)) == 0
