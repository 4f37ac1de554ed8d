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
