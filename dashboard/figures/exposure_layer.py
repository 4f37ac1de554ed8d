"""The exposure map layer (pure): a /v1/exposure/map answer in, the marker arrays of one map trace out.

Each kit and station is a translucent circle: larger the more of its hours lay downwind of the source, red when it
measured more then than otherwise (the API's increment), blue when less, grey when the API has no increment. The
layer is trace LAYER_TRACE of the map (dashboard/map_figure.py), above the kits; kits in it carry the kit's
customdata, so a click on a circle still opens the kit.
"""

from typing import Any

import plotly.graph_objects as go

from dashboard.i18n import format_number, language_or_default, text

LAYER_NAME = "exposure"
LOW, MIDDLE, HIGH = (33, 102, 172), (247, 247, 247), (178, 24, 43)  # blue – white – red (ColorBrewer RdBu)
NO_INCREMENT = "#9e9e9e"
# px: a place never downwind (larger than a station's target, 22 px, so the circle shows around it), and what a place
# always downwind adds
MIN_SIZE, MAX_EXTRA = 28, 36
MIN_TINT = 0.3  # any increment other than zero is at least this far from white: visible on the land fill


def empty_layer() -> go.Scattermap:
    """The layer switched off: an empty, hidden trace, so the map's trace order is the same with and without it."""
    return go.Scattermap(lat=[], lon=[], mode="markers", name=LAYER_NAME, visible=False, showlegend=False)


def diverging_colour(value: float | None, limit: float) -> str:
    """Blue for −limit, white for 0, red for +limit (clamped); grey without a value."""
    if value is None:
        return NO_INCREMENT
    share = max(-1.0, min(1.0, value / limit)) if limit > 0 else 0.0
    end = HIGH if share > 0 else LOW
    tint = MIN_TINT + (1 - MIN_TINT) * abs(share) if share else 0.0
    rgb = [round(m + (e - m) * tint) for m, e in zip(MIDDLE, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def layer_arrays(
    results: list[dict[str, Any]], names: dict[str, str], language: str, unit: str, decimals: int = 1
) -> dict[str, Any]:
    """The layer trace's lat, lon, marker (size, colour), hovertext and customdata, and `visible`."""
    language = language_or_default(language)
    rows = [r for r in results if r.get("lat") is not None and r.get("lon") is not None]
    limit = max((abs(r["increment"]) for r in rows if r.get("increment") is not None), default=0.0)

    def number(value: float | None) -> str:
        return "–" if value is None else format_number(value, language, decimals)

    hover, custom = [], []
    for r in rows:
        kind, _, key = str(r.get("place", "")).partition(":")
        named = r.get("name") or names.get(key, key)  # the API names each place; the map's names as a fallback
        place = f"{named} ({key})" if kind == "kit" else f"{text('place_station', language)} {named} ({key})"
        share = f"{format_number(100 * float(r.get('downwind_share') or 0), language, 0)}%"
        if r.get("increment") is None:
            hover.append(f"{place}<br>{share}<br>{text('layer_no_increment', language)}")
        else:
            hover.append(text("layer_hover", language, place=place, share=share, hours=r.get("hours", 0),
                              increment=number(r["increment"]), unit=unit, low=number(r.get("increment_low")),
                              high=number(r.get("increment_high"))))  # fmt: skip
        custom.append([key, named] if kind == "kit" else None)
    return {
        "lat": [r["lat"] for r in rows],
        "lon": [r["lon"] for r in rows],
        "marker": {
            "size": [MIN_SIZE + MAX_EXTRA * max(0.0, min(1.0, float(r.get("downwind_share") or 0))) for r in rows],
            "color": [diverging_colour(r.get("increment"), limit) for r in rows],
            "opacity": 0.8,
        },
        "hovertext": hover,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "customdata": custom,
        "visible": bool(rows),
    }
