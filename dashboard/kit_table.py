"""The kit list (pure): every kit on the map as a table row a keyboard or screen reader can reach — name (a button
that opens the kit), place, value, band in words, state — sortable by each column."""

from typing import Any

from dash import html

from dashboard.i18n import format_number, text
from dashboard.markers import KitMarker
from ijlucht.bands import NO_BAND_COLOUR
from ijlucht.quantities import BY_KEY

COLUMNS = ("name", "place", "value", "band", "state")
MAX_ROWS = 2000  # a page of this many rows stays usable; more kits than this would need paging


def kit_state(marker: KitMarker, language: str) -> str:
    if marker.online is False:
        return text("status_offline", language)
    if marker.stale:
        return text("status_stale", language)
    if marker.excluded:
        return text("state_excluded", language)
    if marker.value is None:
        return text("hover_no_value", language)
    return text("status_online", language)


def _sort_key(column: str, places: dict[str, str], language: str):
    """(missing, key): kits without a value, band or place sort last whichever way the column is sorted."""

    def key(m: KitMarker) -> tuple:
        if column == "value":
            return (m.value is None, (m.value or 0.0, m.name.lower()))
        if column == "band":
            return (m.band is None, (m.band.index if m.band else 0, m.name.lower()))
        if column == "place":
            return (not places.get(m.kit_id), (places.get(m.kit_id) or "", m.name.lower()))
        if column == "state":
            return (False, (kit_state(m, language), m.name.lower()))
        return (False, (m.name.lower(), m.kit_id))

    return key


def sorted_markers(
    markers: list[KitMarker], sort: dict[str, Any], places: dict[str, str], language: str
) -> list[KitMarker]:
    column = sort.get("column") if sort.get("column") in COLUMNS else "name"
    key = _sort_key(column, places, language)
    present = sorted(
        (m for m in markers if not key(m)[0]), key=lambda m: key(m)[1], reverse=bool(sort.get("descending"))
    )
    return present + sorted((m for m in markers if key(m)[0]), key=lambda m: m.name.lower())


def kit_table(
    markers: list[KitMarker], places: dict[str, str], language: str, quantity: str, sort: dict[str, Any]
) -> list:
    """The table of `markers` sorted by `sort` ({"column", "descending"}); `places`: kit id → municipality."""
    q = BY_KEY[quantity]
    column = sort.get("column") if sort.get("column") in COLUMNS else "name"
    direction = "descending" if sort.get("descending") else "ascending"
    headers = []
    for c in COLUMNS:
        label = text(f"kits_{c}", language) + (f" ({q.unit})" if c == "value" else "")
        headers.append(
            html.Th(
                html.Button(label, id={"type": "kit-sort-by", "column": c}, className="sort", n_clicks=0),
                scope="col",
                **{"aria-sort": direction if c == column else "none"},
            )
        )
    rows = []
    for m in sorted_markers(markers, sort, places, language)[:MAX_ROWS]:
        value = "–" if m.value is None else format_number(m.value, language, q.decimals)
        band = m.band.name(language) if m.band else "–"
        rows.append(
            html.Tr(
                [
                    html.Th(
                        html.Button(m.name, id={"type": "kit-pick", "kit": m.kit_id}, className="pick", n_clicks=0),
                        scope="row",
                    ),
                    html.Td(places.get(m.kit_id) or "–"),
                    html.Td(value, className="num"),
                    html.Td([html.Span(className="dot", style={"background": m.colour or NO_BAND_COLOUR}), " ", band]),
                    html.Td(kit_state(m, language)),
                ],
                **{"data-kit": m.kit_id},
            )
        )
    caption = html.Caption(text("kits_caption", language, n=len(markers)))
    return [html.Table([caption, html.Thead(html.Tr(headers)), html.Tbody(rows)], className="kit-table")]
