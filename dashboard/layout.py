"""The page: header with language switch, status banner, controls (what, bands, time), map with legend and time
slider, kit panel (status, chart, compare), means per area, footer. Texts are filled in by the language callback."""

from dash import dcc, html

from dashboard.components import control as _control
from dashboard.components import loading
from dashboard.components import radio as _radio
from dashboard.markers import CORRECTIONS, QUANTITY_CHOICES
from dashboard.science_layout import analysis_section, layer_control
from ijlucht.bands import DEFAULT_SCALE, SCALES

LANGUAGE_OPTIONS = [{"label": "Nederlands", "value": "nl"}, {"label": "English", "value": "en"}]
CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
PROFILE_CONFIG = {"displayModeBar": False}  # small charts: the bar would cover their titles
GRAPH_CONFIG = {**CHART_CONFIG, "scrollZoom": True, "responsive": True}  # the map fills its CSS-sized box
WINDOWS = ("live", "24h", "7d")
WINDOW_HOURS = {"24h": 24, "7d": 168}
AREA_LEVELS = ("municipality", "district")
RANGES = ("24h", "7d", "30d", "1y")  # the kit panel's periods
MAX_COMPARED = 6  # kits compared with the selected one in its chart
DEFAULT_QUANTITY = "pm25"


def choice(value: object, allowed: tuple[str, ...], default: str) -> str:
    """A control's value as the browser sent it if it is one of the control's choices, else the default: the
    browser can send anything, and these values go on to the API."""
    return value if isinstance(value, str) and value in allowed else default


