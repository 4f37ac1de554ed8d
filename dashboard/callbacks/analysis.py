"""The "wind, sources and trends" section: which place it is about (the clicked kit, or a station or area chosen in
its list or in the search) and which view is open. Each view fetches its data only once chosen (direction.py,
trend.py, alerts.py)."""

from typing import Any

from dash import Dash, Input, Output, State, ctx, no_update

from dashboard.api_client import ApiError, checked_place
from dashboard.i18n import language_or_default, text
from dashboard.places import Station
from ijlucht import geo


def place_options(selected: Any, language: str, stations: tuple[Station, ...]) -> list[dict[str, str]]:
    """The clicked kit (if any), the reference stations, then the municipalities and districts."""
    options = []
    if isinstance(selected, dict) and isinstance(selected.get("kit_id"), str):
        kit_id = selected["kit_id"]
        options.append({"label": f"{text('place_kit', language)}: {selected.get('name') or kit_id} ({kit_id})",
                        "value": f"kit:{kit_id}"})  # fmt: skip
    for s in sorted(stations, key=lambda s: s.name.lower()):
        options.append(
            {"label": f"{text('place_station', language)}: {s.name} ({s.code})", "value": f"station:{s.code}"}
        )
    for level in geo.LEVELS:
        for area in geo.areas(level):
            options.append({"label": f"{text('place_area', language)}: {area.name}", "value": f"area:{area.code}"})
    return options


def place_name(place: str, names: dict[str, str], stations: tuple[Station, ...]) -> str:
    """A place as a resident reads it: the kit's or station's name, or the area's."""
    kind, _, key = place.partition(":")
    if kind == "kit":
        return names.get(key, key)
    if kind == "station":
        return next((f"{s.name} ({s.code})" for s in stations if s.code == key), key)
    return next((a.name for level in geo.LEVELS for a in geo.areas(level) if a.code == key), key)


def chosen_place(place: Any, kinds: tuple[str, ...], language: str) -> tuple[str | None, str | None]:
    """(the checked place, None) or (None, the sentence to show instead): none chosen, refused, or of a kind the view
    does not take."""
    if not place:
        return None, text("analysis_need_place", language)
    try:
        checked = checked_place(place)
    except ApiError:
        return None, text("analysis_refused", language)
    if checked.partition(":")[0] not in kinds:
        return None, text("analysis_area_not_here", language)
    return checked, None


def register(app: Dash, stations: tuple[Station, ...]) -> None:
    @app.callback(
        Output("analysis-place", "options"),
        Output("analysis-place", "value"),
        Input("selected-kit", "data"),
        Input("search", "value"),
        Input("language", "value"),
        State("analysis-place", "value"),
    )
    def update_places(selected: Any, found: Any, language: str, current: Any) -> tuple:
        options = place_options(selected, language_or_default(language), stations)
        values = {o["value"] for o in options}
        if (
            ctx.triggered_id == "selected-kit"
            and isinstance(selected, dict)
            and f"kit:{selected.get('kit_id')}" in values
        ):
            return options, f"kit:{selected['kit_id']}"
        if ctx.triggered_id == "search" and isinstance(found, str) and found in values:
            return options, found  # a station or area chosen in the search
        if current is None and options and options[0]["value"].startswith("kit:"):
            return options, options[0]["value"]
        return options, current if current in values else no_update

    @app.callback(
        Output("analysis-hint", "hidden"),
        Output("compare-controls", "hidden"),
        Output("alerts-form", "hidden"),
        Input("analysis-view", "value"),
    )
    def show_view(view: Any) -> tuple:
        return view is not None, view != "compare", view != "alerts"
