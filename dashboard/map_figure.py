"""The map figure (pure): a MapLibre `Scattermap` of the kits over the IJmond.

Offline (the default "white-bg" style) the CBS / Kadaster outlines are the base map and nothing is fetched from
the internet. Online, a plotly map style or a raster tile URL (settings) lies under the same outlines. Markers are
circles only: text labels and other symbols would need font glyphs from the internet.
"""

from typing import Any

import plotly.graph_objects as go

from dashboard.geo import Outlines
from dashboard.markers import KitMarker, marker_properties

# The IJmond: lat 52.42–52.54, lon 4.53–4.72.
MAP_CENTER = {"lat": 52.48, "lon": 4.635}  # a little east of the middle: less empty sea
MAP_ZOOM = 11.0

RING_TRACE, KIT_TRACE = 0, 1  # order of the map's traces; callbacks patch them by index
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


def outline_layers(outlines: Outlines, fill_land: bool = True) -> list[dict[str, Any]]:
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
    if not fill_land:  # over real tiles the land fill would hide them; credit CBS on the lines instead
        lines[0]["sourceattribution"] = ATTRIBUTION
        return lines
    return [land, *lines]


def map_figure(
    markers: list[KitMarker],
    language: str,
    quantity: str,
    outlines: Outlines,
    style: str = OFFLINE_STYLE,
    tile_url: str = "",
    tile_attribution: str = "",
) -> go.Figure:
    """Kits as circles in their band colour with a dark ring, over the outlines (and tiles when configured)."""
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
    online_base = style != OFFLINE_STYLE or bool(tile_url)
    layers = tile_layers(tile_url, tile_attribution) + outline_layers(outlines, fill_land=not online_base)
    figure = go.Figure([rings, kits])
    figure.update_layout(
        map={"style": style, "center": MAP_CENTER, "zoom": MAP_ZOOM, "layers": layers},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        autosize=True,  # the height comes from CSS: tall on a desktop, shorter on a phone
        uirevision="ijmond",  # keep the reader's zoom and pan when the figure is rebuilt
        hoverlabel={"bgcolor": "white", "font": {"size": 13}},
    )
    return figure
