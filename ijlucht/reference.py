"""Units of reference and weather values, one place for the API, exports and the dashboard.

Luchtmeetnet gives every component as a mass concentration in µg/m³ (CO included), per its open API
(https://api-docs.luchtmeetnet.nl/, `/measurements`: "value" in µg/m³). KNMI uurgegevens give wind from (degrees),
wind speed (stored in m/s), temperature (°C) and relative humidity (%), see docs/science.md.
"""

import math
from typing import Any

MASS_CONCENTRATION = {"unit": "µg/m³", "ucum": "ug/m3"}

WEATHER_UNITS = {
    "wind_from": {"unit": "°", "ucum": "deg"},
    "wind_speed": {"unit": "m/s", "ucum": "m/s"},
    "temperature": {"unit": "°C", "ucum": "Cel"},
    "humidity": {"unit": "%", "ucum": "%"},
}

# Reference component (Luchtmeetnet formula) of each platform quantity a kit and a station both measure.
COMPONENT_OF_QUANTITY = {"pm25": "PM25", "pm10": "PM10"}

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), for great-circle distances


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def nearest_station(lat: float | None, lon: float | None, stations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The nearest located station to a position ({station_id, name, components, distance_m}), or None.

    Distances are whole metres: a public kit position is moved 40-100 m anyway (ijlucht/privacy.py)."""
    if lat is None or lon is None:
        return None
    located = [s for s in stations if s["lat"] is not None and s["lon"] is not None]
    if not located:
        return None
    best = min(located, key=lambda s: (distance_m(lat, lon, s["lat"], s["lon"]), s["station_id"]))
    return {
        "station_id": best["station_id"],
        "name": best["name"],
        "components": best["components"],
        "distance_m": round(distance_m(lat, lon, best["lat"], best["lon"])),
    }
