"""The map: drawn in full once, then refreshed with Patch(), live or per hour.

The browser keeps a small map state (a fingerprint of the kits and positions, and one short hash per marker). A
refresh sends nothing when no marker changed, only the changed markers' colour and hover text when a few did, the
whole colour and hover arrays when many did, and the positions only when kits appeared, went or moved.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from dash import Dash, Input, Output, Patch, State, ctx, html, no_update

from dashboard.api_client import ApiClient, ApiError
from dashboard.geo import Outlines
from dashboard.i18n import language_or_default, parse_time, text
from dashboard.layout import DEFAULT_QUANTITY, WINDOW_HOURS, WINDOWS, choice
from dashboard.legend import legend
from dashboard.map_figure import KIT_TRACE, RING_TRACE, map_figure
from dashboard.markers import CORRECTIONS, QUANTITY_CHOICES, KitMarker, hour_markers, latest_markers, marker_properties
from dashboard.settings import DashboardSettings
from dashboard.stations import StationMarker, station_markers
from dashboard.wind import PREFERRED, RECENT_HOURS, newest_wind, wind_line
from ijlucht.bands import DEFAULT_SCALE, SCALES


def kits_fingerprint(markers: list[KitMarker]) -> str:
    """Changes when a kit appears, disappears or moves: only then do positions travel again."""
    return hashlib.blake2b(
        repr([(m.kit_id, m.name, m.lat, m.lon) for m in markers]).encode(), digest_size=8
    ).hexdigest()


def marker_patch(markers: list[KitMarker], language: str, quantity: str, positions: bool = True) -> Patch:
    """Only the per-kit arrays of the map: the outlines stay in the browser, and the positions too unless the
    kits changed (`positions`). A refresh then sends colours and hover texts only."""
    props = marker_properties(markers, language, quantity)
    patch = Patch()
    for trace in (RING_TRACE, KIT_TRACE) if positions else ():
        patch["data"][trace]["lat"] = props["lat"]
        patch["data"][trace]["lon"] = props["lon"]
        patch["data"][trace]["customdata"] = props["customdata"]
    patch["data"][KIT_TRACE]["marker"]["color"] = props["color"]
    patch["data"][KIT_TRACE]["hovertext"] = props["hovertext"]
    return patch


def marker_marks(props: dict[str, list]) -> list[str]:
    """One short hash per marker of what the browser shows for it (colour and hover text)."""
    return [
        hashlib.blake2b(f"{c}|{h}".encode(), digest_size=4).hexdigest()
        for c, h in zip(props["color"], props["hovertext"], strict=True)
    ]


def changed_markers_patch(
    markers: list[KitMarker], language: str, quantity: str, state: dict[str, Any]
) -> tuple[Patch | None, dict[str, Any]]:
    """The smallest Patch from the drawn `state` to `markers` (None: nothing changed), and the new state."""
    props = marker_properties(markers, language, quantity)
    new_state = {"kits": kits_fingerprint(markers), "marks": marker_marks(props)}
    if state.get("kits") != new_state["kits"] or len(state.get("marks") or []) != len(markers):
        return marker_patch(markers, language, quantity, positions=True), new_state
    changed = [i for i, (a, b) in enumerate(zip(state["marks"], new_state["marks"], strict=True)) if a != b]
    if not changed:
        return None, new_state
    if len(changed) > len(markers) // 4:  # many changes: whole arrays are smaller than one operation per kit
        return marker_patch(markers, language, quantity, positions=False), new_state
    patch = Patch()
    for i in changed:
        patch["data"][KIT_TRACE]["marker"]["color"][i] = props["color"][i]
        patch["data"][KIT_TRACE]["hovertext"][i] = props["hovertext"][i]
    return patch, new_state


def checked_centre(centre: Any) -> dict[str, float] | None:
    """A centre from the browser's map-view store, if it is one: {lat, lon} as numbers near the Netherlands."""
    if not isinstance(centre, dict):
        return None
    lat, lon = centre.get("lat"), centre.get("lon")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    return {"lat": float(lat), "lon": float(lon)} if 50 <= lat <= 54 and 2 <= lon <= 8 else None


