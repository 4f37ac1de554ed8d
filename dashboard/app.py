"""create_app() builds the Dash app from settings; main() serves it (python -m dashboard)."""

import logging
from pathlib import Path
from typing import Any

import dash
import flask
from plotly.offline import get_plotlyjs_version

from dashboard import metrics
from dashboard.api_client import ApiClient
from dashboard.callbacks import register_callbacks
from dashboard.geo import load_outlines
from dashboard.i18n import text
from dashboard.layout import build_layout
from dashboard.map_figure import probe_tile_url
from dashboard.settings import DashboardSettings

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
    # plotly.js (4.7 MB) is otherwise only asked for once the renderer draws the first graph: fetch it at once.
    plotly_js = app.config.requests_pathname_prefix + PLOTLY_JS
    app.index_string = app.index_string.replace(
        "{%metas%}", f'{{%metas%}}\n        <link rel="preload" href="{plotly_js}" as="script">'
    )
    serve_partial_plotly(app.server, "/" + plotly_js.lstrip("/"))
    metrics.install(app.server, settings.dashboard_metrics_port)
    probe = probe_tile_url(settings.tile_url) if settings.tile_url else ""
    first_map = register_callbacks(app, client, load_outlines(), settings)

    def page() -> Any:
        """Each page load gets the map as it is now, drawn on the server (the API answer is ETag-cached). Dash also
        calls this to check the layout (at start and first request): that needs no data, so the API is not asked."""
        serving = flask.has_request_context() and flask.request.path.endswith("/_dash-layout")
        return build_layout(settings.language, settings.refresh_seconds, probe, first_map() if serving else None)

    app.layout = page
    return app


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
