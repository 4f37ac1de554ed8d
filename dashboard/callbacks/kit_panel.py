"""The kit panel: click a kit → its status and chart (raw, hourly, flagged, WHO line); add kits to compare."""

from typing import Any

from dash import Dash, Input, Output, State, html, no_update

from dashboard.api_client import ApiClient, ApiError, InvalidKitId, KitNotFound, checked_kit_id
from dashboard.i18n import format_time, language_or_default, text
from dashboard.kit_chart import kit_figure, message_figure
from dashboard.layout import DEFAULT_QUANTITY, choice
from dashboard.markers import QUANTITY_CHOICES
from dashboard.settings import DashboardSettings
from ijlucht.bands import DEFAULT_SCALE

CHART_HOURS = 24
MAX_COMPARED = 6


def chosen_kits(selected: object, compare: object) -> tuple[str, str, list[str]]:
    """(kit id, display name, compared kit ids) from the browser's stores, every id checked (InvalidKitId)."""
    if not isinstance(selected, dict):
        raise InvalidKitId(selected)
    kit_id = checked_kit_id(selected.get("kit_id"))
    name = selected.get("name")
    if compare is not None and not isinstance(compare, list):
        raise InvalidKitId(compare)
    others = [checked_kit_id(k) for k in (compare or [])[: MAX_COMPARED + 1]]
    return kit_id, name if isinstance(name, str) and name else kit_id, [k for k in others if k != kit_id][:MAX_COMPARED]


def kit_is_stale(latest: dict[str, Any], kit_id: str) -> bool:
    """The API's `stale` for the kit on the map (a kit not on the map, e.g. indoor, has no such verdict: False)."""
    for feature in latest.get("features", []):
        if (feature.get("properties") or {}).get("kit_id") == kit_id:
            return bool(feature["properties"].get("stale"))
    return False


def kit_status(feature: dict[str, Any], stale: bool, language: str) -> list:
    """Name, place, online state in words, last seen and firmware of a /v1/kits/{id} Feature."""
    p = feature.get("properties") or {}
    online = p.get("online")
    if online is False:
        state, css = text("status_offline", language), "offline"
    elif stale:
        state, css = text("status_stale", language), "stale"
    elif online:
        state, css = text("status_online", language), "online"
    else:
        state, css = text("status_unknown", language), "unknown"
    last_seen = p.get("last_seen")
    facts = [
        (text("status_place", language), p.get("municipality") or "–"),
        (text("status_last_seen", language), format_time(last_seen, language) if last_seen else "–"),
        (text("status_firmware", language), p.get("firmware") or "–"),
    ]
    return [
        html.H2(p.get("name") or p.get("kit_id"), id="kit-name"),
        html.Span(state, className=f"badge {css}", id="kit-state"),
        html.Dl([item for label, value in facts for item in (html.Dt(label), html.Dd(value))], className="facts"),
    ]


def register(app: Dash, client: ApiClient, settings: DashboardSettings) -> None:
    @app.callback(Output("selected-kit", "data"), Input("kit-map", "clickData"), prevent_initial_call=True)
    def select_kit(click: dict[str, Any] | None) -> dict[str, str] | Any:
        points = (click or {}).get("points") or []
        custom = points[0].get("customdata") if points else None
        if not custom:
            return no_update
        kit_id, name = custom[0], custom[1] if len(custom) > 1 else custom[0]
        return {"kit_id": kit_id, "name": name}

    @app.callback(
        Output("compare", "options"),
        Output("compare", "placeholder"),
        Input("kit-names", "data"),
        Input("selected-kit", "data"),
        Input("language", "value"),
    )
    def compare_options(names: dict[str, str] | None, selected: dict[str, str] | None, language: str) -> tuple:
        chosen = (selected or {}).get("kit_id")
        options = [{"label": name, "value": k} for k, name in sorted((names or {}).items(), key=lambda kv: kv[1])]
        return [o for o in options if o["value"] != chosen], text("compare_placeholder", language)

    @app.callback(
        Output("kit-chart", "figure"),
        Output("kit-status", "children"),
        Input("selected-kit", "data"),
        Input("compare", "value"),
        Input("quantity", "value"),
        Input("language", "value"),
        State("kit-names", "data"),
    )
    def show_kit(selected, compare, quantity, language, names) -> tuple:
        language = language_or_default(language)
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        if not selected:
            return message_figure(text("chart_hint", language)), None
        try:  # the stores come from the browser: nothing unchecked goes to the API
            kit_id, name, others = chosen_kits(selected, compare)
        except InvalidKitId:
            return message_figure(text("kit_id_refused", language)), None
        names = {**(names if isinstance(names, dict) else {}), kit_id: name}
        try:
            feature = client.kit(kit_id)
            raw = client.series_window([kit_id], quantity, CHART_HOURS, "raw")
            hourly = client.series_window([kit_id, *others], quantity, CHART_HOURS, "hour")
            stale = kit_is_stale(client.map_latest(quantity, DEFAULT_SCALE), kit_id)
        except KitNotFound:
            return message_figure(text("kit_not_found", language, kit_id=kit_id)), None
        except ApiError as exc:
            detail = text("api_down", language, detail=str(exc), seconds=settings.refresh_seconds)
            return message_figure(detail), None
        names[kit_id] = (feature.get("properties") or {}).get("name") or name  # a link carries only the id
        figure = kit_figure(kit_id, names, quantity, raw, hourly, language)
        return figure, kit_status(feature, stale, language)
