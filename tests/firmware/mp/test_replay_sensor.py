import mptest
import replay_sensor

HEADER = "offset_s,pm1,pm25,pm10,t,rh,p\n"
ANCHOR = 1764355200


def series(text, name="series"):
    path = mptest.temp_path(name + ".csv")
    with open(path, "w") as f:
        f.write(text)
    return path


def sensor(text, **cfg):
    cfg["replay_file"] = series(text)
    cfg.setdefault("replay_anchor", ANCHOR)
    return replay_sensor.ReplaySensor(cfg, lambda: ANCHOR)


ROWS = HEADER + "0,1,10,20,5,80,1000\n60,3,20,,7,90,1010\n120,5,30,40,9,,1020\n"


def test_value_at_a_row_is_that_row():
    s = sensor(ROWS, replay_period=180)
    assert s.values_at(ANCHOR + 60) == {"pm1": 3.0, "pm25": 20.0, "t": 7.0, "rh": 90.0, "p": 1010.0}


def test_between_rows_values_are_interpolated_linearly():
    v = sensor(ROWS, replay_period=180).values_at(ANCHOR + 15)
    mptest.approx(v["pm1"], 1.5, 1e-4)
    mptest.approx(v["pm25"], 12.5, 1e-4)
    mptest.approx(v["p"], 1002.5, 1e-3)


def test_quantity_missing_in_the_row_before_is_left_out():
    v = sensor(ROWS, replay_period=180).values_at(ANCHOR + 90)
    assert "pm10" not in v and "t" in v


def test_quantity_missing_in_the_row_after_holds_the_last_value():
    v = sensor(ROWS, replay_period=180).values_at(ANCHOR + 30)
    assert v["pm10"] == 20.0
    mptest.approx(v["rh"], 85.0, 1e-4)
    v = sensor(ROWS, replay_period=180).values_at(ANCHOR + 90)
    assert v["rh"] == 90.0


def test_series_repeats_after_the_period_and_wraps_from_last_to_first_row():
    s = sensor(ROWS, replay_period=180)
    assert s.values_at(ANCHOR + 180 + 60) == s.values_at(ANCHOR + 60)
    v = s.values_at(ANCHOR + 150)  # halfway between row 120 and row 0 of the next period
    mptest.approx(v["pm1"], 3.0, 1e-4)
    v = s.values_at(ANCHOR - 30)  # before the anchor: the end of the previous period
    mptest.approx(v["pm1"], 3.0, 1e-4)


def test_read_uses_the_clock_given():
    s = sensor(ROWS, replay_period=180)
    assert s.read() == s.values_at(ANCHOR)


def test_default_period_continues_the_last_step():
    s = sensor(ROWS)
    assert s.period == 180


def test_bad_files_raise_clear_errors():
    exc = mptest.raises(ValueError, sensor, "offset,pm1\n0,1\n")
    assert "header" in str(exc)
    exc = mptest.raises(ValueError, sensor, HEADER + "60,1,1,1,1,1,1\n0,1,1,1,1,1,1\n")
    assert "rise" in str(exc)
    exc = mptest.raises(ValueError, sensor, HEADER + "0,1,1\n")
    assert "fields" in str(exc)
    exc = mptest.raises(ValueError, sensor, ROWS, replay_period=100)
    assert "replay_period" in str(exc)
    exc = mptest.raises(ValueError, replay_sensor.ReplaySensor, {}, lambda: 0)
    assert "replay_file" in str(exc)


mptest.run(globals())
