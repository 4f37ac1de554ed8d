"""Sensor registry: the config's sensor names -> reader objects with read() -> {key: value}.

Buses come from config keys (defaults: the ESP32 pins in firmware/README.md): uart_id 2, uart_tx 17,
uart_rx 16 for the UART particle sensor; i2c_id 0, i2c_scl 18, i2c_sda 19 for the I2C sensors (shared).
"replay" replays a recorded series; its module replay_sensor exists only on the virtual kit (virtualkit/board).
"""


def _uart(cfg, baudrate):
    import machine

    return machine.UART(
        cfg.get("uart_id", 2),
        baudrate=baudrate,
        tx=cfg.get("uart_tx", 17),
        rx=cfg.get("uart_rx", 16),
        timeout=100,
        timeout_char=20,
    )


def _i2c(cfg, shared={}):  # noqa: B006 - one bus object shared by every I2C sensor
    if "bus" not in shared:
        import machine

        shared["bus"] = machine.I2C(
            cfg.get("i2c_id", 0), scl=machine.Pin(cfg.get("i2c_scl", 18)), sda=machine.Pin(cfg.get("i2c_sda", 19))
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

        return sht.SHT(_i2c(cfg), model, cfg.get("sht_addr", sht.ADDR))

    return make


def _bme280(cfg, clock):
    from kit.drivers import bme280

    return bme280.BME280(_i2c(cfg), cfg.get("bme280_addr", bme280.ADDR))


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
            readers.append(factory(cfg, clock))
        except OSError as exc:
            print("sensor %s not found at start-up: %s" % (name, exc))
            readers.append(Absent(name, factory, cfg, clock))
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
