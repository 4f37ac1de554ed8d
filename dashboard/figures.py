"""Figure builders (pure): API responses in, plotly figures out.

The map is a MapLibre `Scattermap` on the offline "white-bg" style with the CBS / Kadaster outlines as GeoJSON
layers, so it draws without any network. Markers are circles only: text labels and other symbols would need font
glyphs from the internet.
"""

import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median
from typing import Any

import plotly.graph_objects as go

from dashboard.geo import Outlines
from dashboard.i18n import LOCAL_ZONE, format_number, format_time, language_or_default, parse_time, text
from ijlucht.bands import NO_BAND_COLOUR, Band, band_for
from ijlucht.quantities import BY_KEY

MAP_QUANTITY = "pm25"
CHART_QUANTITIES = ("pm25", "pm10")
CHART_COLOURS = {"pm25": "#1f4e9c", "pm10": "#c2600a"}  # blue and orange stay apart for colour-blind readers
WHO_PM25_24H = 15.0  # µg/m³, WHO global air quality guidelines 2021, 24-hour mean (99th percentile)

# The IJmond: lat 52.42–52.54, lon 4.53–4.72.
MAP_CENTER = {"lat": 52.48, "lon": 4.635}  # a little east of the middle: less empty sea
MAP_ZOOM = 11.0
MAP_HEIGHT = 600

RING_TRACE, KIT_TRACE = 0, 1  # order of the map's traces; callbacks patch them by index
RING_COLOUR = "#263238"
LAND_COLOUR = "#f4f1e8"
# The same in both languages: MapLibre builds its attribution box once and keeps it when the figure is redrawn.
ATTRIBUTION = "© CBS / Kadaster, CC BY 4.0"
TIME_FORMATS = {"nl": ("%H:%M\n%d-%m-%Y", "%d-%m-%Y %H:%M"), "en": ("%H:%M\n%d %b %Y", "%d %b %Y %H:%M")}


@dataclass(frozen=True)
class KitMarker:
    kit_id: str
    name: str
    lat: float
    lon: float
    value: float | None
    time: str | None  # ISO time of the value
    online: bool | None
    band: Band | None
    colour: str


def marker_colour(band: Band | None, online: bool | None) -> str:
    """The band's colour; grey when there is no band or the kit is known to be offline."""
    if band is None or online is False:
        return NO_BAND_COLOUR
    return band.colour


def kit_markers(kits: dict[str, Any], quantity: str = MAP_QUANTITY) -> list[KitMarker]:
    """One marker per kit with a location, from the /v1/kits FeatureCollection."""
    markers = []
    for feature in kits.get("features", []):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") != "Point":
            continue  # a kit without a location cannot be drawn
        lon, lat = geometry["coordinates"][:2]
        props = feature.get("properties") or {}
        latest = props.get("latest") or {}
        value = latest.get(quantity)
        band = band_for(quantity, value)
        online = props.get("online")
        kit_id = props.get("kit_id") or str(feature.get("id"))
        markers.append(
            KitMarker(
                kit_id=kit_id,
                name=props.get("name") or kit_id,
                lat=lat,
                lon=lon,
                value=value,
                time=latest.get("time"),
                online=online,
                band=band,
                colour=marker_colour(band, online),
            )
        )
    return markers


def newest_time(markers: list[KitMarker]) -> str | None:
    """ISO time of the newest value on the map, or None when no kit has one."""
    times = [m for m in markers if m.time and m.value is not None]
    return max(times, key=lambda m: parse_time(m.time)).time if times else None


def hover_text(marker: KitMarker, language: str, quantity: str = MAP_QUANTITY) -> str:
    q = BY_KEY[quantity]
    label = q.label_en if language == "en" else q.label_nl
    lines = [f"<b>{marker.name}</b> ({marker.kit_id})"]
    if marker.value is None:
        lines.append(f"{label}: {text('hover_no_value', language)}")
    else:
        band = f" — {marker.band.name(language)}" if marker.band else ""
        lines.append(f"{label}: {format_number(marker.value, language, q.decimals)} {q.unit}{band}")
    if marker.time:
        lines.append(f"{text('hover_time', language)}: {format_time(marker.time, language)}")
    if marker.online is False:
        lines.append(text("hover_offline", language))
    elif marker.online is None:
        lines.append(text("hover_online_unknown", language))
    return "<br>".join(lines)


def marker_properties(markers: list[KitMarker], language: str) -> dict[str, list]:
    """The per-kit arrays of both map traces; a Patch() of these refreshes the map without redrawing it."""
    return {
        "lat": [m.lat for m in markers],
        "lon": [m.lon for m in markers],
        "color": [m.colour for m in markers],
        "hovertext": [hover_text(m, language) for m in markers],
        "customdata": [[m.kit_id, m.name] for m in markers],  # read back from clickData
    }


