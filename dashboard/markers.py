"""Kit markers (pure): the /v1/map/latest or /v1/map/hourly answer → per-kit values, colours and hover texts.

The latest values carry the API's band, staleness and exclusion, used as given. Hourly means come without bands:
they are banded by the same core scales (ijlucht.bands) the API uses. Temperature, humidity, pressure and PM1 have
no health bands: they get neutral value bins (blue → yellow), so nobody reads "bad" into them.
"""

from dataclasses import dataclass
from typing import Any

from dashboard.i18n import format_number, format_time, parse_time, text
from ijlucht import quality
from ijlucht.bands import NO_BAND_COLOUR, Band, band_for, bands_of
from ijlucht.quantities import BY_KEY

QUANTITY_CHOICES = ("pm25", "pm10", "pm1", "t", "rh", "p")
# The API's `correction` choices (/v1/map/latest, docs/science.md); raw is the default and the hot path.
CORRECTIONS = ("raw", "humidity", "calibrated")

# Value bins for quantities without a health scale: edges between bins, in the quantity's unit.
_VALUE_EDGES: dict[str, tuple[float, ...]] = {
    "pm1": (5, 10, 20, 50),
    "t": (0, 5, 10, 15, 20, 25),
    "rh": (40, 60, 80, 90),
    "p": (990, 1000, 1010, 1020, 1030),
}
_NEUTRAL = ("#313695", "#4575b4", "#74add1", "#abd9e9", "#e0f3f8", "#fee090", "#fdae61")  # ColorBrewer RdYlBu


def _value_bins(quantity: str) -> tuple[Band, ...]:
    edges = _VALUE_EDGES.get(quantity, ())
    if not edges:
        return ()
    colours = _NEUTRAL[-(len(edges) + 1) :] if quantity != "t" else _NEUTRAL[: len(edges) + 1]
    lowers, uppers = (0.0 if quantity != "t" else -40.0, *edges), (*edges, None)
    unit = BY_KEY[quantity].unit
    bands = []
    for i, (lo, up, colour) in enumerate(zip(lowers, uppers, colours, strict=True), start=1):
        name = f"≤ {up:g} {unit}" if i == 1 else (f"> {lo:g} {unit}" if up is None else f"{lo:g}–{up:g} {unit}")
        bands.append(Band(i, name, name, colour, lo, up))
    return tuple(bands)


def colour_bands(quantity: str, scale: str) -> tuple[Band, ...]:
    """The bands the map colours `quantity` with: the scale's, or neutral value bins."""
    return bands_of(quantity, scale) or _value_bins(quantity)


def has_scale(quantity: str, scale: str) -> bool:
    return bool(bands_of(quantity, scale))


def band_of(quantity: str, value: float | None, scale: str) -> Band | None:
    if has_scale(quantity, scale):
        return band_for(quantity, value, scale)
    if value is None:
        return None
    for band in _value_bins(quantity):
        if band.upper is None or value <= band.upper:
            return band
    return None


@dataclass(frozen=True)
class KitMarker:
    kit_id: str
    name: str
    lat: float
    lon: float
    value: float | None
    time: str | None  # ISO time of the value (start of the hour for hourly means)
    online: bool | None
    stale: bool
    band: Band | None
    colour: str
    excluded: bool = False  # the API left the value out of public means (an unclean quality flag): no band
    stale_minutes: int | None = None  # the API's threshold behind `stale` (its stale_after_s), for the texts
    flags: int = 0  # quality flags of the latest reading (ijlucht.quality), named in the hover text
    corrected: bool = False  # `value` is the API's corrected_value (or None: no corrected value, see `reason`)
    method: str | None = None  # the method version the corrected value came from ("kohler-v1")
    reason: str | None = None  # why there is no corrected value (the API's correction_reason)

    @property
    def grey(self) -> bool:
        return self.colour == NO_BAND_COLOUR


def marker_colour(band: Band | None, online: bool | None, stale: bool = False) -> str:
    """The band's colour; grey when there is no band, or the kit is offline or has been silent too long."""
    if band is None or online is False or stale:
        return NO_BAND_COLOUR
    return band.colour


def api_band(quantity: str, props: dict[str, Any], scale: str) -> Band | None:
    """The band the API gave the value (its `band`); quantities without a health scale get their value bin."""
    if not has_scale(quantity, scale):
        return band_of(quantity, props.get("value"), scale)
    given = props.get("band")
    if not isinstance(given, dict):
        return None
    known = next((b for b in colour_bands(quantity, scale) if b.index == given.get("index")), None)
    lower, upper = (known.lower, known.upper) if known else (0.0, None)
    return Band(given["index"], given["name_nl"], given["name_en"], given["colour"], lower, upper)


