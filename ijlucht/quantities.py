"""The catalogue of measured quantities: contract key, unit, labels and physically valid range.

One place for these facts; ingest validates against it, the API and dashboard label with it, the firmware
carries a copy of the keys. Ranges follow ../docs/quality.md (physical limits of the sensors and of the air,
not thresholds of concern).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    key: str  # key in contract v1 readings and column name in the database
    unit: str
    label_nl: str
    label_en: str
    minimum: float
    maximum: float
    decimals: int  # for display (the dashboard); the API gives values as stored
    ucum: str  # the unit in UCUM (https://ucum.org/ucum), for machines

    def in_range(self, value: float) -> bool:
        return self.minimum <= value <= self.maximum


QUANTITIES: tuple[Quantity, ...] = (
    Quantity("pm1", "µg/m³", "PM1", "PM1", 0.0, 1000.0, 1, "ug/m3"),
    Quantity("pm25", "µg/m³", "PM2,5", "PM2.5", 0.0, 1000.0, 1, "ug/m3"),
    Quantity("pm10", "µg/m³", "PM10", "PM10", 0.0, 2000.0, 1, "ug/m3"),
    Quantity("t", "°C", "temperatuur", "temperature", -40.0, 60.0, 1, "Cel"),
    Quantity("rh", "%", "luchtvochtigheid", "relative humidity", 0.0, 100.0, 1, "%"),
    Quantity("p", "hPa", "luchtdruk", "air pressure", 870.0, 1085.0, 1, "hPa"),
)

BY_KEY: dict[str, Quantity] = {q.key: q for q in QUANTITIES}
KEYS: tuple[str, ...] = tuple(q.key for q in QUANTITIES)