def build_layout(
    language: str, refresh_seconds: int, tile_probe: str = "", first: dict | None = None, drawn_link: str | None = None
) -> html.Div:
    """The page; `tile_probe`: one tile of the configured tile server, fetched once to know whether tiles load;
    `first`: the map drawn on the server ({figure, legend, state, names}), so the page shows it without waiting for
    a callback; `drawn_link`: the query string whose centre and zoom that map already has."""
    first = first or {}
    quantities = [{"label": q, "value": q} for q in QUANTITY_CHOICES]  # relabelled per language by a callback
    scales = [{"label": key, "value": key} for key in SCALES]
    windows = [{"label": w, "value": w} for w in WINDOWS]
    corrections = [{"label": c, "value": c} for c in CORRECTIONS]
    return html.Div(
        id="page",
        lang=language,
        className="page",
        children=[
            html.Header(
                className="header",
                children=[
                    html.Div([html.H1(id="title"), html.P(id="subtitle", className="subtitle")]),
                    _control("language-label", _radio("language", LANGUAGE_OPTIONS, language)),
                ],
            ),
            html.Div(id="demo-label", className="demo-label", hidden=True, role="note"),
            html.Div(id="api-status", className="api-status", role="alert"),
            html.Div(
                className="controls",
                children=[
                    _control("quantity-label", _radio("quantity", quantities, DEFAULT_QUANTITY)),
                    _control("scale-label", _radio("scale", scales, DEFAULT_SCALE)),
                    _control("correction-label", _radio("correction", corrections, "raw")),
                    _control("window-label", _radio("window", windows, "live")),
                    _control(
                        "search-label",
                        dcc.Dropdown(id="search", options=[], searchable=True, clearable=True, className="search"),
                    ),
                ],
            ),
            html.Main(
                className="content",
                children=[
                    html.Section(
                        className="map-section",
                        children=[
                            html.Div(
                                id="timeline",
                                className="timeline",
                                hidden=True,
                                children=[
                                    html.Button(id="play", className="play", n_clicks=0),
                                    html.Div(
                                        [
                                            dcc.Slider(
                                                id="hour-slider",
                                                min=0,
                                                max=23,
                                                step=1,
                                                value=23,
                                                marks=None,
                                                updatemode="drag",
                                            ),
                                            # Episodes in the window, placed along the slider (figures/episodes.py)
                                            html.Div(id="timeline-episodes", className="episode-strip"),
                                        ],
                                        className="slider",
                                    ),
                                ],
                            ),
                            html.Div(
                                [
                                    loading(
                                        "map-loading",
                                        dcc.Graph(
                                            id="kit-map",
                                            config=GRAPH_CONFIG,
                                            style={"height": "100%", "width": "100%"},
                                            figure=first.get("figure") or {},
                                        ),
                                    ),
                                    html.Div(id="kit-focus", className="kit-focus", hidden=True),
                                ],
                                # Its CSS height sizes the map: tall on a desktop, less on a phone. It takes the
                                # keyboard focus: the arrow keys then go from kit to kit (assets/map_keys.js).
                                id="map-keys",
                                className="map-box",
                                tabIndex="0",
                                role="application",
                            ),
                            html.P(id="map-focus", className="map-focus", **{"aria-live": "polite"}),
                            html.P(id="tile-note", className="tile-note", hidden=True),
                            html.Div(
                                first.get("legend"), id="map-legend", className="legend", **{"aria-live": "polite"}
                            ),
                            *layer_control(),
                        ],
                    ),
                    html.Section(
                        className="kit-section",
                        children=[
                            html.Div(id="kit-status", className="kit-status"),
                            _control(
                                "compare-label",
                                dcc.Dropdown(id="compare", multi=True, options=[], value=[], className="compare"),
                            ),
                            _control(
                                "range-label", _radio("kit-range", [{"label": r, "value": r} for r in RANGES], "24h")
                            ),
                            loading(
                                "chart-loading", dcc.Graph(id="kit-chart", config=CHART_CONFIG, className="kit-chart")
                            ),
                            html.P(id="kit-chart-note", className="figure-caption"),
                            html.Div(
                                id="downloads",
                                className="downloads",
                                hidden=True,
                                children=[
                                    html.Span(id="download-label"),
                                    html.Button("CSV", id="download-csv", n_clicks=0),
                                    html.Button("Parquet", id="download-parquet", n_clicks=0),
                                    dcc.Download(id="kit-download"),
                                ],
                            ),
                            html.Div(
                                className="profiles",
                                children=[
                                    loading("cycle-loading", dcc.Graph(id="kit-cycle", config=PROFILE_CONFIG)),
                                    loading("weekday-loading", dcc.Graph(id="kit-weekday", config=PROFILE_CONFIG)),
                                ],
                            ),
                            # Room for what later issues add to a kit: nearest reference station, wind rose,
                            # calibration switch.
                            html.Div(id="kit-extras", className="kit-extras"),
                            dcc.Store(id="kit-shown"),  # what the chart shows: kits, quantity, start, end, resolutions
                        ],
                    ),
                    analysis_section(),
                    html.Section(
                        className="kits-section",
                        children=[
                            html.Button(
                                id="kits-toggle", className="kits-toggle", n_clicks=0, **{"aria-expanded": "false"}
                            ),
                            loading("kits-loading", html.Div(id="kit-table")),
                        ],
                    ),
                    html.Section(
                        className="area-section",
                        children=[
                            html.H2(id="areas-title"),
                            _radio("area-level", [{"label": lv, "value": lv} for lv in AREA_LEVELS], "municipality"),
                            loading("areas-loading", html.Div(id="area-table")),
                        ],
                    ),
                ],
            ),
            html.P(html.A(id="signup-link", href="/signup"), className="footer"),
            html.Footer(id="footer", className="footer"),
            dcc.Interval(id="refresh", interval=refresh_seconds * 1000, n_intervals=0),
            dcc.Interval(id="play-tick", interval=1000, disabled=True),
            dcc.Store(id="selected-kit"),  # {"kit_id": ..., "name": ...} of the clicked kit
            # What the browser's map shows (kits fingerprint, one hash per marker); empty until the first full draw.
            dcc.Store(id="map-state", data=first.get("state")),
            dcc.Store(id="tile-probe", data=tile_probe),
            dcc.Location(id="url", refresh=False),  # the view lives in its query string (dashboard/view_state.py)
            # The link whose centre and zoom this layout's map already has (dashboard/app.py), until the view
            # callback has seen it: that map needs no move, which would undo a reader's pan in the first view.
            dcc.Store(id="drawn-link", data=drawn_link),
            dcc.Store(id="map-view"),  # {"centre": {lat, lon}, "zoom"} asked for by a link, the search or the table
            dcc.Store(id="kit-sort", data={"column": "name", "descending": False}),
            dcc.Store(
                id="kit-names", data=first.get("names")
            ),  # {kit_id: name} of the kits on the map, for the compare list
        ],
    )
