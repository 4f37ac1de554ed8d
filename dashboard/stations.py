"""Official reference stations on the map (pure): their markers from /v1/stations and the hover text.

A station is drawn as a target — dark ring, white ring, dark centre — so it differs from a kit (a disc in its band
colour) by shape, not only colour; circles only, as the map needs no font glyphs (dashboard/map_figure.py).
"""

from dataclasses import dataclass
from typing import Any

from dashboard.i18n import format_hour, format_number, text

SHOWN = (("PM25", "PM2.5"), ("PM10", "PM10"))  # the components a station's hover gives (Luchtmeetnet formulas)


@dataclass(frozen=True)
class StationMarker:
    station_id: str
    name: str
    lat: float
    lon: float
    latest: dict[str, dict[str, Any]]  # component → {time (start of the hour), value as stored, unit}


def station_markers(collection: dict[str, Any]) -> list[StationMarker]:
    """The located stations of a /v1/stations FeatureCollection."""
    out = []
    for f in collection.get("features", []):
        geometry = f.get("geometry")
        if not geometry:
            continue
        props = f["properties"]
        lon, lat = geometry["coordinates"][:2]
        out.append(StationMarker(props["station_id"], props["name"], lat, lon, props.get("latest", {})))
    return out


def hover_text(marker: StationMarker, language: str) -> str:
    lines = [text("station_hover", language, name=marker.name, code=marker.station_id)]
    for component, label in SHOWN:
        got = marker.latest.get(component)
        if got:
            hour = format_hour(got["time"], language)
            lines.append(f"{label}: {format_number(got['value'], language)} {got['unit']} ({hour})")
    if len(lines) == 1:
        lines.append(text("station_no_value", language))
    return "<br>".join(lines)
