"""Which municipality and district (CBS wijk) a position lies in: point-in-polygon over data/geo outlines.

Pure Python over the generalised (±100 m) CBS outlines shipped in data/geo; good enough to label a kit, not to
settle a border dispute. A position near a border may fall in neither outline of a generalised pair: then the
nearest-by-centre area within ~300 m is taken (see `locate`).
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ijlucht.settings import PROJECT_ROOT

GEO_DIR = PROJECT_ROOT / "data" / "geo"
MUNICIPALITIES_FILE = GEO_DIR / "ijmond_gemeenten_2024.geojson"
DISTRICTS_FILE = GEO_DIR / "ijmond_wijken_2024.geojson"
LEVELS = ("municipality", "district")

Ring = list[tuple[float, float]]  # (lon, lat) pairs


@dataclass(frozen=True)
class Area:
    level: str  # "municipality" or "district"
    code: str  # CBS code: GM0375, WK037500
    name: str
    parent_code: str | None  # a district's municipality code
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: outer ring, then holes
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        return any(_in_ring(lon, lat, p[0]) and not any(_in_ring(lon, lat, h) for h in p[1:]) for p in self.polygons)

    def distance_m(self, lon: float, lat: float) -> float:
        """Distance to the nearest outline vertex, metres (approximate: the outlines are generalised anyway)."""
        return min(_metres(lon, lat, x, y) for p in self.polygons for ring in p for x, y in ring)


@dataclass(frozen=True)
class Location:
    municipality_code: str | None = None
    municipality: str | None = None
    district_code: str | None = None
    district: str | None = None


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    """Even-odd ray casting."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    kx = 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * 110_574.0)


def _read(path: Path, level: str) -> tuple[Area, ...]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    areas = []
    for f in doc["features"]:
        geom = f["geometry"]
        raw = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        polygons = tuple(tuple([(float(x), float(y)) for x, y, *_ in ring] for ring in poly) for poly in raw)
        xs = [x for p in polygons for x, _ in p[0]]
        ys = [y for p in polygons for _, y in p[0]]
        props = f["properties"]
        areas.append(
            Area(
                level,
                props["statcode"],
                props["statnaam"],
                props.get("gemeente"),
                polygons,
                (min(xs), min(ys), max(xs), max(ys)),
            )
        )
    return tuple(areas)


@cache
def areas(level: str) -> tuple[Area, ...]:
    if level not in LEVELS:
        raise KeyError(f"unknown area level {level!r}; known: {', '.join(LEVELS)}")
    return _read(MUNICIPALITIES_FILE if level == "municipality" else DISTRICTS_FILE, level)


def area_names(level: str) -> dict[str, str]:
    return {a.code: a.name for a in areas(level)}


NEAR_BORDER_M = 300.0


def _find(level: str, lon: float, lat: float) -> Area | None:
    for a in areas(level):
        if a.contains(lon, lat):
            return a
    # Generalised outlines leave slivers between neighbours: take the nearest area if it is close.
    near = [(a.distance_m(lon, lat), a.code, a) for a in areas(level)]
    if near:
        d, _, a = min(near)
        if d <= NEAR_BORDER_M:
            return a
    return None


def locate(lat: float | None, lon: float | None) -> Location:
    """Municipality and district of a position; empty fields outside the outlines (or without a position)."""
    if lat is None or lon is None:
        return Location()
    m = _find("municipality", lon, lat)
    d = _find("district", lon, lat)
    if d is not None and m is not None and d.parent_code != m.code:
        d = None  # a district of the neighbouring municipality (border sliver): keep the municipality only
    if m is None and d is not None:
        m = next((a for a in areas("municipality") if a.code == d.parent_code), None)
    return Location(
        m.code if m else None,
        m.name if m else None,
        d.code if d else None,
        d.name if d else None,
    )


STATIONS_FILE = GEO_DIR / "ijmond_stations.geojson"
POSITION_SOURCES_FILE = GEO_DIR / "station_position_sources.json"


@dataclass(frozen=True)
class Station:
    code: str  # Luchtmeetnet number (NL49570) or KNMI number (225)
    name: str
    network: str  # "luchtmeetnet" or "knmi"
    lat: float | None
    lon: float | None
    position_source: str  # where lat/lon come from, or why there is none


@cache
def stations() -> dict[str, Station]:
    """Measuring stations around the IJmond from data/geo (a station without a known position has lat/lon None)."""
    doc = json.loads(STATIONS_FILE.read_text(encoding="utf-8"))
    sources = json.loads(POSITION_SOURCES_FILE.read_text(encoding="utf-8"))
    out = {}
    for f in doc["features"]:
        props, geom = f["properties"], f.get("geometry")
        code = str(props["code"])
        lon, lat = geom["coordinates"][:2] if geom else (None, None)
        source = sources[props["network"]] if geom else sources["unknown"].get(code, "position unknown")
        out[code] = Station(code, props["name"], props["network"], lat, lon, source)
    return out
