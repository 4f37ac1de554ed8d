"""The debounce and the band trigger, on arrays."""

from datetime import UTC, datetime, timedelta

import pandas as pd

from alerts.triggers import Window, band_held, band_reached, debounce
from ijlucht.alerts import Rule

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def series(pattern: str) -> tuple[pd.Series, pd.Series]:
    """'1' held, '0' not, per hour from T0; values 60 where held, 10 elsewhere."""
    index = pd.date_range(T0, periods=len(pattern), freq="h")
    held = pd.Series([c == "1" for c in pattern], index=index)
    return held, pd.Series([60.0 if c == "1" else 10.0 for c in pattern], index=index)


def test_a_run_shorter_than_the_rule_raises_nothing():
    held, values = series("0110110")
    assert debounce(held, values, hours=3, last_held=None).raised == []


def test_a_run_of_the_rules_length_raises_one_event_at_its_start():
    held, values = series("00111100")
    found = debounce(held, values, hours=3, last_held=None)
    assert [(e.start, e.raised, e.last) for e in found.raised] == [
        (T0 + timedelta(hours=2), T0 + timedelta(hours=4), T0 + timedelta(hours=5))
    ]
    assert found.last_held == T0 + timedelta(hours=5)


def test_smoke_that_comes_back_within_the_quiet_hours_is_the_same_event():
    held, values = series("111" + "0" * 11 + "111" + "0" * 13 + "111")
    found = debounce(held, values, hours=2, last_held=None, quiet_hours=12)
    # the second run starts 12 h after the first ended: the same event; the third after 14 h: a new one
    assert [e.start for e in found.raised] == [T0, T0 + timedelta(hours=30)]
    assert found.raised[0].last == T0 + timedelta(hours=16)


def test_reading_hours_again_changes_nothing_and_pieces_equal_the_whole():
    held, values = series("0011110000111000000000000001111")
    whole = debounce(held, values, hours=2, last_held=None, quiet_hours=6)
    state, starts = None, []
    for cut in range(0, len(held), 5):  # cycles of 5 h, each looking back 4 h (late data)
        piece = slice(max(0, cut - 4), cut + 5)
        found = debounce(held.iloc[piece], values.iloc[piece], hours=2, last_held=state, quiet_hours=6)
        starts += [e.start for e in found.raised]
        state = found.last_held
    assert starts == [e.start for e in whole.raised] and len(starts) == 2  # the second run is within 6 h
    again = debounce(held, values, hours=2, last_held=whole.last_held, quiet_hours=6)
    assert again.raised == [] and again.last_held == whole.last_held


def test_an_event_from_an_earlier_cycle_is_extended_with_its_peak():
    held, values = series("0111")
    found = debounce(held, values * 2, hours=2, last_held=T0 - timedelta(hours=3), quiet_hours=6)
    assert found.raised == [] and found.continued == (T0 + timedelta(hours=3), 120.0)


def test_band_reached_follows_the_scale_bounds():
    values = pd.Series([50.0, 50.1, None, 90.0, 140.1])
    # EAQI 2024 PM2.5: "poor" (band 4) is above 50 (50 itself is still "moderate"); band 6 above 140
    assert band_reached("pm25", "eaqi-2024", 4, values).tolist() == [False, True, False, True, True]
    assert band_reached("pm25", "eaqi-2024", 6, values).tolist() == [False, False, False, False, True]


def test_an_area_takes_the_median_of_its_outdoor_places_so_one_smoky_sensor_cannot_alert_it():
    hours = pd.date_range(T0, periods=3, freq="h")
    rows = []
    for h in hours:
        rows += [
            ("kit:a", h, "pm25", 300.0, "GM0375", "WK037501", False),  # a broken sensor
            ("kit:b", h, "pm25", 10.0, "GM0375", "WK037501", False),
            ("station:NL49570", h, "pm25", 12.0, "GM0375", "WK037502", False),
            ("kit:c", h, "pm25", 900.0, "GM0375", "WK037502", True),  # indoors: not the area's air
        ]
    frame = pd.DataFrame(rows, columns=["place", "hour", "quantity", "value", "municipality", "district", "indoor"])
    window = Window(T0, T0 + timedelta(hours=3), frame)
    rule = Rule("band", "pm25", "eaqi-2024", 4, 2)
    assert window.target_values("area:GM0375", "pm25").tolist() == [12.0, 12.0, 12.0]
    assert not band_held(rule, "area:GM0375", window).any()
    assert band_held(rule, "kit:a", window).all()  # the kit itself did reach it
