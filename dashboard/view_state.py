"""The view in the URL (pure): quantity, scale, raw or corrected values, time and the hour slider's position,
selected kit with its period and compared kits, map centre and zoom, language and embed mode.

A shared link reproduces the view. Everything in a URL comes from whoever wrote the link, so each value is checked
against its choices or range; anything else falls back to the default (and is left out of the next URL).
"""

import math
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard.i18n import LANGUAGES
from dashboard.layout import MAX_COMPARED, RANGES, WINDOW_HOURS, WINDOWS
from dashboard.markers import CORRECTIONS
from dashboard.markers import QUANTITY_CHOICES as QUANTITIES
from ijlucht.bands import DEFAULT_SCALE, SCALES
from ijlucht.contract import KIT_ID_PATTERN

EMBEDS = ("map", "kit")  # ?embed=1 is the map
# Map centre limits: the Netherlands and a margin; zoom as MapLibre's.
LAT_RANGE, LON_RANGE, ZOOM_RANGE = (50.0, 54.0), (2.0, 8.0), (5.0, 18.0)


@dataclass(frozen=True)
class ViewState:
    quantity: str = "pm25"
    scale: str = DEFAULT_SCALE
    window: str = "live"
    language: str = "nl"
    kit: str | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: float | None = None
    embed: str | None = None  # "map": only the map; "kit": only the kit panel
    period: str = "24h"  # the kit panel's period (RANGES)
    hour: int | None = None  # the hour slider's position in the window (0 = its first hour); None: the latest
    compare: tuple[str, ...] = ()  # kits compared with the selected one
    correction: str = "raw"  # the map's values: raw, humidity-corrected or calibrated (the API's `correction`)

    @property
    def centre(self) -> dict[str, float] | None:
        if self.lat is None or self.lon is None:
            return None
        return {"lat": self.lat, "lon": self.lon}


def _one_of(value: str | None, allowed: tuple[str, ...], default: Any) -> Any:
    return value if value in allowed else default


def _number(value: str | None, bounds: tuple[float, float]) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None or not math.isfinite(number) or not bounds[0] <= number <= bounds[1]:
        return None
    return number


def _hour(value: str | None, window: str) -> int | None:
    """A slider position of `window` (digits only, within its hours); the latest hour (None) otherwise."""
    hours = WINDOW_HOURS.get(window)
    if value is None or hours is None or not value.isascii() or not value.isdigit() or len(value) > 4:
        return None
    hour = int(value)
    return hour if hour < hours - 1 else None  # the last hour is the default


def _compare(value: str | None, kit: str | None) -> tuple[str, ...]:
    """Compared kit ids (comma-separated) beside a selected kit; any bad id, a repeat or too many: no comparison."""
    if not value or kit is None:
        return ()
    ids = value.split(",")
    if len(ids) > MAX_COMPARED or len(set(ids)) != len(ids) or kit in ids:
        return ()
    return tuple(ids) if all(KIT_ID_PATTERN.fullmatch(k) for k in ids) else ()


def parse_view(search: str | None, default_language: str = "nl") -> ViewState:
    """The view a URL query string (`?quantity=pm10&kit=bev-01…`) asks for; unknown or bad values are defaults."""
    params = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?"), keep_blank_values=False).items()}
    kit = params.get("kit")
    kit = kit if kit is not None and KIT_ID_PATTERN.fullmatch(kit) else None
    window = _one_of(params.get("window"), WINDOWS, "live")
    embed = params.get("embed")
    lat, lon = _number(params.get("lat"), LAT_RANGE), _number(params.get("lon"), LON_RANGE)
    if lat is None or lon is None:
        lat = lon = None
    return ViewState(
        quantity=_one_of(params.get("quantity"), QUANTITIES, "pm25"),
        scale=_one_of(params.get("scale"), tuple(SCALES), DEFAULT_SCALE),
        window=window,
        language=_one_of(params.get("lang"), LANGUAGES, default_language),
        kit=kit,
        lat=lat,
        lon=lon,
        zoom=_number(params.get("zoom"), ZOOM_RANGE),
        embed="map" if embed == "1" else _one_of(embed, EMBEDS, None),
        period=_one_of(params.get("period"), RANGES, "24h") if kit else "24h",
        hour=_hour(params.get("hour"), window),
        compare=_compare(params.get("compare"), kit),
        correction=_one_of(params.get("correction"), CORRECTIONS, "raw"),
    )


def view_search(view: ViewState, default_language: str = "nl") -> str:
    """The query string of `view`, leaving out what equals the default (short links)."""
    defaults = ViewState(language=default_language)
    params: dict[str, str] = {}
    names = (("quantity", "quantity"), ("scale", "scale"), ("correction", "correction"), ("window", "window"),
             ("language", "lang"))  # fmt: skip
    for name, key in names:
        if getattr(view, name) != getattr(defaults, name):
            params[key] = getattr(view, name)
    if view.hour is not None and view.window in WINDOW_HOURS:
        params["hour"] = str(view.hour)
    if view.kit:
        params["kit"] = view.kit
        if view.period != defaults.period:
            params["period"] = view.period
        if view.compare:
            params["compare"] = ",".join(view.compare)
    if view.lat is not None and view.lon is not None:
        params["lat"], params["lon"] = f"{view.lat:.5f}", f"{view.lon:.5f}"
    if view.zoom is not None:
        params["zoom"] = f"{view.zoom:.2f}"
    if view.embed:
        params["embed"] = view.embed
    return "?" + urlencode(params) if params else ""


def with_map_view(view: ViewState, relayout: dict[str, Any] | None) -> ViewState:
    """`view` with the centre and zoom the reader panned and zoomed to (plotly's relayoutData of the map)."""
    if not isinstance(relayout, dict):
        return view
    centre = relayout.get("map.center")
    zoom = relayout.get("map.zoom")
    if isinstance(centre, dict):
        lat = _number(str(centre.get("lat")), LAT_RANGE)
        lon = _number(str(centre.get("lon")), LON_RANGE)
        if lat is not None and lon is not None:
            view = replace(view, lat=lat, lon=lon)
    if isinstance(zoom, int | float):
        view = replace(view, zoom=_number(str(zoom), ZOOM_RANGE) or view.zoom)
    return view
