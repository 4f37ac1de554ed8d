"""The page: header with language switch, status banner, map with legend, chart of the clicked kit, footer."""

from dash import dcc, html

from dashboard import figures
from dashboard.i18n import text
from ijlucht.bands import EAQI_2024, NO_BAND_COLOUR, bands_of
from ijlucht.quantities import BY_KEY

LANGUAGE_OPTIONS = [{"label": "Nederlands", "value": "nl"}, {"label": "English", "value": "en"}]
GRAPH_CONFIG = {"scrollZoom": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def quantity_label(key: str, language: str) -> str:
    q = BY_KEY[key]
    return q.label_en if language == "en" else q.label_nl


def scale_label(language: str) -> str:
    return EAQI_2024.label_en if language == "en" else EAQI_2024.label_nl


def _range(lower: float, upper: float | None) -> str:
    return f"> {lower:g}" if upper is None else f"{lower:g}–{upper:g}"


def legend(language: str, quantity: str = figures.MAP_QUANTITY) -> list:
    """Legend items: one coloured dot per band with its name and range, and grey for no value."""
    q = BY_KEY[quantity]
    items = [
        html.Li(
            [
                html.Span(className="dot", style={"backgroundColor": band.colour}),
                band.name(language),
                html.Span(f" ({_range(band.lower, band.upper)})", className="range"),
            ],
            className="legend-item",
        )
        for band in bands_of(quantity)
    ]
    items.append(
        html.Li(
            [html.Span(className="dot", style={"backgroundColor": NO_BAND_COLOUR}), text("legend_no_value", language)],
            className="legend-item",
        )
    )
    return [
        html.Strong(text("legend_title", language, quantity=quantity_label(quantity, language), unit=q.unit)),
        html.Ul(items, className="legend-list"),
    ]


def build_layout(language: str, refresh_seconds: int) -> html.Div:
    return html.Div(
        id="page",
        lang=language,
        className="page",
        children=[
            html.Header(
                className="header",
                children=[
                    html.Div([html.H1(id="title"), html.P(id="subtitle", className="subtitle")]),
                    html.Div(
                        className="language",
                        children=[
                            html.Label(id="language-label", htmlFor="language"),
                            dcc.RadioItems(
                                id="language",
                                options=LANGUAGE_OPTIONS,
                                value=language,
                                inline=True,
                                inputClassName="language-input",
                                labelClassName="language-option",
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(id="api-status", className="api-status", role="alert"),
            html.Main(
                className="content",
                children=[
                    html.Section(
                        className="map-section",
                        children=[
                            dcc.Graph(id="kit-map", config=GRAPH_CONFIG, className="kit-map"),
                            html.P(id="map-caption", className="caption"),
                            html.Div(id="map-legend", className="legend"),
                        ],
                    ),
                    html.Section(
                        className="chart-section",
                        children=[dcc.Graph(id="kit-chart", config=GRAPH_CONFIG, className="kit-chart")],
                    ),
                ],
            ),
            html.Footer(id="footer", className="footer"),
            dcc.Interval(id="refresh", interval=refresh_seconds * 1000, n_intervals=0),
            dcc.Store(id="selected-kit"),  # {"kit_id": ..., "name": ...} of the clicked kit
            dcc.Store(id="map-language"),  # language the map figure was last fully drawn in
        ],
    )
