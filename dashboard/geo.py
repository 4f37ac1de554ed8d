"""The municipality and district outlines in data/geo (CBS / Kadaster, CC BY 4.0), read once."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ijlucht.settings import PROJECT_ROOT

GEO_DIR = PROJECT_ROOT / "data" / "geo"
MUNICIPALITIES_FILE = GEO_DIR / "ijmond_gemeenten_2024.geojson"
DISTRICTS_FILE = GEO_DIR / "ijmond_wijken_2024.geojson"


@dataclass(frozen=True)
class Outlines:
    municipalities: dict[str, Any]  # GeoJSON FeatureCollection
    districts: dict[str, Any]


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"map outline file {path} is missing; data/geo/README.md says where it comes from"
        ) from exc


@cache
def load_outlines() -> Outlines:
    return Outlines(municipalities=_read(MUNICIPALITIES_FILE), districts=_read(DISTRICTS_FILE))


def _inside_ring(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Even-odd rule: does the horizontal ray from (lon, lat) cross the ring an odd number of times?"""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _inside_polygon(rings: list[list[list[float]]], lon: float, lat: float) -> bool:
    return _inside_ring(rings[0], lon, lat) and not any(_inside_ring(hole, lon, lat) for hole in rings[1:])


def area_of(collection: dict[str, Any], lon: float, lat: float) -> str | None:
    """CBS code (statcode) of the outline that holds the point, or None outside all of them."""
    for feature in collection.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        elif geometry.get("type") != "MultiPolygon":
            continue
        if any(_inside_polygon(rings, lon, lat) for rings in polygons):
            return feature["properties"]["statcode"]
    return None
