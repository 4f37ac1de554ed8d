"""The municipality and district outlines as GeoJSON for drawing (CBS / Kadaster, CC BY 4.0), read once. Which
area a point lies in is the core's answer (ijlucht.geo), and the API's: the dashboard does not work it out."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ijlucht.geo import DISTRICTS_FILE, MUNICIPALITIES_FILE


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
