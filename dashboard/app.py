"""create_app() builds the Dash app from settings; main() serves it (python -m dashboard)."""

import html
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dash
import flask
from plotly.offline import get_plotlyjs_version

from dashboard import metrics, owner_page, signup_page
from dashboard.api_client import ApiClient
from dashboard.callbacks import register_callbacks
from dashboard.first_view import (
    FIRST_VIEW_JS,
    PENDING_CLASS,
    deferred_renderer,
    deferred_scripts,
    figure_for,
    first_view_html,
    wants_first_view,
)
from dashboard.geo import load_outlines
from dashboard.i18n import text
from dashboard.layout import build_layout
from dashboard.map_figure import probe_tile_url
from dashboard.page_texts import page_texts, with_texts
from dashboard.settings import DashboardSettings
from dashboard.view_state import ViewState, parse_view
from ijlucht.bands import DEFAULT_SCALE

log = logging.getLogger("ijlucht.dashboard")
PLOTLY_JS = "_dash-component-suites/plotly/package_data/plotly.min.js"  # where Dash serves plotly.py's plotly.js
# Served there instead: plotly.js with only the traces the dashboard draws (dashboard/plotlyjs/README.md).
PARTIAL_PLOTLY_JS = Path(__file__).parent / "plotlyjs" / "plotly-ijlucht.min.js"
PARTIAL_PLOTLY_VERSION = "4.1.1"


def create_app(settings: DashboardSettings | None = None, client: ApiClient | None = None) -> dash.Dash:
    """The dashboard reading the API of `settings` (or through `client`, e.g. a benchmark's fake API)."""
    settings = settings or DashboardSettings()
    client = client or ApiClient(settings.api_url, settings.api_timeout_seconds)
    app = dash.Dash(
        __name__,
        title=text("title", settings.language),
        serve_locally=True,  # every script from the Python packages: the page works without internet
        update_title=None,
    )
    plotly_js = app.config.requests_pathname_prefix + PLOTLY_JS
    serve_partial_plotly(app.server, "/" + plotly_js.lstrip("/"))
    metrics.install(app.server, settings.dashboard_metrics_port)
    owner_page.install(app.server, client, settings.language)
    outlines = load_outlines()
    signup_page.install(app.server, client, settings.language, outlines, settings.tile_url, settings.tile_attribution,
                        plotly_js, settings.build_guide_url)  # fmt: skip
    probe = probe_tile_url(settings.tile_url) if settings.tile_url else ""
    first_map = recent(register_callbacks(app, client, outlines, settings), seconds=3)

    def page() -> Any:
        """Each page load gets the map as it is now, drawn on the server (the API answer is ETag-cached), and its
        texts in the language of the link that opened it. Dash also calls this to check the layout (at start and
        first request): that needs no data, so the API is not asked."""
        serving = flask.has_request_context() and flask.request.path.endswith("/_dash-layout")
        view = linked_view(settings) if serving else ViewState(language=settings.language)
        first = first_map(view.language) if serving else None
        drawn_link = None
        if first and (view.centre or view.zoom):  # where the link (and the first view) put the map
            first = {**first, "figure": figure_for(view, first["figure"].to_plotly_json())}
            drawn_link = "?" + urlsplit(flask.request.referrer or "").query
        layout = build_layout(view.language, settings.refresh_seconds, probe, first, drawn_link)
        return with_texts(layout, page_texts(view.language, DEFAULT_SCALE))

    def index(**parts: str) -> str:
        view = parse_view(flask.request.query_string.decode("utf-8", "replace"), settings.language)
        figure = first_map(view.language).get("figure") if wants_first_view(view) else None
        return page_html(parts, view, plotly_js, json.loads(figure.to_json()) if figure else None)

    app.interpolate_index = index
    app.layout = page
    return app


def linked_view(settings: DashboardSettings) -> ViewState:
    """The view of the link whose page asks for its layout: the browser names that page in the Referer. Without
    one, the defaults (the view callback then applies the link a round trip later)."""
    referrer = flask.request.referrer or ""
    return parse_view(urlsplit(referrer).query, settings.language)


def page_html(parts: dict[str, str], view: ViewState, plotly_js: str, figure: dict[str, Any] | None) -> str:
    """Dash's page with plotly.js asked for at once (it is otherwise only fetched when the first graph mounts) and,
    with a `figure`, the first view (dashboard/first_view.py) drawn before Dash's scripts run."""
    scripts, renderer, preloads = parts["scripts"], parts["renderer"], ""
    first = ""
    if figure is not None:
        scripts, preloads = deferred_scripts(scripts)
        renderer = deferred_renderer(renderer)
        first = first_view_html(view, figure) + f'<script src="{plotly_js}"></script><script>{FIRST_VIEW_JS}</script>'
    html_class = f' class="{PENDING_CLASS}"' if figure is not None else ""
    return f"""<!DOCTYPE html>
<html lang="{view.language}"{html_class}>
    <head>
        {parts["metas"]}
        <title>{html.escape(text("title", view.language))}</title>
        {parts["favicon"]}
        {parts["css"]}
        <link rel="preload" href="{plotly_js}" as="script">
        {preloads}
    </head>
    <body>
        {first}
        {parts["app_entry"]}
        <footer>
            {parts["config"]}
            {scripts}
            {renderer}
        </footer>
    </body>
</html>"""


def recent(make: Callable[[str], dict], seconds: float) -> Callable[[str], dict]:
    """`make(language)`, answered again from memory for `seconds`: a page's HTML and its layout, asked for within a
    moment, share one drawing of the map."""
    lock = threading.Lock()
    kept: dict[str, tuple[float, dict]] = {}

    def cached(language: str) -> dict:
        with lock:
            hit = kept.get(language)
            if hit and time.monotonic() - hit[0] < seconds:
                return hit[1]
        value = make(language)
        with lock:
            kept[language] = (time.monotonic(), value)
        return value

    return cached


def serve_partial_plotly(server: flask.Flask, path: str) -> None:
    """Answer the request for plotly.js with the partial bundle (plotly.py's own version only: the figures plotly.py
    writes must be the ones it draws)."""
    if get_plotlyjs_version() != PARTIAL_PLOTLY_VERSION:
        log.warning("plotly.js %s is not the partial bundle's %s: serving the full one", get_plotlyjs_version(),
                    PARTIAL_PLOTLY_VERSION)  # fmt: skip
        return

    @server.before_request
    def partial_plotly() -> flask.Response | None:
        if flask.request.path != path:
            return None
        return flask.send_file(PARTIAL_PLOTLY_JS, mimetype="application/javascript", max_age=86400)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = DashboardSettings()
    log.info("dashboard on %s reading the API at %s", settings.dashboard_url, settings.api_url)
    # Flask's own server: enough for a neighbourhood dashboard; put a WSGI server in front for more.
    create_app(settings).run(host=settings.dashboard_host, port=settings.dashboard_port, debug=False)