def checked_zoom(zoom: Any) -> float | None:
    ok = isinstance(zoom, int | float) and not isinstance(zoom, bool) and 5 <= zoom <= 18
    return float(zoom) if ok else None


def view_patch(view: Any) -> Any:
    """Move the drawn map to the centre and zoom of `view` (the map-view store); nothing when it holds neither."""
    view = view if isinstance(view, dict) else {}
    if checked_centre(view.get("centre")) is None and checked_zoom(view.get("zoom")) is None:
        return no_update
    return with_view(Patch(), view)


def with_view(patch: Patch | None, view: dict[str, Any]) -> Patch:
    """`patch` (or a new one) that also moves the map to the checked centre and zoom of `view`."""
    patch = patch if patch is not None else Patch()
    centre, zoom = checked_centre(view.get("centre")), checked_zoom(view.get("zoom"))
    if centre is not None:
        patch["layout"]["map"]["center"] = centre
    if zoom is not None:
        patch["layout"]["map"]["zoom"] = zoom
    return patch


@dataclass(frozen=True)
class MapView:
    markers: list[KitMarker]
    hour: tuple[str, str] | None  # (start, end) of the hour shown, None for the latest values


def map_view(
    client: ApiClient, quantity: str, scale: str, window: str, hour: int | None, correction: str = "raw"
) -> MapView:
    """The markers for the controls: the latest values (raw or corrected), or the hourly means of hour number
    `hour` of the window."""
    markers = latest_markers(client.map_latest(quantity, scale, correction), scale)
    if window not in WINDOW_HOURS:
        return MapView(markers, None)
    hourly = client.hourly_window(quantity, WINDOW_HOURS[window], correction=correction)
    hours = hourly.get("hours") or []
    if not hours:
        return MapView(hour_markers(markers, hourly, -1, scale), None)
    index = min(max(hour if hour is not None else len(hours) - 1, 0), len(hours) - 1)
    start = hours[index]
    end = (parse_time(start) + timedelta(hours=1)).isoformat()
    return MapView(hour_markers(markers, hourly, index, scale), (start, end))


# Whether the tile server answers: the tiles then cover the outlines; if not, the page says it shows outlines only.
TILE_PROBE_JS = """
function(url) {
    if (!url) { return true; }
    return fetch(url, {mode: 'cors', cache: 'no-store'}).then(
        function(r) { return r.ok; }, function() { return false; });
}
"""


