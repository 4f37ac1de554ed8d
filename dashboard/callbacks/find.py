"""Find a kit, a place or an area: the search box (kits, reference stations, places, municipalities, districts;
dashboard/places.py) and the kit list (a sortable table whose
names open the kit). Both select the kit and move the map there through the map-view store."""

import math
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from dashboard.api_client import ApiClient, ApiError, InvalidKitId, checked_kit_id
from dashboard.i18n import language_or_default, text
from dashboard.kit_table import COLUMNS, kit_table
from dashboard.layout import DEFAULT_QUANTITY, choice
from dashboard.markers import QUANTITY_CHOICES, latest_markers
from dashboard.places import PLACE_ZOOM, STATION_ZOOM, Station, load_places
from dashboard.settings import DashboardSettings
from ijlucht import geo
from ijlucht.bands import DEFAULT_SCALE, SCALES

KIT_ZOOM = 15.0


def search_options(names: dict[str, str], language: str, stations: tuple[Station, ...] = ()) -> list[dict[str, str]]:
    """Kits by name, reference stations, places (with their municipality), then municipalities and districts (with
    their municipality) as search choices."""
    municipalities = geo.area_names("municipality")
    options = [
        {"label": f"{text('search_kit', language)}: {name} ({kit_id})", "value": f"kit:{kit_id}"}
        for kit_id, name in sorted(names.items(), key=lambda kv: kv[1].lower())
    ]
    for station in sorted(stations, key=lambda s: s.name.lower()):
        label = f"{text('search_station', language)}: {station.name} ({station.code})"
        options.append({"label": label, "value": f"station:{station.code}"})
    for place in load_places():
        label = f"{text('search_place', language)}: {place.name} ({place.municipality})"
        options.append({"label": label, "value": f"place:{place.name}"})
    for area in geo.areas("municipality"):
        options.append({"label": f"{text('search_municipality', language)}: {area.name}", "value": f"area:{area.code}"})
    for area in geo.areas("district"):
        place = municipalities.get(area.parent_code or "", "?")
        options.append(
            {"label": f"{text('search_district', language)}: {area.name} ({place})", "value": f"area:{area.code}"}
        )
    return options


def area_view(code: str) -> dict[str, Any] | None:
    """Centre and a zoom that shows the whole area, for a CBS code; None if unknown."""
    area = next((a for level in geo.LEVELS for a in geo.areas(level) if a.code == code), None)
    if area is None:
        return None
    x0, y0, x1, y1 = area.bbox
    span = max(x1 - x0, (y1 - y0) * 1.6, 0.005)  # a degree of latitude is ~1.6 of longitude here
    zoom = max(8.0, min(KIT_ZOOM, math.log2(360 * 2.3 / span) - 0.5))
    return {"centre": {"lat": (y0 + y1) / 2, "lon": (x0 + x1) / 2}, "zoom": round(zoom, 2)}


def point_view(value: str, stations: tuple[Station, ...]) -> dict[str, Any] | None:
    """Centre and zoom for a search value `place:<name>` or `station:<code>`; None for anything unknown (the value
    comes from the browser: only names and codes from our own lists count)."""
    kind, _, key = value.partition(":")
    if kind == "place":
        found = [(p.lat, p.lon, PLACE_ZOOM) for p in load_places() if p.name == key]
    elif kind == "station":
        found = [(s.lat, s.lon, STATION_ZOOM) for s in stations if s.code == key]
    else:
        found = []
    if not found:
        return None
    lat, lon, zoom = found[0]
    return {"centre": {"lat": lat, "lon": lon}, "zoom": zoom}


def kit_view(latest: dict[str, Any], kit_id: str) -> tuple[dict[str, str], dict[str, Any] | None]:
    """(selected-kit store, map view centred on the kit) from /v1/map/latest."""
    for feature in latest.get("features", []):
        p = feature.get("properties") or {}
        if p.get("kit_id") == kit_id:
            geometry = feature.get("geometry") or {}
            selected = {"kit_id": kit_id, "name": p.get("name") or kit_id}
            if geometry.get("type") != "Point":
                return selected, None
            lon, lat = geometry["coordinates"][:2]
            return selected, {"centre": {"lat": lat, "lon": lon}, "zoom": KIT_ZOOM}
    return {"kit_id": kit_id, "name": kit_id}, None