def _outline_layers(outlines: Outlines) -> list[dict[str, Any]]:
    attribution = ATTRIBUTION
    return [
        # Land fill, so the coast (white sea) stays visible without tiles.
        {
            "sourcetype": "geojson",
            "source": outlines.municipalities,
            "type": "fill",
            "below": "traces",
            "color": LAND_COLOUR,
            "sourceattribution": attribution,
        },
        {
            "sourcetype": "geojson",
            "source": outlines.districts,
            "type": "line",
            "below": "traces",
            "color": "#b0aca0",
            "line": {"width": 0.6},
        },
        {
            "sourcetype": "geojson",
            "source": outlines.municipalities,
            "type": "line",
            "below": "traces",
            "color": "#55524a",
            "line": {"width": 1.6},
        },
    ]


def map_figure(kits: dict[str, Any], language: str, outlines: Outlines, style: str = "white-bg") -> go.Figure:
    """Kits as circles coloured by the PM2.5 band of their latest value, over the IJmond outlines."""
    markers = kit_markers(kits)
    props = marker_properties(markers, language)
    rings = go.Scattermap(
        lat=props["lat"],
        lon=props["lon"],
        mode="markers",
        customdata=props["customdata"],
        marker={"size": 19, "color": RING_COLOUR},
        hoverinfo="skip",
        showlegend=False,
        name="rings",
    )
    kits_trace = go.Scattermap(
        lat=props["lat"],
        lon=props["lon"],
        mode="markers",
        customdata=props["customdata"],
        marker={"size": 14, "color": props["color"]},
        hovertext=props["hovertext"],
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False,
        name="kits",
    )
    figure = go.Figure([rings, kits_trace])
    figure.update_layout(
        map={"style": style, "center": MAP_CENTER, "zoom": MAP_ZOOM, "layers": _outline_layers(outlines)},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=MAP_HEIGHT,
        uirevision="ijmond",  # keep the reader's zoom and pan when the figure is rebuilt
        hoverlabel={"bgcolor": "white", "font": {"size": 13}},
    )
    return figure


def with_gaps(times: list[datetime], values: list[float | None]) -> tuple[list[datetime], list[float | None]]:
    """Insert a break (None) where readings are missing, so the line does not bridge an outage.

    A gap is more than 5 × the usual interval between readings, and at least 10 minutes.
    """
    if len(times) < 3:
        return times, values
    steps = [(b - a).total_seconds() for a, b in pairwise(times)]
    limit = max(5 * median(steps), 600.0)
    out_t, out_v = [times[0]], [values[0]]
    for i, step in enumerate(steps, start=1):
        if step > limit:
            out_t.append(times[i - 1] + timedelta(seconds=step / 2))
            out_v.append(None)
        out_t.append(times[i])
        out_v.append(values[i])
    return out_t, out_v


def readings_figure(readings: dict[str, Any], kit_name: str, language: str) -> go.Figure:
    """PM2.5 and PM10 of one kit over time, with the WHO 24-hour guideline for PM2.5."""
    results = [r for r in readings.get("results", []) if r.get("time")]
    figure = go.Figure()
    for key in CHART_QUANTITIES:
        q = BY_KEY[key]
        times, values = with_gaps([parse_time(r["time"]) for r in results], [r.get(key) for r in results])
        figure.add_trace(
            go.Scatter(
                x=[t.astimezone(LOCAL_ZONE).replace(tzinfo=None) for t in times],
                y=values,
                mode="lines",
                name=q.label_en if language == "en" else q.label_nl,
                line={"color": CHART_COLOURS[key], "width": 2},
                connectgaps=False,
                hovertemplate=f"%{{y:.{q.decimals}f}} {q.unit}<extra>%{{fullData.name}}</extra>",
            )
        )
    figure.add_hline(
        y=WHO_PM25_24H,
        line={"color": "#7a1f1f", "dash": "dash", "width": 1.5},
        annotation={
            "text": text("who_line", language),
            "xanchor": "left",
            "x": 0,
            "yanchor": "bottom",
            "font": {"size": 12, "color": "#7a1f1f"},
        },
    )
    title = (
        text("chart_title", language, name=kit_name) if results else text("chart_no_readings", language, name=kit_name)
    )
    figure.update_layout(
        title={"text": title, "x": 0.01},
        # Explicit date formats: plotly's default English month names would show in the Dutch page.
        xaxis={
            "title": {"text": text("axis_time", language)},
            "tickformat": TIME_FORMATS[language_or_default(language)][0],
            "hoverformat": TIME_FORMATS[language_or_default(language)][1],
        },
        yaxis={"title": {"text": text("axis_concentration", language)}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=380,
        plot_bgcolor="white",
        hovermode="x unified",
        separators=",." if language == "nl" else ".,",
    )
    figure.update_xaxes(gridcolor="#e6e6e6")
    figure.update_yaxes(gridcolor="#e6e6e6")
    return figure


def message_figure(message: str) -> go.Figure:
    """An empty chart carrying one sentence, for 'click a kit' and error states."""
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=160,
        plot_bgcolor="white",
        margin={"l": 20, "r": 20, "t": 20, "b": 20},
        annotations=[
            {
                "text": "<br>".join(textwrap.wrap(message, 90)),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 15},
            }
        ],
    )
    return figure
