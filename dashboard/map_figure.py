"""The map figure (pure): a MapLibre `Scattermap` of the kits over the IJmond.

A raster tile server (settings: OpenStreetMap by default) draws streets and places under the CBS / Kadaster
outlines; under the tiles lies the land fill, so where tiles cannot load the outlines remain as the base map.
Without a tile server nothing is fetched from the internet. Markers are circles only: text labels and other
symbols would need font glyphs from the internet.
"""

import math
from typing import Any

import plotly.graph_objects as go

from dashboard.figures.exposure_layer import empty_layer
from dashboard.geo import Outlines
from dashboard.markers import KitMarker, marker_properties
from dashboard.stations import StationMarker, hover_text

# The IJmond: lat 52.42–52.54, lon 4.53–4.72.
MAP_CENTER = {"lat": 52.48, "lon": 4.635}  # a little east of the middle: less empty sea
MAP_ZOOM = 11.0

# Order of the map's traces; callbacks patch them by index: the kits' rings, the kits, the exposure layer (empty and
# hidden until switched on, so the order never changes), then the stations if any.
RING_TRACE, KIT_TRACE, LAYER_TRACE = 0, 1, 2
STATION_TRACES = ("station-ring", "station-white", "station-centre")  # a target: three circles, largest first
RING_COLOUR = "#263238"
LAND_COLOUR = "#f4f1e8"
# The same in both languages: MapLibre builds its attribution box once and keeps it when the figure is patched.
ATTRIBUTION = "© CBS / Kadaster, CC BY 4.0"
OFFLINE_STYLE = "white-bg"


def tile_layers(tile_url: str, attribution: str) -> list[dict[str, Any]]:
    """A raster tile layer ({z}/{x}/{y} URL template) under the outlines, for a configured online tile server."""
    if not tile_url:
        return []
    return [{"sourcetype": "raster", "source": [tile_url], "below": "traces", "sourceattribution": attribution}]


def probe_tile_url(
    tile_url: str, lat: float = MAP_CENTER["lat"], lon: float = MAP_CENTER["lon"], zoom: int = 11
) -> str:
    """The URL of the tile under (lat, lon) at `zoom` (Web Mercator): the page fetches it once to learn whether
    the tile server can be reached, and otherwise says that it shows the outlines only."""
    n = 2**zoom
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return tile_url.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))


def outline_layers(outlines: Outlines, fill_land: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(land fill, lines): the fill goes under any tiles, the lines over them."""
    land = {
        "sourcetype": "geojson",
        "source": outlines.municipalities,
        "type": "fill",
        "below": "traces",
        "color": LAND_COLOUR,
        "sourceattribution": ATTRIBUTION,
    }
    lines = [
        {"sourcetype": "geojson", "source": outlines.districts, "type": "line", "below": "traces",
         "color": "#b0aca0", "line": {"width": 0.6}},
        {"sourcetype": "geojson", "source": outlines.municipalities, "type": "line", "below": "traces",
         "color": "#55524a", "line": {"width": 1.6}},
    ]  # fmt: skip
    if not fill_land:  # a full map style is its own base: no land fill; credit CBS on the lines instead
        lines[0]["sourceattribution"] = ATTRIBUTION
        return [], lines
    return [land], lines


def map_figure(
    markers: list[KitMarker],
    language: str,
    quantity: str,
    outlines: Outlines,
    style: str = OFFLINE_STYLE,
    tile_url: str = "",
    tile_attribution: str = "",
    centre: dict[str, float] | None = None,
    zoom: float | None = None,
    stations: list[StationMarker] | None = None,
) -> go.Figure:
    """Kits as circles in their band colour with a dark ring, over the outlines (and tiles when configured);
    reference stations as targets above them."""
    props = marker_properties(markers, language, quantity)
    rings = go.Scattermap(
        lat=props["lat"], lon=props["lon"], mode="markers", customdata=props["customdata"],
        marker={"size": 17, "color": RING_COLOUR}, hoverinfo="skip", showlegend=False, name="rings",
    )  # fmt: skip
    kits = go.Scattermap(
        lat=props["lat"], lon=props["lon"], mode="markers", customdata=props["customdata"],
        marker={"size": 12, "color": props["color"]}, hovertext=props["hovertext"],
        hovertemplate="%{hovertext}<extra></extra>", showlegend=False, name="kits",
    )  # fmt: skip
    land, lines = outline_layers(outlines, fill_land=style == OFFLINE_STYLE)
    layers = land + tile_layers(tile_url, tile_attribution) + lines  # the first lies lowest
    figure = go.Figure([rings, kits, empty_layer(), *station_traces(stations or [], language)])
    figure.update_layout(
        map={"style": style, "center": centre or MAP_CENTER, "zoom": zoom or MAP_ZOOM, "layers": layers},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        autosize=True,  # the height comes from CSS: tall on a desktop, shorter on a phone
        uirevision="ijmond",  # keep the reader's zoom and pan when the figure is rebuilt
        hoverlabel={"bgcolor": "white", "font": {"size": 13}},
    )
    return figure


def station_traces(stations: list[StationMarker], language: str) -> list[go.Scattermap]:
    """A target per station (dark ring, white ring, dark centre): a shape no kit has. None without stations."""
    if not stations:
        return []
    lat, lon = [m.lat for m in stations], [m.lon for m in stations]
    hover = [hover_text(m, language) for m in stations]
    traces = []
    for name, size, colour in zip(STATION_TRACES, (22, 16, 7), (RING_COLOUR, "#ffffff", RING_COLOUR), strict=True):
        centre = name == STATION_TRACES[-1]
        traces.append(
            go.Scattermap(
                lat=lat, lon=lon, mode="markers", marker={"size": size, "color": colour}, name=name,
                showlegend=False,  # no customdata: a click on a station opens no kit
                hovertext=hover if centre else None,
                hovertemplate="%{hovertext}<extra></extra>" if centre else None,
                hoverinfo=None if centre else "skip",
            )
        )  # fmt: skip
    return traces