def register(app: Dash, client: ApiClient, settings: DashboardSettings, stations: tuple[Station, ...] = ()) -> None:
    @app.callback(
        Output("search", "options"),
        Output("search", "placeholder"),
        Output("search-label", "children"),
        Input("kit-names", "data"),
        Input("language", "value"),
    )
    def update_search(names: Any, language: str) -> tuple:
        language = language_or_default(language)
        names = names if isinstance(names, dict) else {}
        return (
            search_options(names, language, stations),
            text("search_placeholder", language),
            text("search_label", language),
        )

    @app.callback(
        Output("selected-kit", "data", allow_duplicate=True),
        Output("map-view", "data", allow_duplicate=True),
        Input("search", "value"),
        prevent_initial_call=True,
    )
    def go_to(found: Any) -> tuple:
        if not isinstance(found, str):
            return no_update, no_update
        if found.startswith("area:"):
            return no_update, area_view(found[5:]) or no_update
        if found.startswith(("place:", "station:")):
            return no_update, point_view(found, stations) or no_update
        try:
            kit_id = checked_kit_id(found.removeprefix("kit:"))
            selected, view = kit_view(client.map_latest(DEFAULT_QUANTITY, DEFAULT_SCALE), kit_id)
        except ApiError:  # InvalidKitId included: nothing is asked
            return no_update, no_update
        return selected, view or no_update

    @app.callback(
        Output("kit-table", "children"),
        Output("kits-toggle", "children"),
        Output("kits-toggle", "aria-expanded"),
        Input("refresh", "n_intervals"),
        Input("quantity", "value"),
        Input("scale", "value"),
        Input("language", "value"),
        Input("kit-sort", "data"),
        Input("kits-toggle", "n_clicks"),
    )
    def update_table(_n, quantity, scale, language, sort, toggled) -> tuple:
        language = language_or_default(language)
        shown = isinstance(toggled, int) and toggled % 2 == 1
        title = ("▾ " if shown else "▸ ") + text("kits_title", language)
        if not shown:  # closed: nothing to build (a thousand rows cost the first visit)
            return [], title, "false"
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        scale = choice(scale, tuple(SCALES), DEFAULT_SCALE)
        try:
            latest = client.map_latest(quantity, scale)
        except ApiError as exc:
            return [text("api_down", language, detail=str(exc), seconds=settings.refresh_seconds)], title, "true"
        places = {
            (f.get("properties") or {}).get("kit_id"): (f.get("properties") or {}).get("municipality")
            for f in latest.get("features", [])
        }
        sort = sort if isinstance(sort, dict) else {}
        return kit_table(latest_markers(latest, scale), places, language, quantity, sort), title, "true"

    @app.callback(
        Output("kit-sort", "data"),
        Input({"type": "kit-sort-by", "column": ALL}, "n_clicks"),
        State("kit-sort", "data"),
        prevent_initial_call=True,
    )
    def sort_by(clicks: list, sort: Any) -> Any:
        column = (ctx.triggered_id or {}).get("column") if isinstance(ctx.triggered_id, dict) else None
        if column not in COLUMNS or not any(clicks or []):
            return no_update
        sort = sort if isinstance(sort, dict) else {}
        descending = not sort.get("descending") if sort.get("column") == column else False
        return {"column": column, "descending": descending}

    @app.callback(
        Output("selected-kit", "data", allow_duplicate=True),
        Output("map-view", "data", allow_duplicate=True),
        Input({"type": "kit-pick", "kit": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def pick(clicks: list) -> tuple:
        if not isinstance(ctx.triggered_id, dict) or not any(clicks or []):
            return no_update, no_update
        try:
            kit_id = checked_kit_id(ctx.triggered_id.get("kit"))
            selected, view = kit_view(client.map_latest(DEFAULT_QUANTITY, DEFAULT_SCALE), kit_id)
            return selected, view or no_update
        except InvalidKitId:
            return no_update, no_update
        except ApiError:
            return {"kit_id": kit_id, "name": kit_id}, no_update
