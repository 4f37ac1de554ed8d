"""What the search finds besides kits and CBS areas: places (the villages and towns residents name, below or across
district level, data/geo/ijmond_places.csv) and reference stations. Pure parsers over the shipped files.

Reference stations: the map draws the Luchtmeetnet stations (from /v1/stations, dashboard/stations.py), and the
search finds the located ones of data/geo/ijmond_stations.geojson (`REFERENCE_STATIONS`, the stations the sync keeps
current and the demo imports) as "station: <name> (<code>)".
"""

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from ijlucht.geo import GEO_DIR

PLACES_FILE = GEO_DIR / "ijmond_places.csv"
STATIONS_FILE = GEO_DIR / "ijmond_stations.geojson"
PLACE_ZOOM = 14.0
STATION_ZOOM = 15.0


@dataclass(frozen=True)
class Place:
    name: str
    municipality: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Station:
    code: str  # NL49551
    name: str
    network: str  # "luchtmeetnet"
    lat: float
    lon: float


def places_from_csv(text: str) -> tuple[Place, ...]:
    """Places from CSV text with the columns name, municipality, lat, lon."""
    return tuple(
        Place(row["name"], row["municipality"], float(row["lat"]), float(row["lon"]))
        for row in csv.DictReader(io.StringIO(text))
    )


@cache
def load_places() -> tuple[Place, ...]:
    return places_from_csv(PLACES_FILE.read_text(encoding="utf-8"))


def stations_from_geojson(doc: dict[str, Any], network: str = "luchtmeetnet") -> tuple[Station, ...]:
    """The stations of `network` that have a position, from a GeoJSON FeatureCollection (properties code, name,
    network; Point geometry)."""
    stations = []
    for feature in doc.get("features", []):
        p, geometry = feature.get("properties") or {}, feature.get("geometry") or {}
        if p.get("network") != network or geometry.get("type") != "Point":
            continue
        lon, lat = geometry["coordinates"][:2]
        stations.append(Station(str(p["code"]), str(p["name"]), network, float(lat), float(lon)))
    return tuple(stations)


def load_stations() -> tuple[Station, ...]:
    return stations_from_geojson(json.loads(STATIONS_FILE.read_text(encoding="utf-8")))


# The reference stations the search lists (see the module docstring).
REFERENCE_STATIONS: tuple[Station, ...] = load_stations()
