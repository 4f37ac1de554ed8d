"""Sensor.Community (airRohr) "custom API" pushes as contract v1 readings. Pure: no I/O.

An airRohr kit POSTs JSON like
    {"esp8266id": "1234567", "software_version": "NRZ-2024-135",
     "sensordatavalues": [{"value_type": "SDS_P1", "value": "12.40"}, {"value_type": "SDS_P2", "value": "7.10"},
                          {"value_type": "BME280_temperature", "value": "9.80"}, …]}
with no timestamp (the server's receive time is the measurement time, as on Sensor.Community itself).
Value types: feinstaub `SENSOR_TYPE_CHOICES` (P0 = PM1, P1 = PM10, P2 = PM2.5), prefixed with the sensor model in
the custom-API push (airrohr-firmware `ext_def.h` / `airrohr-firmware.ino`); pressure arrives in Pa.
"""

import json
from dataclasses import dataclass

from ijlucht import contract

MAX_BODY_BYTES = 16 * 1024
MAX_VALUES = 100

# suffix after the sensor prefix -> (our quantity, factor to our unit)
_SUFFIX = {
    "P0": ("pm1", 1.0),
    "P1": ("pm10", 1.0),
    "P2": ("pm25", 1.0),
    "temperature": ("t", 1.0),
    "humidity": ("rh", 1.0),
    "pressure": ("p", 0.01),  # Pa -> hPa
}
# PM sensors in order of preference when a kit carries two; T/RH/p likewise.
_PREFERENCE = ("SPS30", "PMS", "SDS", "HPM", "NPM", "SHT3X", "BME280", "HTU21D", "SHT", "DHT", "BMP280", "BMP", "")


@dataclass(frozen=True)
class Converted:
    message: dict  # a contract v1 readings message with one reading
    ignored: list[str]  # value types we do not store (diagnostics such as signal, samples)
    firmware: str


def _split(value_type: str) -> tuple[str, str]:
    """'SDS_P1' -> ('SDS', 'P1'); 'BME280_temperature' -> ('BME280', 'temperature'); 'P1' -> ('', 'P1')."""
    prefix, _, suffix = value_type.rpartition("_")
    return prefix, suffix


def _rank(prefix: str) -> int:
    for i, p in enumerate(_PREFERENCE):
        if prefix.upper().startswith(p):
            return i
    return len(_PREFERENCE)


def convert(body: bytes, received: float) -> Converted:
    """The push as a readings message timestamped `received`; raises ValueError with the reason."""
    if len(body) > MAX_BODY_BYTES:
        raise ValueError(f"body is {len(body)} bytes, more than {MAX_BODY_BYTES}")
    try:
        push = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(f"not valid JSON: {e}") from None
    if not isinstance(push, dict) or not isinstance(push.get("sensordatavalues"), list):
        raise ValueError("expected an object with a 'sensordatavalues' list")
    items = push["sensordatavalues"]
    if len(items) > MAX_VALUES:
        raise ValueError(f"{len(items)} values, more than {MAX_VALUES}")
    chosen: dict[str, tuple[int, float]] = {}
    ignored = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("value_type"), str):
            raise ValueError("each entry of 'sensordatavalues' needs a 'value_type' string")
        vt = item["value_type"]
        prefix, suffix = _split(vt)
        if suffix not in _SUFFIX or vt.endswith("pressure_sealevel"):
            ignored.append(vt)
            continue
        try:
            value = float(item.get("value"))  # airRohr sends numbers as strings
        except (TypeError, ValueError):
            raise ValueError(f"value of {vt!r} is not a number: {item.get('value')!r:.40}") from None
        quantity, factor = _SUFFIX[suffix]
        rank = _rank(prefix)
        if quantity not in chosen or rank < chosen[quantity][0]:
            chosen[quantity] = (rank, round(value * factor, 2))
    if not chosen:
        raise ValueError("no PM, temperature, humidity or pressure value in the push")
    reading = {"ts": int(received), **{q: v for q, (_, v) in chosen.items()}}
    fw = str(push.get("software_version", "airrohr"))[:40]
    return Converted({"v": contract.VERSION, "fw": fw, "readings": [reading]}, ignored, fw)
