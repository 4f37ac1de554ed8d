"""The page's parts for the science views (issues 16 and 17): the map-layer switch under the legend, and the
"wind, sources and trends" section beside the kit panel. Nothing in them is fetched until the reader chooses a view
or a layer (dashboard/callbacks/direction.py, trend.py, alerts.py, exposure_layer.py); texts come from page_texts."""

from dash import dcc, html

from dashboard.components import control, loading, radio
from dashboard.periods import DEFAULT_PERIOD, month_choices, period_choices

VIEWS = ("direction", "trend", "compare", "alerts")
ALERT_TRIGGERS = ("episode", "band")
DEFAULT_ALERT_HOURS = 3


def layer_control() -> list:
    """The map-layer switch (off by default: its emitter choices arrive with the first callback) and its caption."""
    return [
        control("layer-label", radio("map-layer", [{"label": "–", "value": "none"}], "none")),
        html.P(id="layer-note", className="figure-caption", hidden=True, **{"aria-live": "polite"}),
    ]


def _month_dropdown(id_: str) -> dcc.Dropdown:
    months = [{"label": m, "value": m} for m in month_choices()]
    return dcc.Dropdown(id=id_, options=months, clearable=False, searchable=True, className="month")


def _compare_controls() -> html.Div:
    return html.Div(
        id="compare-controls",
        className="compare-controls",
        hidden=True,
        children=[
            control("compare-event-label", dcc.Dropdown(id="compare-event", options=[], className="compare-event")),
            html.Div(
                [
                    html.Span(id="compare-before-label", className="control-label"),
                    _month_dropdown("before-from"),
                    html.Span("–"),
                    _month_dropdown("before-to"),
                ],
                className="control period-pair",
            ),
            html.Div(
                [
                    html.Span(id="compare-after-label", className="control-label"),
                    _month_dropdown("after-from"),
                    html.Span("–"),
                    _month_dropdown("after-to"),
                ],
                className="control period-pair",
            ),
            html.Button(id="compare-go", n_clicks=0, className="action"),
        ],
    )


def _alerts_form() -> html.Div:
    return html.Div(
        id="alerts-form",
        className="alerts-form",
        hidden=True,
        children=[
            html.P(id="alerts-intro"),
            control(
                "alerts-email-label",
                dcc.Input(id="alerts-email", type="email", autoComplete="email", maxLength=254, className="text-input"),
            ),
            control("alerts-target-label", dcc.Dropdown(id="alerts-target", options=[], className="alerts-target")),
            control(
                "alerts-trigger-label",
                radio("alerts-trigger", [{"label": t, "value": t} for t in ALERT_TRIGGERS], "episode"),
            ),
            html.Div(
                id="alerts-band-row",
                hidden=True,
                className="control",
                children=[
                    control(
                        "alerts-band-label",
                        dcc.Dropdown(id="alerts-band", options=[], clearable=False, className="alerts-band"),
                    ),
                    control(
                        "alerts-hours-label",
                        dcc.Input(
                            id="alerts-hours",
                            type="number",
                            min=1,
                            max=72,
                            step=1,
                            value=DEFAULT_ALERT_HOURS,
                            className="number-input",
                        ),
                    ),
                ],
            ),
            html.Button(id="alerts-submit", n_clicks=0, className="action"),
            html.P(id="alerts-answer", className="alerts-answer", role="status"),
        ],
    )


def analysis_section() -> html.Section:
    periods = [{"label": p, "value": p} for p in period_choices()]  # relabelled per language (page_texts)
    return html.Section(
        id="analysis",
        className="analysis-section",
        children=[
            html.H2(id="analysis-title"),
            html.Div(
                className="analysis-controls",
                children=[
                    control(
                        "analysis-place-label",
                        dcc.Dropdown(
                            id="analysis-place",
                            options=[],
                            searchable=True,
                            clearable=False,
                            className="analysis-place",
                        ),
                    ),
                    control(
                        "analysis-period-label",
                        dcc.Dropdown(
                            id="analysis-period",
                            options=periods,
                            value=DEFAULT_PERIOD,
                            clearable=False,
                            className="analysis-period",
                        ),
                    ),
                    control(
                        "analysis-view-label", radio("analysis-view", [{"label": v, "value": v} for v in VIEWS], None)
                    ),
                ],
            ),
            html.P(id="analysis-hint", className="analysis-hint"),
            loading("direction-loading", html.Div(id="direction-body", className="science-body")),
            loading("trend-loading", html.Div(id="trend-body", className="science-body")),
            _compare_controls(),
            loading("compare-loading", html.Div(id="compare-body", className="science-body")),
            _alerts_form(),
        ],
    )
