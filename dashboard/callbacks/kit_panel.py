"""The kit panel: a kit → its status, its chart over 24 h / 7 d / 30 d / 1 y (raw and hourly, or daily means beyond a
month; flagged readings, WHO line), kits to compare, its daily cycle and weekday means, and a download of the chart."""

from datetime import UTC, datetime, timedelta
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard.api_client import ApiClient, ApiError, InvalidKitId, KitNotFound, checked_kit_id
from dashboard.download import FORMATS, BadRequest, checked_shown, download_frame, file_bytes, file_name
from dashboard.figures.episodes import add_episodes
from dashboard.i18n import format_time, language_or_default, text
from dashboard.kit_chart import corrected_trace, kit_figure, message_figure
from dashboard.layout import DEFAULT_QUANTITY, MAX_COMPARED, RANGES, choice
from dashboard.markers import CORRECTIONS, QUANTITY_CHOICES
from dashboard.profile_chart import profile_figure
from dashboard.settings import DashboardSettings
from dashboard.stations import comparison_trace, nearest_of, nearest_sentence
from ijlucht.bands import DEFAULT_SCALE
from ijlucht.quantities import BY_KEY

SPANS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30), "1y": timedelta(days=365)}
# /v1/episodes answers at most 92 days (the background is computed hour by hour over every place): a year's chart
# shades the episodes of its last 92 days.
EPISODE_SPAN = timedelta(days=92)
EMPTY = {"data": [], "layout": {"height": 10, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


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
        Output("kit-cycle", "figure"),
        Output("kit-weekday", "figure"),
        Output("kit-shown", "data"),
        Output("downloads", "hidden"),
        Output("kit-chart-note", "children"),
        Input("selected-kit", "data"),
        Input("compare", "value"),
        Input("quantity", "value"),
        Input("language", "value"),
        Input("kit-range", "value"),
        Input("correction", "value"),
        State("kit-names", "data"),
    )
    def show_kit(selected, compare, quantity, language, span, correction, names) -> tuple:
        language = language_or_default(language)
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        correction = choice(correction, CORRECTIONS, "raw")
        span = choice(span, RANGES, RANGES[0])

        def message(key: str, **values: Any) -> tuple:
            return message_figure(text(key, language, **values)), None, EMPTY, EMPTY, None, True, None

        if not selected:
            return message("chart_hint")
        try:  # the stores come from the browser: nothing unchecked goes to the API
            kit_id, name, others = chosen_kits(selected, compare)
        except InvalidKitId:
            return message("kit_id_refused")
        names = {**(names if isinstance(names, dict) else {}), kit_id: name}
        end = datetime.now(UTC)
        start = end - SPANS[span]
        resolution = "day" if span == "1y" else "hour"
        try:
            feature = client.kit(kit_id)
            raw = client.series([kit_id], quantity, start, end, "raw") if span == "24h" else []
            means = client.series([kit_id, *others], quantity, start, end, resolution, correction=correction)
            stale = kit_is_stale(client.map_latest(quantity, DEFAULT_SCALE), kit_id)
            cycle = client.stats([kit_id], quantity, start, end, "hour_of_day")
            weekday = client.stats([kit_id], quantity, start, end, "day_of_week")
        except KitNotFound:
            return message("kit_not_found", kit_id=kit_id)
        except ApiError as exc:
            return message("api_down", detail=str(exc), seconds=settings.refresh_seconds)
        nearest = nearest_of(feature, quantity)
        try:  # the official station beside the kit; the panel goes on without it
            station_rows = (
                client.station_series(nearest["station_id"], nearest["component"], start, end) if nearest else []
            )
        except ApiError:
            station_rows = []
        names[kit_id] = (feature.get("properties") or {}).get("name") or name  # a link carries only the id
        shown = {"kits": [kit_id, *others], "quantity": quantity, "start": start.isoformat(), "end": end.isoformat(),
                 "resolution": resolution, "raw": span == "24h", "span": span}  # fmt: skip
        figure = kit_figure(kit_id, names, quantity, raw, means, language, span, resolution)
        if station_rows:
            figure.add_trace(comparison_trace(station_rows, nearest, language))
        trace, no_corrected = (
            corrected_trace(means, kit_id, quantity, language, resolution) if correction != "raw" else (None, None)
        )
        if trace is not None:
            figure.add_trace(trace)
        try:  # episodes involving the kit, shaded (issue 16); the chart goes on without them
            episodes = client.episodes(max(start, end - EPISODE_SPAN), end, quantity, place=f"kit:{kit_id}")
        except ApiError:
            episodes = []
        if episodes:
            add_episodes(figure, episodes, language, BY_KEY[quantity].unit, client.emitter_names())
        status = [*kit_status(feature, stale, language),
                  html.P(nearest_sentence(nearest, len(station_rows), language), className="kit-station")]  # fmt: skip
        if no_corrected:
            status.append(html.P(no_corrected, className="kit-correction"))
        return (
            figure,
            status,
            profile_figure(cycle, kit_id, "hour_of_day", quantity, language, span),
            profile_figure(weekday, kit_id, "day_of_week", quantity, language, span),
            shown,
            False,
            text("episodes_caption", language) if episodes else None,
        )

    @app.callback(
        Output("kit-download", "data"),
        Input("download-csv", "n_clicks"),
        Input("download-parquet", "n_clicks"),
        State("kit-shown", "data"),
        prevent_initial_call=True,
    )
    def download(_csv: int, _parquet: int, shown: Any) -> Any:
        fmt = "parquet" if ctx.triggered_id == "download-parquet" else "csv"
        try:
            chart = checked_shown(shown)
            kits, q, start, end = chart["kits"], chart["quantity"], chart["start"], chart["end"]
            raw = client.series(kits[:1], q, start, end, "raw") if chart["raw"] else []
            means = client.series(kits, q, start, end, chart["resolution"])
        except (BadRequest, ApiError):
            return no_update
        data = file_bytes(download_frame(raw, means, chart["resolution"]), fmt)
        return dcc.send_bytes(data, file_name(chart, fmt), type=FORMATS[fmt][0])
