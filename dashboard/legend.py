"""Legend and area table (pure Dash components): what the colours mean, for which quantity, unit, averaging
window and time, and the means per area with the number of kits behind each."""

from typing import Any

from dash import html

from dashboard.i18n import format_hour, format_number, format_time, text
from dashboard.markers import (
    KitMarker,
    api_band,
    colour_bands,
    has_scale,
    newest_time,
    stale_minutes_of,
    stale_text,
)
from ijlucht.bands import NO_BAND_COLOUR, SCALES, Band
from ijlucht.quantities import BY_KEY


def quantity_label(key: str, language: str) -> str:
    q = BY_KEY[key]
    return q.label_en if language == "en" else q.label_nl


def _range(band: Band, upper_inclusive: bool) -> str:
    if band.upper is None:
        return f"≥ {band.lower:g}" if not upper_inclusive else f"> {band.lower:g}"
    return f"{band.lower:g}–{band.upper:g}"


def _dot(colour: str) -> html.Span:
    return html.Span(className="dot", style={"backgroundColor": colour})


def legend(
    markers: list[KitMarker],
    language: str,
    quantity: str,
    scale: str,
    hour: tuple[str, str] | None = None,
    stations: int = 0,
) -> list:
    """Title (quantity, unit), what the values are (window and time), the bands, and the grey meaning.

    `hour`: (start, end) ISO times when the map shows an hourly mean instead of the latest readings.
    """
    q = BY_KEY[quantity]
    label = quantity_label(quantity, language)
    if hour:
        window = text("legend_hour", language, start=format_hour(hour[0], language), end=format_hour(hour[1], language))
    else:
        newest = newest_time(markers)
        window = (
            text("legend_live", language, time=format_time(newest, language))
            if newest
            else text("legend_live_empty", language)
        )
    band_scale = SCALES[scale]
    if has_scale(quantity, scale):
        period = band_scale.averaging[quantity]
        averaging = text(f"averaging_{period}", language)
        # Hourly means on a scale made for hourly means need no warning; anything else is an indication.
        key = "legend_scale_same" if hour and period == "1h" else "legend_scale"
        meaning = text(key, language, scale=band_scale.label(language), averaging=averaging)
    else:
        meaning = text("legend_no_scale", language, quantity=label)
    items = [
        html.Li([_dot(b.colour), b.name(language) if has_scale(quantity, scale) else "",
                 html.Span(f" {_range(b, band_scale.upper_inclusive)} {q.unit}" if has_scale(quantity, scale)
                           else b.name(language), className="range")], className="legend-item")
        for b in colour_bands(quantity, scale)
    ]  # fmt: skip
    items.append(
        html.Li(
            [_dot(NO_BAND_COLOUR), stale_text("legend_grey", language, stale_minutes_of(markers))],
            className="legend-item",
        )
    )
    if stations:  # the target shape of dashboard/stations.py, drawn in CSS (assets: .station-mark)
        items.append(
            html.Li(
                [html.Span(className="station-mark", **{"aria-hidden": "true"}), text("legend_station", language)],
                className="legend-item legend-station",
            )
        )
    grey = sum(m.grey for m in markers)
    return [
        html.Strong(text("legend_title", language, quantity=label, unit=q.unit), className="legend-title"),
        html.P(f"{window} {text('kits_count', language, n=len(markers), grey=grey)}", id="legend-window"),
        html.P(meaning, className="legend-meaning"),
        html.Ul(items, className="legend-list"),
    ]


def area_table(rows: list[dict[str, Any]], language: str, quantity: str, scale: str, level: str) -> list:
    """One row per area: name, number of kits, mean with unit, band in words next to its colour."""
    q = BY_KEY[quantity]
    shown = [r for r in rows if r.get("kits")]
    hidden = len(rows) - len(shown)
    rows = shown
    if not rows:
        return [html.P(text("areas_empty", language))]
    header = html.Tr(
        [html.Th(text(f"areas_level_{level}", language)), html.Th(text("areas_kits", language)),
         html.Th(f"{text('areas_mean', language)} ({q.unit})"), html.Th(text("areas_band", language))]
    )  # fmt: skip
    body = []
    for row in rows:
        band = api_band(quantity, {"value": row.get("mean"), "band": row.get("band")}, scale)
        mean = "–" if row.get("mean") is None else format_number(row["mean"], language, q.decimals)
        body.append(
            html.Tr(
                [html.Td(row["name"]), html.Td(str(row["kits"]), className="num"), html.Td(mean, className="num"),
                 html.Td([_dot(band.colour if band else NO_BAND_COLOUR), " ", band.name(language) if band else "–"])],
                **{"data-code": row["code"]},
            )
        )  # fmt: skip
    return [
        html.Table([html.Thead(header), html.Tbody(body)], className="area-table"),
        html.P(
            text("areas_note", language) + (" " + text("areas_hidden", language, n=hidden) if hidden else ""),
            className="caption",
        ),
    ]
