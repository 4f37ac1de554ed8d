"""Load and validate the kit's /config.json; defaults applied, one clear ValueError per problem."""

import json

from kit import contract, sensors

# (key, kind, default), checked in this order (a tuple: MicroPython dicts keep no order).
# A default of REQUIRED means the key must be present.
REQUIRED = object()
FIELDS = (
    ("kit_id", "str", REQUIRED),
    ("mqtt_host", "str", REQUIRED),
    ("mqtt_port", "int", None),  # None: 8883 with TLS, 1883 without
    ("mqtt_user", "str", None),  # None: the kit id, as the broker's ACL expects
    ("mqtt_password", "str", REQUIRED),
    ("interval", "int", 60),
    ("wifi_ssid", "str", REQUIRED),
    ("wifi_password", "str", ""),
    ("sensors", "list", REQUIRED),
    ("tls", "bool", False),
    ("ca_file", "str", None),  # with TLS: verify the broker's certificate against this CA (PEM or DER)
    ("keepalive", "int", 60),
    ("batch_max", "int", 60),
    ("backlog_max", "int", 1440),  # readings kept while offline: a day at the default interval
    ("ntp_host", "str", "pool.ntp.org"),
    ("samples", "int", 5),  # samples per reading, merged by their median (fewer when the interval is short)
    ("sample_gap_ms", "int", 1000),
    ("duty_cycle", "bool", True),  # laser sensors sleep between readings when the interval leaves room
    ("indoor", "bool", False),  # sited indoors: sent in info, so the platform keeps it off the outdoor map
    # Buses and addresses: the ESP32 DevKit wiring of docs/build/ (a test checks the guide names these pins).
    ("uart_id", "int", 2),
    ("uart_tx", "int", 17),
    ("uart_rx", "int", 16),
    ("i2c_id", "int", 0),
    ("i2c_scl", "int", 18),
    ("i2c_sda", "int", 19),
    ("sht_addr", "int", 0x44),
    ("bme280_addr", "int", 0x76),
)

# Inclusive bounds for the integer fields.
BOUNDS = {
    "mqtt_port": (1, 65535),
    "interval": (1, 86400),
    "keepalive": (10, 65535),
    "batch_max": (1, contract.MAX_READINGS_PER_MESSAGE),
    "backlog_max": (1, 100000),
    "samples": (1, 60),
    "sample_gap_ms": (100, 60000),
    "uart_id": (1, 2),  # UART0 is the USB console
    "uart_tx": (0, 33),  # GPIO 34-39 are input-only on the ESP32
    "uart_rx": (0, 39),
    "i2c_id": (0, 1),
    "i2c_scl": (0, 33),
    "i2c_sda": (0, 33),
    "sht_addr": (0x44, 0x45),
    "bme280_addr": (0x76, 0x77),
}


def default(key):
    """The default of a field (None when it has none)."""
    for name, _, value in FIELDS:
        if name == key:
            return None if value is REQUIRED else value
    return None


def _is_kind(value, kind):
    # bool is not an int here (it is in CPython, not in MicroPython): check it first, the same on both.
    if kind == "bool":
        return value is True or value is False
    if kind == "int":
        return isinstance(value, int) and value is not True and value is not False
    if kind == "str":
        return isinstance(value, str)
    return isinstance(value, list)


def validate(raw):
    """A new dict with defaults applied; ValueError naming the field when something is missing or wrong.

    Keys not listed in FIELDS are kept as they are (sensor options such as replay_file).
    """
    if not isinstance(raw, dict):
        raise ValueError("config: expected a JSON object")
    cfg = dict(raw)
    for key, kind, default in FIELDS:
        value = cfg.get(key)
        if value is None:
            if default is REQUIRED:
                raise ValueError("config: missing required field '%s'" % key)
            cfg[key] = default
            continue
        if not _is_kind(value, kind):
            raise ValueError("config: field '%s' must be of type %s, got %r" % (key, kind, value))
        if key in BOUNDS:
            low, high = BOUNDS[key]
            if not low <= value <= high:
                raise ValueError("config: field '%s' must be between %d and %d, got %d" % (key, low, high, value))
    if not contract.is_valid_kit_id(cfg["kit_id"]):
        raise ValueError("config: field 'kit_id' must be 3-32 of a-z 0-9 '-', got %r" % cfg["kit_id"])
    if cfg["mqtt_user"] is None:
        cfg["mqtt_user"] = cfg["kit_id"]
    elif cfg["mqtt_user"] != cfg["kit_id"]:
        raise ValueError("config: field 'mqtt_user' must equal kit_id (the broker ACL is per kit id)")
    if cfg["mqtt_port"] is None:
        cfg["mqtt_port"] = 8883 if cfg["tls"] else 1883
    if not cfg["mqtt_host"] or not cfg["mqtt_password"] or not cfg["wifi_ssid"]:
        raise ValueError("config: fields 'mqtt_host', 'mqtt_password' and 'wifi_ssid' must not be empty")
    host = cfg["mqtt_host"]
    if len(host) > 253 or any(c in host for c in " /\t\r\n"):
        raise ValueError("config: field 'mqtt_host' must be a host name or address (no spaces or '/'), got %r" % host)
    if len(cfg["wifi_ssid"].encode()) > 32:
        raise ValueError("config: field 'wifi_ssid' is longer than Wi-Fi allows (32 bytes)")
    sensors = cfg["sensors"]
    if not sensors:
        raise ValueError("config: field 'sensors' must name at least one sensor")
    check_sensors(sensors)
    return cfg


def check_sensors(names, hardware_only=False):
    """ValueError naming the problem unless `names` are known sensors (kit.sensors: the drivers' own list),
    each once, with at most one on the UART; hardware_only also refuses the virtual kit's replay sensor."""
    known = sensors.HARDWARE if hardware_only else tuple(sensors.FACTORIES)
    for name in names:
        if not isinstance(name, str) or name not in known:
            raise ValueError(
                "config: unknown sensor %r in 'sensors'; this firmware supports: %s"
                % (name, ", ".join(sorted(sensors.HARDWARE)))
            )
        if names.count(name) > 1:
            raise ValueError("config: sensor '%s' is named twice in 'sensors'" % name)
    for group, why in (
        (sensors.PARTICLE, "particle sensors: a kit has one (the UART ones would share one UART)"),
        (sensors.SHT, "SHT sensors at the same I2C address (sht_addr): a kit has one"),
    ):
        both = [name for name in names if name in group]
        if len(both) > 1:
            raise ValueError("config: %s are both %s" % (" and ".join(both), why))


def load(path="/config.json"):
    """Read and validate the config file at `path`."""
    try:
        with open(path) as f:
            raw = json.load(f)
    except OSError as exc:
        raise ValueError("config: cannot read %s (%s)" % (path, exc))
    except ValueError as exc:
        raise ValueError("config: %s is not valid JSON (%s)" % (path, exc))
    return validate(raw)


def state_path(config_path, name):
    """A file next to the config file: '/config.json' -> '/name', 'kit/config.json' -> 'kit/name'."""
    cut = config_path.rfind("/")
    return name if cut < 0 else config_path[: cut + 1] + name
