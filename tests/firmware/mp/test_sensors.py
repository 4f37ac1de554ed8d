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


def test_every_driver_name_is_registered():
    for name in ("pms5003", "pms5003t", "sds011", "sps30", "sps30_i2c", "sht3x", "sht4x", "bme280", "replay"):
        assert name in sensors.FACTORIES, name


def test_uart_sensor_is_created_on_the_configured_uart():
    readers = sensors.create({"sensors": ["pms5003"], "uart_id": 1, "uart_tx": 4, "uart_rx": 5}, Clock())
    assert readers[0].name == "pms5003" and readers[0].uart.id == 1 and readers[0].uart.baudrate == 9600
    assert readers[0].uart.written  # the mode command went out


def test_absent_i2c_sensor_does_not_stop_the_kit_and_fails_each_read():
    readers = sensors.create({"sensors": ["bme280", "sht3x"]}, Clock())
    assert [r.name for r in readers] == ["bme280", "sht3x"]
    exc = mptest.raises(OSError, readers[0].read)
    assert "bme280 not set up" in str(exc)
    values, failures = sensors.read_all(readers)
    assert values == {} and failures == 2


mptest.run(globals())
