"""Known pollution sources (emitters) from data/sources/*.geojson: facts as data, not code.

Each feature is one emitter: `properties.id`, `name`, `centre {lat, lon}` and the notes saying where the outline
and the centre come from; the geometry is its outline (a Polygon). The geometry is pure (ijlucht/science/direction.py).
"""

import json
from functools import cache
from pathlib import Path

from ijlucht.science.direction import Emitter
from ijlucht.settings import PROJECT_ROOT

SOURCES_DIR = PROJECT_ROOT / "data" / "sources"


class UnknownEmitter(KeyError):
    def __init__(self, emitter_id: str, known: list[str]):
        super().__init__(f"unknown emitter {emitter_id!r}; known: {', '.join(known) or 'none'}")
        self.emitter_id = emitter_id


def _read(path: Path) -> list[tuple[Emitter, dict]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for f in doc["features"]:
        props, geom = f["properties"], f["geometry"]
        if geom["type"] != "Polygon":
            raise ValueError(f"{path.name}: emitter {props.get('id')!r} needs a Polygon outline, not {geom['type']}")
        ring = tuple((float(x), float(y)) for x, y, *_ in geom["coordinates"][0])
        note = f"Centre: {props['centre_source']} Outline: {props['outline_source']}"
        centre = props["centre"]
        out.append((Emitter(props["id"], props["name"], float(centre["lat"]), float(centre["lon"]), ring, note), geom))
    return out


@cache
def _load() -> dict[str, tuple[Emitter, dict]]:
    found: dict[str, tuple[Emitter, dict]] = {}
    for path in sorted(SOURCES_DIR.glob("*.geojson")):
        for e, geom in _read(path):
            if e.id in found:
                raise ValueError(f"emitter id {e.id!r} appears twice in data/sources")
            found[e.id] = (e, geom)
    return found


def emitters() -> dict[str, Emitter]:
    """Every known emitter by id, in file order."""
    return {k: v[0] for k, v in _load().items()}


def get_emitter(emitter_id: str) -> Emitter:
    try:
        return _load()[emitter_id][0]
    except KeyError:
        raise UnknownEmitter(emitter_id, list(_load())) from None


def outline_geometry(emitter_id: str) -> dict:
    """The emitter's outline as the GeoJSON geometry shipped in data/sources."""
    return _load()[emitter_id][1]
