from datetime import UTC, datetime

from virtualkit import fleet


def test_demo_fleet_has_at_least_20_kits_in_the_ijmond_places():
    kits = fleet.load_fleet()
    assert len(kits) >= 20
    assert len({k.kit_id for k in kits}) == len(kits)
    places = {k.kit_id.split("-")[0] for k in kits}
    assert places == {"velsen", "beverwijk", "heemskerk", "wijkaanzee"}
    assert all(52.42 <= k.lat <= 52.54 and 4.53 <= k.lon <= 4.72 for k in kits)


def test_every_demo_kit_has_a_full_hourly_series_with_real_values():
    series = fleet.load_series()
    for kit in fleet.load_fleet():
        rows = series[kit.source_kit]
        assert [r[0] for r in rows] == list(range(0, fleet.SERIES_PERIOD_S, 3600))
        assert sum(r[2] is not None for r in rows) > 100  # PM2.5 measured in most hours


def test_replay_anchor_keeps_weekday_and_hour_of_the_source():
    now = datetime(2026, 11, 28, 23, 30, tzinfo=UTC).timestamp()
    anchor = fleet.replay_anchor(now)
    assert anchor <= now < anchor + fleet.SERIES_PERIOD_S
    source_moment = datetime.fromtimestamp(fleet.SERIES_START.timestamp() + (now - anchor), UTC)
    present = datetime.fromtimestamp(now, UTC)
    assert (source_moment.weekday(), source_moment.hour, source_moment.minute) == (
        present.weekday(),
        present.hour,
        present.minute,
    )


def test_interpolation_is_linear_between_hours_and_leaves_gaps_missing():
    rows = [(0, None, 10.0, 20.0, 5.0, 80.0, None), (3600, None, 20.0, None, 7.0, 90.0, None)]
    rows += [(h * 3600, None, None, None, None, None, None) for h in range(2, 336)]
    mid = fleet.interpolate(rows, 1800)
    assert mid == {"pm25": 15.0, "pm10": 20.0, "t": 6.0, "rh": 85.0}
    assert fleet.interpolate(rows, 3 * 3600 + 10) == {}
