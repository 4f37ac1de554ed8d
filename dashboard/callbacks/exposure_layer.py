"""The map layer "downwind of <source>": its choices (the sources the API knows) and, once switched on, the
downwind share and increment of every kit and station from /v1/exposure/map, patched into the map's layer trace."""

from typing import Any

from dash import Dash, Input, Output, Patch, State

from dashboard.api_client import ApiClient, ApiError
from dashboard.figures.exposure_layer import layer_arrays
from dashboard.i18n import language_or_default, text
from dashboard.layout import DEFAULT_QUANTITY, choice
from dashboard.legend import quantity_label
from dashboard.map_figure import LAYER_TRACE
from dashboard.markers import QUANTITY_CHOICES
from dashboard.page_texts import period_label
from dashboard.periods import DEFAULT_PERIOD, period_bounds, period_choices
from ijlucht.quantities import BY_KEY

OFF = "none"


def layer_patch(arrays: dict[str, Any]) -> Patch:
    """Only the layer trace's arrays change: the kits, stations and outlines stay as drawn."""
    patch = Patch()
    for key, value in arrays.items():
        patch["data"][LAYER_TRACE][key] = value
    return patch


def hidden_layer() -> Patch:
    return layer_patch({"lat": [], "lon": [], "hovertext": [], "customdata": [], "visible": False})


def register(app: Dash, client: ApiClient) -> None:
    @app.callback(Output("map-layer", "options"), Input("language", "value"))
    def layer_options(language: Any) -> list[dict[str, str]]:
        language = language_or_default(language)
        try:
            emitters = client.emitters()
        except ApiError:
            emitters = []
        return [{"label": text("layer_off", language), "value": OFF}] + [
            {"label": text("layer_exposure", language, name=e.get("name") or e["id"]), "value": e["id"]}
            for e in emitters
            if isinstance(e.get("id"), str)
        ]

    @app.callback(
        Output("kit-map", "figure", allow_duplicate=True),
        Output("layer-note", "children"),
        Output("layer-note", "hidden"),
        Input("map-layer", "value"),
        Input("analysis-period", "value"),
        Input("quantity", "value"),
        Input("language", "value"),
        State("map-layer", "options"),
        State("kit-names", "data"),
        prevent_initial_call=True,
    )
    def show_layer(emitter: Any, period: Any, quantity: Any, language: Any, options: Any, names: Any) -> tuple:
        known = {o.get("value"): o.get("label") for o in options or [] if isinstance(o, dict)}
        if not isinstance(emitter, str) or emitter == OFF or emitter not in known:
            return hidden_layer(), None, True
        language = language_or_default(language)
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        period = period if period in period_choices() else DEFAULT_PERIOD
        start, end = period_bounds(period)
        try:
            body = client.exposure_map(emitter, quantity, start, end)
        except ApiError as exc:
            return hidden_layer(), text("analysis_failed", language, detail=str(exc)), False
        q = BY_KEY[quantity]
        arrays = layer_arrays(body.get("results") or [], names if isinstance(names, dict) else {}, language,
                              (body.get("meta") or {}).get("unit") or q.unit, q.decimals)  # fmt: skip
        name = client.emitter_names().get(emitter, emitter)
        if not arrays["visible"]:
            return layer_patch(arrays), text("layer_empty", language), False
        caption = text("layer_caption", language, name=name, quantity=quantity_label(quantity, language),
                       period=period_label(period, language))  # fmt: skip
        return layer_patch(arrays), caption, False
