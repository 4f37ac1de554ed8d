"""The current wind for the area (pure): the newest hour of KNMI IJmuiden (225, wind only, on the IJmond's coast),
else Schiphol (240), from /v1/weather, as an arrow, a speed and a compass word.

The arrow points where the air goes (KNMI gives where it comes FROM); calm and variable wind have no direction and
get no arrow (docs/science.md)."""

from typing import Any

from dash import html

from dashboard.i18n import format_hour, format_number, text

PREFERRED = ("225", "240")  # nearest to the works first
RECENT_HOURS = 3  # older than this is not "current": no wind shown
SECTORS = {
    "nl": ("N", "NO", "O", "ZO", "Z", "ZW", "W", "NW"),
    "en": ("N", "NE", "E", "SE", "S", "SW", "W", "NW"),
}


def sector(degrees: int, language: str) -> str:
    return SECTORS["en" if language == "en" else "nl"][round(degrees / 45) % 8]


def newest_wind(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest hour with a wind state, of the first preferred station that has one."""
    for station in PREFERRED:
        mine = [r for r in rows if r["station_id"] == station and r.get("wind_state")]
        if mine:
            return max(mine, key=lambda r: r["time"])
    return None


def wind_line(row: dict[str, Any] | None, language: str) -> html.P | None:
    if row is None:
        return None
    speed = "" if row.get("wind_speed") is None else f" {format_number(row['wind_speed'], language)} m/s"
    where = text("wind_where", language, name=row["name"] or row["station_id"], hour=format_hour(row["time"], language))
    if row["wind_state"] != "direction":
        state = text("wind_calm" if row["wind_state"] == "calm" else "wind_variable", language)
        return html.P([text("wind_label", language), f" {state}{speed} {where}"], id="wind", className="wind")
    arrow = html.Span(
        "↓", className="wind-arrow", style={"transform": f"rotate({row['wind_from']}deg)"},
        **{"aria-hidden": "true"},
    )  # fmt: skip
    words = text("wind_from", language, sector=sector(row["wind_from"], language), degrees=row["wind_from"])
    return html.P([text("wind_label", language), " ", arrow, f"{speed}, {words} {where}"], id="wind", className="wind")
