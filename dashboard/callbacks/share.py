"""The view in the URL, both ways: a link sets the controls, the hour slider, the selected kit with its period and
compared kits, the map centre and zoom and the embed mode; every change the reader makes rewrites the URL (without
reloading), so copying it shares the view."""

from dataclasses import replace
from typing import Any

from dash import Dash, Input, Output, State, ctx, no_update

from dashboard.layout import WINDOW_HOURS
from dashboard.settings import DashboardSettings
from dashboard.view_state import ViewState, parse_view, view_search, with_map_view


def page_class(view: ViewState) -> str:
    return f"page embed embed-{view.embed}" if view.embed else "page"


def map_place(view: ViewState) -> tuple:
    return view.lat, view.lon, view.zoom


def slider_position(value: object, window: str) -> int | None:
    """The hour slider's value as the view holds it: None for the latest hour (the default, left out of the URL)."""
    hours = WINDOW_HOURS.get(window)
    if not isinstance(value, int) or isinstance(value, bool) or hours is None or not 0 <= value < hours - 1:
        return None
    return value


def register(app: Dash, settings: DashboardSettings) -> None:
    @app.callback(
        Output("quantity", "value"),
        Output("scale", "value"),
        Output("correction", "value"),
        Output("window", "value"),
        Output("language", "value"),
        Output("selected-kit", "data", allow_duplicate=True),
        Output("map-view", "data", allow_duplicate=True),
        Output("kit-range", "value"),
        Output("hour-slider", "value", allow_duplicate=True),
        Output("compare", "value"),
        Output("page", "className"),
        Output("url", "search"),
        Output("drawn-link", "data"),
        Input("url", "search"),
        Input("quantity", "value"),
        Input("scale", "value"),
        Input("correction", "value"),
        Input("window", "value"),
        Input("language", "value"),
        Input("selected-kit", "data"),
        Input("kit-range", "value"),
        Input("hour-slider", "value"),
        Input("compare", "value"),
        Input("kit-map", "relayoutData"),
        State("drawn-link", "data"),
        prevent_initial_call="initial_duplicate",
    )
    def sync(
        search, quantity, scale, correction, window, language, selected, period, hour, compare, relayout, drawn
    ) -> tuple:
        linked = parse_view(search, settings.language)
        if ctx.triggered_id in (None, "url"):  # the page opened (or the browser went back): the link decides
            kit = {"kit_id": linked.kit, "name": linked.kit} if linked.kit else no_update
            view: Any = {"centre": linked.centre, "zoom": linked.zoom} if linked.centre or linked.zoom else no_update
            if isinstance(drawn, str) and map_place(parse_view(drawn, settings.language)) == map_place(linked):
                view = no_update  # the layout's map is there already (and the reader may have moved it since)
            # Only what the link changes: setting a control to its own value would redraw what depends on it.
            controls = [new if new != old else no_update for new, old in
                        zip((linked.quantity, linked.scale, linked.correction, linked.window, linked.language),
                            (quantity, scale, correction, window, language), strict=True)]  # fmt: skip
            shown = (period, None if linked.hour is None else hour, compare or [])  # no linked hour: the latest stays
            kit_controls = [new if new != old else no_update for new, old in
                            zip((linked.period, linked.hour, list(linked.compare)), shown, strict=True)]  # fmt: skip
            embed = page_class(linked)
            seen = None if drawn is not None else no_update  # only the page's first look at its link
            return (*controls, kit, view, *kit_controls, embed if embed != "page" else no_update, no_update, seen)
        kit_id = selected.get("kit_id") if isinstance(selected, dict) else None
        others = tuple(dict.fromkeys(k for k in (compare or []) if isinstance(k, str) and k != kit_id))
        chosen = replace(linked, quantity=str(quantity), scale=str(scale), correction=str(correction),
                         window=str(window), language=str(language),
                         kit=str(kit_id) if kit_id else None, period=str(period),
                         hour=slider_position(hour, str(window)), compare=others)  # fmt: skip
        # Through the parser: only valid values reach the URL.
        current = parse_view(view_search(chosen, settings.language), settings.language)
        current = with_map_view(replace(current, embed=linked.embed), relayout)
        new_search = view_search(current, settings.language)
        return (no_update,) * 11 + (new_search if new_search != (search or "") else no_update, no_update)
