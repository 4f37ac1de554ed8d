"""Sensor registry: the config's sensor names -> reader objects with read() -> {key: value}.

Buses come from config keys (defaults in kit/config.py FIELDS, the wiring of docs/build/): uart_id,
uart_tx, uart_rx for the UART particle sensor; i2c_id, i2c_scl, i2c_sda for the I2C sensors (shared).
"replay" replays a recorded series; its module replay_sensor exists only on the virtual kit (virtualkit/board).
This module is the one list of sensor names: the config check, the set-up form, the flash tool and the build
guide's test read it.
"""

# Connection and supply of each sensor this firmware drives (docs/build/ wires them so).
UART = ("pms5003", "pms5003t", "sds011", "sps30")
I2C = ("sps30_i2c", "sht3x", "sht4x", "bme280")
HARDWARE = UART + I2C
PARTICLE = ("pms5003", "pms5003t", "sds011", "sps30", "sps30_i2c")  # one per kit: they give the same keys
SUPPLY_5V = PARTICLE  # their fans need 5 V; the rest take 3.3 V
SHT = ("sht3x", "sht4x")  # both answer at sht_addr: one per kit


def _pin(cfg, key):
    from kit import config

    value = cfg.get(key)
    return config.default(key) if value is None else value


def _uart(cfg, baudrate):
    import machine

    return machine.UART(
        _pin(cfg, "uart_id"),
        baudrate=baudrate,
        tx=_pin(cfg, "uart_tx"),
        rx=_pin(cfg, "uart_rx"),
        timeout=100,
        timeout_char=20,
    )


def _i2c(cfg, shared={}):  # noqa: B006 - one bus object shared by every I2C sensor
    if "bus" not in shared:
        import machine

        shared["bus"] = machine.I2C(
            _pin(cfg, "i2c_id"), scl=machine.Pin(_pin(cfg, "i2c_scl")), sda=machine.Pin(_pin(cfg, "i2c_sda"))
        )
    return shared["bus"]


def _replay(cfg, clock):
    import replay_sensor

    return replay_sensor.ReplaySensor(cfg, clock.now)


def _pms(variant):
    def make(cfg, clock):
        from kit.drivers import pms5003

        return pms5003.PMS5003(_uart(cfg, 9600), variant)

    return make


def _sds011(cfg, clock):
    from kit.drivers import sds011

    return sds011.SDS011(_uart(cfg, 9600))


def _sps30(cfg, clock):
    from kit.drivers import sps30

    return sps30.SPS30UART(_uart(cfg, 115200))


def _sps30_i2c(cfg, clock):
    from kit.drivers import sps30

    return sps30.SPS30I2C(_i2c(cfg))


def _sht(model):
    def make(cfg, clock):
        from kit.drivers import sht

        return sht.SHT(_i2c(cfg), model, _pin(cfg, "sht_addr"))

    return make


def _bme280(cfg, clock):
    from kit.drivers import bme280

    return bme280.BME280(_i2c(cfg), _pin(cfg, "bme280_addr"))


FACTORIES = {
    "replay": _replay,
    "pms5003": _pms("pms5003"),
    "pms5003t": _pms("pms5003t"),
    "sds011": _sds011,
    "sps30": _sps30,
    "sps30_i2c": _sps30_i2c,
    "sht3x": _sht("sht3x"),
    "sht4x": _sht("sht4x"),
    "bme280": _bme280,
}


class Absent:
    """A sensor that did not answer at start-up: read() tries to set it up again, then forwards to it.

    A loose cable must cost the readings of that one sensor, not a crash loop of the whole kit.
    """

    laser = False
    multi_sample = False
    warmup_s = 0

    def __init__(self, name, factory, cfg, clock):
        self.name = name
        self._make = (factory, cfg, clock)
        self.sensor = None

    def read(self):
        if self.sensor is None:
            factory, cfg, clock = self._make
            try:
                self.sensor = factory(cfg, clock)
            except OSError as exc:
                raise OSError("%s not set up: %s" % (self.name, exc))
            self.laser = getattr(self.sensor, "laser", False)
            self.warmup_s = getattr(self.sensor, "warmup_s", 0)
            self.multi_sample = getattr(self.sensor, "multi_sample", True)
        return self.sensor.read()

    def sleep(self):
        if self.sensor is not None:
            self.sensor.sleep()

    def wake(self):
        if self.sensor is not None:
            self.sensor.wake()


def create(cfg, clock):
    """One reader per name in cfg["sensors"]; ValueError for a name this firmware does not know."""
    readers = []
    for name in cfg["sensors"]:
        factory = FACTORIES.get(name)
        if factory is None:
            known = ", ".join(sorted(FACTORIES))
            raise ValueError("unknown sensor '%s' in config (this firmware knows: %s)" % (name, known))
        try:
            reader = factory(cfg, clock)
            reader.name = name  # for the failure report in info
        except OSError as exc:
            print("sensor %s not found at start-up: %s" % (name, exc))
            reader = Absent(name, factory, cfg, clock)
        readers.append(reader)
    return readers


def read_all(readers):
    """Merge one reading of every sensor; a sensor that fails is skipped and counted in `failures`."""
    values = {}
    failures = 0
    for reader in readers:
        try:
            values.update(reader.read())
        except (OSError, ValueError) as exc:
            failures += 1
            print("sensor %s failed: %s" % (getattr(reader, "name", reader), exc))
    return values, failures
