"""The trend view (monthly means, without season and weather, events marked; /v1/trend, /v1/events) and the
before/after view (/v1/compare over two spans of whole months, set by hand or around an event). Fetched only when
the view is open, or when Compare is pressed."""

from datetime import UTC, datetime
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard.api_client import ApiClient, ApiError
from dashboard.callbacks.analysis import chosen_place, place_name
from dashboard.figures.trend import (
    compare_figure,
    compare_sentence,
    event_list,
    events_shown,
    trend_figure,
    trend_sentences,
)
from dashboard.i18n import language_or_default, text
from dashboard.layout import DEFAULT_QUANTITY, PROFILE_CONFIG, choice
from dashboard.legend import quantity_label
from dashboard.markers import QUANTITY_CHOICES
from dashboard.periods import FIRST_YEAR, month_after, month_start, months_around
from dashboard.places import Station

PLACES = ("kit", "station", "area")


def failed(language: str, exc: Exception) -> list:
    return [html.P(text("analysis_failed", language, detail=str(exc)), className="analysis-message")]


def register(app: Dash, client: ApiClient, stations: tuple[Station, ...]) -> None:
    @app.callback(
        Output("trend-body", "children"),
        Input("analysis-view", "value"),
        Input("analysis-place", "value"),
        Input("quantity", "value"),
        Input("language", "value"),
        State("kit-names", "data"),
        prevent_initial_call=True,
    )
    def show_trend(view: Any, place: Any, quantity: Any, language: Any, names: Any) -> list:
        if view != "trend":
            return []
        language = language_or_default(language)
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        checked, problem = chosen_place(place, PLACES, language)
        if problem:
            return [html.P(problem, className="analysis-message")]
        end = datetime.now(UTC)
        try:  # everything since the oldest data the project ships: a trend needs years
            body = client.trend(checked, quantity, datetime(FIRST_YEAR, 1, 1, tzinfo=UTC), end, "weather")
        except ApiError as exc:
            return failed(language, exc)
        try:
            events = client.events()
        except ApiError:
            events = []
        name = place_name(checked, names if isinstance(names, dict) else {}, stations)
        figure = trend_figure(body, events, name, language, quantity)
        return [
            html.Figure([dcc.Graph(id="trend-chart", figure=figure, config=PROFILE_CONFIG),
                         html.Figcaption(text("trend_caption", language), className="figure-caption")]),
            event_list(events_shown(body.get("results") or [], events), language),
            *(html.P(s, className="trend-line") for s in trend_sentences(body, language, quantity,
                                                                           client.emitter_names())),
        ]  # fmt: skip

    @app.callback(
        Output("compare-event", "options"),
        Input("analysis-view", "value"),
        Input("language", "value"),
        prevent_initial_call=True,
    )
    def event_options(view: Any, language: Any) -> Any:
        if view != "compare":
            return no_update
        language = language_or_default(language)
        try:
            events = client.events()
        except ApiError:
            return []
        title = "title_en" if language == "en" else "title_nl"
        now = datetime.now(UTC).date().isoformat()
        return [{"label": f"{e['date'][:10]}: {e.get(title) or e['id']}", "value": e["date"][:10]}
                for e in sorted(events, key=lambda e: e.get("date", ""), reverse=True)
                if isinstance(e.get("date"), str) and e["date"][:10] <= now]  # fmt: skip

    @app.callback(
        Output("before-from", "value"),
        Output("before-to", "value"),
        Output("after-from", "value"),
        Output("after-to", "value"),
        Input("compare-event", "value"),
        prevent_initial_call=True,
    )
    def around_event(day: Any) -> tuple:
        if not isinstance(day, str) or month_start(day[:7]) is None:
            return (no_update,) * 4
        return months_around(day)

    @app.callback(
        Output("compare-body", "children"),
        Input("compare-go", "n_clicks"),
        Input("analysis-view", "value"),
        State("analysis-place", "value"),
        State("quantity", "value"),
        State("language", "value"),
        State("before-from", "value"),
        State("before-to", "value"),
        State("after-from", "value"),
        State("after-to", "value"),
        prevent_initial_call=True,
    )
    def show_compare(_go, view, place, quantity, language, b_from, b_to, a_from, a_to) -> Any:
        if view != "compare":
            return []
        if ctx.triggered_id != "compare-go":
            return no_update  # opening the view asks nothing: the reader first picks the periods
        language = language_or_default(language)
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        checked, problem = chosen_place(place, PLACES, language)
        if problem:
            return [html.P(problem, className="analysis-message")]
        before = (month_start(b_from), month_after(b_to))
        after = (month_start(a_from), month_after(a_to))
        if None in (*before, *after) or not (before[0] < before[1] <= after[0] < after[1]):
            return [html.P(text("compare_bad_dates", language), className="analysis-message")]
        try:
            results = client.compare(checked, quantity, before, after)
        except ApiError as exc:
            return failed(language, exc)
        label = quantity_label(quantity, language)
        return [
            html.Figure([dcc.Graph(id="compare-chart", figure=compare_figure(results, language, quantity),
                                   config=PROFILE_CONFIG),
                         html.Figcaption(text("compare_caption", language, quantity=label),
                                         className="figure-caption")]),
            html.P(compare_sentence(results, language, quantity), className="compare-line"),
        ]  # fmt: skip
