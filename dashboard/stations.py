"""Official reference stations on the map (pure): their markers from /v1/stations and the hover text.

A station is drawn as a target — dark ring, white ring, dark centre — so it differs from a kit (a disc in its band
colour) by shape, not only colour; circles only, as the map needs no font glyphs (dashboard/map_figure.py).
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import plotly.graph_objects as go

from dashboard.i18n import format_hour, format_number, local_time, text

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


STATION_COLOUR = "#263238"  # the targets' dark ring: the same station, on the map and in the chart


def nearest_of(feature: dict[str, Any], quantity: str) -> dict[str, Any] | None:
    """The kit record's nearest station (/v1/kits/{id}) when it measures `quantity` (PM2.5 or PM10), else None."""
    nearest = (feature.get("properties") or {}).get("nearest_station")
    component = dict(SHOWN_OF_QUANTITY).get(quantity)
    if not nearest or component is None or component not in nearest.get("components", []):
        return None
    return {**nearest, "component": component}


SHOWN_OF_QUANTITY = (("pm25", "PM25"), ("pm10", "PM10"))


def comparison_trace(rows: list[dict[str, Any]], nearest: dict[str, Any], language: str) -> go.Scatter:
    """The station's hourly values (drawn mid-hour, like the kit's hourly means) for the kit chart."""
    times = [local_time(r["time"]) + timedelta(minutes=30) for r in rows]
    distance = format_number(nearest["distance_m"] / 1000, language)
    return go.Scatter(
        x=times, y=[r["value"] for r in rows], mode="lines", line={"color": STATION_COLOUR, "width": 2, "dash": "dash"},
        name=text("chart_station", language, name=nearest["name"], km=distance),
        hovertemplate=f"%{{y:.1f}} {rows[0]['unit'] if rows else ''}<extra>%{{fullData.name}}</extra>",
    )  # fmt: skip


def nearest_sentence(nearest: dict[str, Any] | None, n_hours: int, language: str) -> str:
    if nearest is None:
        return text("station_none_near", language)
    distance = format_number(nearest["distance_m"] / 1000, language)
    key = "station_near" if n_hours else "station_near_no_hours"
    return text(key, language, name=nearest["name"], code=nearest["station_id"], km=distance)