def latest_markers(latest: dict[str, Any], scale: str) -> list[KitMarker]:
    """One marker per kit with a location, from /v1/map/latest."""
    quantity = latest.get("quantity", "pm25")
    corrected = latest.get("correction", "raw") != "raw"
    stale_after_s = latest.get("stale_after_s")
    stale_minutes = int(stale_after_s) // 60 if isinstance(stale_after_s, int | float) else None
    markers = []
    for feature in latest.get("features", []):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") != "Point":
            continue  # a kit without a public location cannot be drawn
        lon, lat = geometry["coordinates"][:2]
        p = feature.get("properties") or {}
        excluded = bool(p.get("excluded"))
        band = None if excluded else api_band(quantity, p, scale)
        stale = bool(p.get("stale"))
        kit_id = p.get("kit_id") or str(feature.get("id"))
        # Corrected: the corrected value and the band the API computed from it; never the raw value instead.
        value = p.get("corrected_value") if corrected else p.get("value")
        if corrected and value is None:
            band = None
        markers.append(
            KitMarker(kit_id, p.get("name") or kit_id, lat, lon, value, p.get("time"), p.get("online"),
                      stale, band, marker_colour(band, p.get("online"), stale), excluded, stale_minutes,
                      p.get("flags") or 0, corrected, p.get("correction") if corrected else None,
                      p.get("correction_reason") if corrected else None)
        )  # fmt: skip
    return markers


def place_in_hour(places: list[dict[str, Any]], time: str | None) -> tuple[float, float] | None:
    """(lat, lon) a kit had in the hour starting at `time`, from /v1/map/hourly's `positions` (each with the hour
    it took over from, RFC 3339 as the hours are); None when the kit has no position in the window."""
    if not places:
        return None
    chosen = places[0]
    for place in places:
        if time is not None and place["since"] <= time:
            chosen = place
    return chosen["lat"], chosen["lon"]


def hour_markers(positions: list[KitMarker], hourly: dict[str, Any], hour: int, scale: str) -> list[KitMarker]:
    """The kits of `positions` with their mean of hour number `hour` of /v1/map/hourly (grey without one), each
    where it stood in that hour: a kit that moved since is drawn at its old place."""
    quantity = hourly["quantity"]
    hours = hourly.get("hours") or []
    time = hours[hour] if 0 <= hour < len(hours) else None
    corrected = hourly.get("correction") not in (None, "raw")  # then corrected means, with methods and reasons
    methods, reasons = hourly.get("methods") or {}, hourly.get("reasons") or {}
    places = hourly.get("positions") or {}
    markers = []
    for m in positions:
        values = hourly.get("kits", {}).get(m.kit_id) or []
        value = values[hour] if time and hour < len(values) else None
        lat, lon = place_in_hour(places.get(m.kit_id) or [], time) or (m.lat, m.lon)
        band = band_of(quantity, value, scale)
        reason = (reasons.get(m.kit_id) or "none in this hour") if corrected and value is None else None
        markers.append(
            KitMarker(m.kit_id, m.name, lat, lon, value, time, None, False, band, marker_colour(band, None),
                      stale_minutes=m.stale_minutes, corrected=corrected,
                      method=methods.get(m.kit_id) if corrected else None, reason=reason)
        )  # fmt: skip
    return markers


def newest_time(markers: list[KitMarker]) -> str | None:
    """ISO time of the newest value on the map, or None when no kit has one."""
    timed = [m for m in markers if m.time and m.value is not None]
    return max(timed, key=lambda m: parse_time(m.time)).time if timed else None


def hover_text(marker: KitMarker, language: str, quantity: str) -> str:
    q = BY_KEY[quantity]
    label = q.label_en if language == "en" else q.label_nl
    lines = [f"<b>{marker.name}</b> ({marker.kit_id})"]
    if marker.value is None and marker.corrected:
        lines.append(f"{label}: {text('hover_no_corrected', language, reason=marker.reason or '?')}")
    elif marker.value is None:
        lines.append(f"{label}: {text('hover_no_value', language)}")
    else:
        band = f" — {marker.band.name(language)}" if marker.band and has_scale_name(marker.band) else ""
        lines.append(f"{label}: {format_number(marker.value, language, q.decimals)} {q.unit}{band}")
        if marker.corrected:
            lines.append(text("hover_corrected", language, method=marker.method or "?"))
    if marker.time:
        lines.append(f"{text('hover_time', language)}: {format_time(marker.time, language)}")
    if marker.excluded:
        lines.append(text("hover_excluded", language))
    elif marker.flags:
        lines.append(text("hover_flagged", language, flags=flag_words(marker.flags, language)))
    if marker.online is False:
        lines.append(text("hover_offline", language))
    elif marker.stale:
        lines.append(stale_text("hover_stale", language, marker.stale_minutes))
    return "<br>".join(lines)


def flag_words(flags: int, language: str) -> str:
    """The quality flags of a reading in words ('high humidity (may read high)'), for hover texts."""
    return ", ".join(text(f"flag_{name}", language) for name in quality.flag_names(flags))


def stale_text(key: str, language: str, minutes: int | None) -> str:
    """The sentence `key` with the API's stale threshold in minutes, or its variant without a number."""
    return text(key, language, minutes=minutes) if minutes else text(f"{key}_plain", language)


def stale_minutes_of(markers: list[KitMarker]) -> int | None:
    return next((m.stale_minutes for m in markers if m.stale_minutes), None)


def has_scale_name(band: Band) -> bool:
    """Value bins are named by their range, which the hover already shows as a number."""
    return band.name_nl[:1].isalpha()


def marker_properties(markers: list[KitMarker], language: str, quantity: str) -> dict[str, list]:
    """The per-kit arrays of the map traces; a Patch() of these refreshes the map without redrawing it."""
    return {
        "lat": [m.lat for m in markers],
        "lon": [m.lon for m in markers],
        "color": [m.colour for m in markers],
        "hovertext": [hover_text(m, language, quantity) for m in markers],
        "customdata": [[m.kit_id, m.name] for m in markers],  # read back from clickData
    }
