"""The first view: the page's HTML carries the live map as a plotly figure and draws it with plotly.js before any of
Dash's scripts run, so a first-time visitor sees the markers about as soon as a bare page could draw them. Dash's
scripts download meanwhile and run once the map is on screen; when Dash has drawn its own map, the first view hands
over to it (dashboard/first_view.js) and goes.

Only the live map with the default quantity and scale gets a first view (a link may move and zoom it, and choose
the language); any other link, the kit embed, or an API that cannot be reached leaves the page to Dash alone.
"""

import html
import json
import re
from pathlib import Path
from typing import Any

from dashboard.i18n import text
from dashboard.layout import DEFAULT_QUANTITY, GRAPH_CONFIG
from dashboard.view_state import ViewState
from ijlucht.bands import DEFAULT_SCALE

FIRST_VIEW_JS = (Path(__file__).parent / "first_view.js").read_text(encoding="utf-8")
PENDING_CLASS = "first-view-pending"  # on <html> until the hand-over: Dash's page is laid out, but hidden
_SCRIPT_SRC = re.compile(r'<script src="([^"]+)"></script>')


def wants_first_view(view: ViewState) -> bool:
    """Whether the page for this link starts with a first view: the live map in the default quantity and scale."""
    return (
        view.window == "live"
        and view.embed != "kit"
        and view.quantity == DEFAULT_QUANTITY
        and view.scale == DEFAULT_SCALE
        and view.hour is None
    )


def figure_for(view: ViewState, figure: dict[str, Any]) -> dict[str, Any]:
    """The server's map figure (a plotly JSON dict) moved to the link's centre and zoom."""
    layout = dict(figure.get("layout") or {})
    map_layout = dict(layout.get("map") or {})
    if view.centre is not None:
        map_layout["center"] = view.centre
    if view.zoom is not None:
        map_layout["zoom"] = view.zoom
    return {"data": figure.get("data") or [], "layout": {**layout, "map": map_layout}}


def script_json(value: Any) -> str:
    """`value` as JSON that cannot end the <script> element it sits in (kit names come from anyone)."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")


def first_view_html(view: ViewState, figure: dict[str, Any]) -> str:
    """The header and the map box of the page, in the link's language, with the figure to draw in them."""
    page_class = "page first-view" + (f" embed embed-{view.embed}" if view.embed else "")
    title, subtitle = html.escape(text("title", view.language)), html.escape(text("subtitle", view.language))
    shown = {**figure_for(view, figure), "config": GRAPH_CONFIG}
    return (
        f'<div id="first-view" class="{page_class}" lang="{view.language}">'
        f'<header class="header"><div><h1>{title}</h1><p class="subtitle">{subtitle}</p></div></header>'
        '<main class="content"><section class="map-section"><div class="map-box">'
        '<div id="first-map" style="height:100%;width:100%"></div></div></section></main></div>'
        f'<script id="first-map-figure" type="application/json">{script_json(shown)}</script>'
    )


def deferred_scripts(scripts: str) -> tuple[str, str]:
    """Dash's script tags held back (data-src: first_view.js runs them in order), and a preload for each, so they
    download while the first map is drawn."""
    sources = _SCRIPT_SRC.findall(scripts)
    held = _SCRIPT_SRC.sub(lambda m: f'<script data-src="{m.group(1)}"></script>', scripts)
    preloads = "\n".join(f'<link rel="preload" href="{src}" as="script">' for src in sources)
    return held, preloads


def deferred_renderer(renderer: str) -> str:
    """Dash's renderer start, kept as text for first_view.js to run after Dash's scripts."""
    return renderer.replace('type="application/javascript"', 'type="text/plain"', 1)