def register(app: Dash, client: ApiClient, outlines: Outlines, settings: DashboardSettings) -> Callable[[str], dict]:
    """The map's callbacks; returns first_map(), the map for a page's layout (drawn on the server)."""
    app.clientside_callback(TILE_PROBE_JS, Output("tile-note", "hidden"), Input("tile-probe", "data"))

    def reference_stations() -> list[StationMarker]:
        """The stations to draw; none when the API cannot give them (the kits' map goes on without)."""
        try:
            return station_markers(client.stations())
        except ApiError:
            return []

    def current_wind(language: str) -> list:
        """The wind line under the legend; nothing when no recent hour (or the API cannot give it)."""
        try:
            line = wind_line(newest_wind(client.recent_weather(PREFERRED, RECENT_HOURS)), language)
        except ApiError:
            return []
        return [line] if line is not None else []

    def first_map(language: str) -> dict[str, Any]:
        """The live map with the default controls, for the page itself: the visitor sees it without waiting for
        a callback; the first refresh then sends only what changed. Empty if the API cannot be reached."""
        quantity, scale = DEFAULT_QUANTITY, DEFAULT_SCALE
        try:
            shown = map_view(client, quantity, scale, "live", None)
        except ApiError:
            return {}
        props = marker_properties(shown.markers, language, quantity)
        stations = reference_stations()
        return {
            "figure": full_figure(shown.markers, language, quantity, stations=stations),
            "legend": legend(shown.markers, language, quantity, scale, shown.hour, len(stations))
            + current_wind(language),
            "state": {"kits": kits_fingerprint(shown.markers), "marks": marker_marks(props)},
            "names": {m.kit_id: m.name for m in shown.markers},
        }

    def full_figure(
        markers: list[KitMarker], language: str, quantity: str, view: Any = None, stations: Any = None
    ) -> Any:
        view = view if isinstance(view, dict) else {}
        return map_figure(
            markers, language, quantity, outlines, settings.tile_style, settings.tile_url,
            settings.tile_attribution, checked_centre(view.get("centre")), checked_zoom(view.get("zoom")),
            stations,
        )  # fmt: skip

    @app.callback(
        Output("kit-map", "figure"),
        Output("map-legend", "children"),
        Output("api-status", "children"),
        Output("map-state", "data"),
        Output("kit-names", "data"),
        Input("refresh", "n_intervals"),
        Input("quantity", "value"),
        Input("scale", "value"),
        Input("correction", "value"),
        Input("language", "value"),
        Input("window", "value"),
        Input("hour-slider", "value"),
        Input("map-view", "data"),
        State("map-state", "data"),
        State("kit-names", "data"),
        # No refresh while an answer is awaited: a refresh would supersede the request still waiting, and an API
        # slower than the refresh interval would then never get its answer drawn. The interval restarts after.
        running=[(Output("refresh", "disabled"), True, False)],
    )
    def update_map(_n, quantity, scale, correction, language, window, hour, view, drawn, names) -> tuple:
        language = language_or_default(language)
        scale = choice(scale, tuple(SCALES), DEFAULT_SCALE)
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        correction = choice(correction, CORRECTIONS, "raw")
        window = choice(window, WINDOWS, "live")
        hour = hour if isinstance(hour, int) else None
        drawn = drawn if isinstance(drawn, dict) else None
        names = names if isinstance(names, dict) else None
        triggered = {p for p in ctx.triggered_prop_ids if p != "."}
        if drawn and triggered <= {"map-view.data"}:
            # The page came with the map drawn on the server (first_map), or a link, the search or the kit list
            # moves the map: only the view changes.
            return view_patch(view), no_update, no_update, no_update, no_update
        if drawn and window != "live" and triggered == {"refresh.n_intervals"}:
            return (no_update,) * 5  # history does not change every 15 s
        try:
            shown = map_view(client, quantity, scale, window, hour, correction)
        except ApiError as exc:
            problem = html.P(text("api_down", language, detail=str(exc), seconds=settings.refresh_seconds))
            unavailable = [html.P(text("legend_unavailable", language))]
            if drawn:
                return no_update, unavailable, problem, no_update, no_update
            empty = full_figure([], language, quantity, view)
            return empty, unavailable, problem, {"kits": "", "marks": []}, no_update
        new_names = {m.kit_id: m.name for m in shown.markers}
        stations = reference_stations()
        if drawn:
            figure, state = changed_markers_patch(shown.markers, language, quantity, drawn)
            if "map-view.data" in triggered and view_patch(view) is not no_update:  # moved too (a link)
                figure = with_view(figure, view)
        else:
            figure = full_figure(shown.markers, language, quantity, view, stations)
            state = {"kits": kits_fingerprint(shown.markers),
                     "marks": marker_marks(marker_properties(shown.markers, language, quantity))}  # fmt: skip
        return (
            no_update if figure is None else figure,
            legend(shown.markers, language, quantity, scale, shown.hour, len(stations)) + current_wind(language),
            None,
            state if state != drawn else no_update,
            new_names if new_names != names else no_update,
        )

    return first_map
