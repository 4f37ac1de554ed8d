"""Sensor registry: turn the config's sensor names into reader objects with read() -> {quantity: value}.

Real drivers (pms5003, bme280, ...) come later. "replay" replays a recorded series; its module
replay_sensor exists only on the virtual kit's path (virtualkit/board).
"""


def _replay(cfg, clock):
    import replay_sensor

    return replay_sensor.ReplaySensor(cfg, clock.now)


FACTORIES = {"replay": _replay}


def create(cfg, clock):
    """One reader per name in cfg["sensors"]; ValueError for a name this firmware does not know."""
    readers = []
    for name in cfg["sensors"]:
        factory = FACTORIES.get(name)
        if factory is None:
            known = ", ".join(sorted(FACTORIES))
            raise ValueError("unknown sensor '%s' in config (this firmware knows: %s)" % (name, known))
        readers.append(factory(cfg, clock))
    return readers


def read_all(readers):
    """Merge the readings of all sensors; a sensor that fails is skipped and counted in `failures`."""
    values = {}
    failures = 0
    for reader in readers:
        try:
            values.update(reader.read())
        except (OSError, ValueError) as exc:
            failures += 1
            print("sensor %s failed: %s" % (getattr(reader, "name", reader), exc))
    return values, failures
