"""Health figures for the info message: reset cause, free memory, Wi-Fi signal, queue state."""

import gc
import time

import machine

_CAUSES = (
    ("PWRON_RESET", "power-on"),
    ("HARD_RESET", "hard"),
    ("WDT_RESET", "watchdog"),
    ("DEEPSLEEP_RESET", "deep-sleep"),
    ("SOFT_RESET", "soft"),
    ("BROWNOUT_RESET", "brown-out"),
)


def reset_cause():
    """A readable name for machine.reset_cause() ('watchdog', 'power-on', ...)."""
    try:
        cause = machine.reset_cause()
    except (AttributeError, OSError):
        return "unknown"
    for const, name in _CAUSES:
        if getattr(machine, const, None) == cause:
            return name
    return "code %d" % cause


def rssi(wlan):
    """Wi-Fi signal in dBm, or None when not connected or not known."""
    try:
        if wlan is not None and wlan.isconnected():
            return wlan.status("rssi")
    except (OSError, ValueError, TypeError):
        pass
    return None


def figures(kit):
    """The health part of the info message (contract v1 allows extra keys in info)."""
    gc.collect()
    out = {
        "reset_cause": kit.reset_cause,
        "mem_free": gc.mem_free(),
        "mem_alloc": gc.mem_alloc(),
        "rssi": rssi(kit.wlan),
        "uptime_s": time.ticks_diff(time.ticks_ms(), kit.started_ms) // 1000,
        "queued": len(kit.queue),
        "dropped": kit.queue.dropped,
        "synced": 1 if kit.clock.synced else 0,
        "sensor_failures": kit.sampler.failures,
        "indoor": 1 if kit.cfg["indoor"] else 0,
    }
    if kit.sampler.failing:  # sensors that gave nothing at the last reading: the kit stays up and says so
        out["sensors_failing"] = kit.sampler.failing
    if kit.cfg["tls"] and not kit.cfg["ca_file"]:
        out["tls_unverified"] = 1  # flashed with --insecure: anyone on the path could pose as the broker
    if kit.last_cmd is not None:
        out["last_cmd"] = kit.last_cmd
    return out
