"""Callbacks: refresh the map from the API, show the clicked kit's chart, switch the language."""

from typing import Any

from dash import Dash, Input, Output, Patch, State, html, no_update

from dashboard import figures
from dashboard.api_client import ApiClient, ApiError, KitNotFound
from dashboard.geo import Outlines
from dashboard.i18n import format_time, language_or_default, text
from dashboard.layout import legend, quantity_label, scale_label
from dashboard.settings import DashboardSettings
from ijlucht.quantities import BY_KEY


def _caption_values(language: str) -> dict[str, str]:
    quantity = figures.MAP_QUANTITY
    return {
        "quantity": quantity_label(quantity, language),
        "unit": BY_KEY[quantity].unit,
        "scale": scale_label(language),
    }


def map_caption(markers: list[figures.KitMarker], language: str) -> str:
    """Quantity, unit, that the colours show the latest value, and the time of the newest one."""
    values = _caption_values(language)
    newest = figures.newest_time(markers)
    caption = (
        text("map_caption", language, time=format_time(newest, language), **values)
        if newest
        else text("map_caption_empty", language, **values)
    )
    return f"{caption} {text('kits_count', language, n=len(markers))}."


def marker_patch(markers: list[figures.KitMarker], language: str) -> Patch:
    """Only the per-kit arrays of the map: the outlines (the bulk of the figure) stay in the browser."""
    props = figures.marker_properties(markers, language)
    patch = Patch()
    for trace in (figures.RING_TRACE, figures.KIT_TRACE):
        patch["data"][trace]["lat"] = props["lat"]
        patch["data"][trace]["lon"] = props["lon"]
        patch["data"][trace]["customdata"] = props["customdata"]
    patch["data"][figures.KIT_TRACE]["marker"]["color"] = props["color"]
    patch["data"][figures.KIT_TRACE]["hovertext"] = props["hovertext"]
    return patch


def register_callbacks(app: Dash, client: ApiClient, settings: DashboardSettings, outlines: Outlines) -> None:
    @app.callback(
        Output("kit-map", "figure"),
        Output("map-caption", "children"),
        Output("api-status", "children"),
        Output("map-language", "data"),
        Input("refresh", "n_intervals"),
        Input("language", "value"),
        State("map-language", "data"),
    )
    def refresh_map(_n: int, language: str, drawn_language: str | None) -> tuple:
        language = language_or_default(language)
        redraw = drawn_language != language
        try:
            kits = client.kits()
        except ApiError as exc:
            problem = html.P(text("api_down", language, detail=str(exc), seconds=settings.refresh_seconds))
            if not redraw:
                return no_update, no_update, problem, no_update
            empty = {"type": "FeatureCollection", "features": []}
            figure = figures.map_figure(empty, language, outlines, settings.tile_style)
            return figure, text("map_caption_unavailable", language, **_caption_values(language)), problem, language
        markers = figures.kit_markers(kits)
        caption = map_caption(markers, language)
        if redraw:
            return figures.map_figure(kits, language, outlines, settings.tile_style), caption, None, language
        return marker_patch(markers, language), caption, None, no_update

    @app.callback(Output("selected-kit", "data"), Input("kit-map", "clickData"), prevent_initial_call=True)
    def select_kit(click: dict[str, Any] | None) -> dict[str, str] | Any:
        points = (click or {}).get("points") or []
        custom = points[0].get("customdata") if points else None
        if not custom:
            return no_update
        kit_id, name = custom[0], custom[1] if len(custom) > 1 else custom[0]
        return {"kit_id": kit_id, "name": name}

    @app.callback(Output("kit-chart", "figure"), Input("selected-kit", "data"), Input("language", "value"))
    def show_chart(selected: dict[str, str] | None, language: str):
        language = language_or_default(language)
        if not selected:
            return figures.message_figure(text("chart_hint", language))
        try:
            readings = client.readings(selected["kit_id"], limit=settings.readings_limit)
        except KitNotFound:
            return figures.message_figure(text("kit_not_found", language, kit_id=selected["kit_id"]))
        except ApiError as exc:
            detail = text("api_down", language, detail=str(exc), seconds=settings.refresh_seconds)
            return figures.message_figure(detail)
        return figures.readings_figure(readings, selected["name"], language)

    @app.callback(
        Output("page", "lang"),
        Output("title", "children"),
        Output("subtitle", "children"),
        Output("language-label", "children"),
        Output("map-legend", "children"),
        Output("footer", "children"),
        Input("language", "value"),
    )
    def apply_language(language: str) -> tuple:
        language = language_or_default(language)
        return (
            language,
            text("title", language),
            text("subtitle", language),
            text("language_label", language),
            legend(language),
            text("footer", language, scale=scale_label(language)),
        )
