import mptest
from kit import sensors
from kit.clock import Clock


class Broken:
    name = "broken"

    def read(self):
        raise OSError(5)


class Fixed:
    name = "fixed"

    def __init__(self, values):
        self.values = values

    def read(self):
        return self.values


def test_unknown_sensor_name_fails_clearly():
    exc = mptest.raises(ValueError, sensors.create, {"sensors": ["pms9999"]}, Clock())
    assert "pms9999" in str(exc) and "replay" in str(exc)


def test_replay_name_creates_a_replay_reader():
    path = mptest.temp_path("series.csv")
    with open(path, "w") as f:
        f.write("offset_s,pm1,pm25,pm10,t,rh,p\n0,1,2,3,4,5,900\n")
    readers = sensors.create({"sensors": ["replay"], "replay_file": path}, Clock())
    assert len(readers) == 1 and readers[0].read()["p"] == 900.0


def test_read_all_merges_and_counts_failures():
    values, failures = sensors.read_all([Fixed({"pm25": 1.0}), Broken(), Fixed({"t": 2.0})])
    assert values == {"pm25": 1.0, "t": 2.0} and failures == 1


mptest.run(globals())
