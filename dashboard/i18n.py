"""Texts of the dashboard in Dutch (default) and English, and number/time formatting per language."""

from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "IJlucht — fijnstof in de IJmond",
        "subtitle": "Meetkits van bewoners in Velsen, Beverwijk, Heemskerk en Wijk aan Zee",
        "language_label": "Taal",
        "map_label": "Kaart van de meetkits",
        "map_caption": "{quantity} in {unit}: laatste waarde per kit (nieuwste: {time}). Kleur volgens de {scale}.",
        "map_caption_empty": "{quantity} in {unit}: nog geen metingen. Kleur volgens de {scale}.",
        "legend_title": "Klassen {quantity} ({unit})",
        "legend_no_value": "geen waarde of kit offline",
        "hover_no_value": "geen waarde",
        "hover_offline": "offline",
        "hover_online_unknown": "status onbekend",
        "hover_time": "tijd",
        "chart_hint": "Klik op een kit op de kaart om de metingen van de afgelopen 24 uur te zien.",
        "chart_title": "{name}: fijnstof, afgelopen 24 uur",
        "chart_no_readings": "{name}: geen metingen in de afgelopen 24 uur.",
        "axis_time": "tijd (Nederlandse tijd)",
        "axis_concentration": "concentratie (µg/m³)",
        "who_line": "WHO-advieswaarde PM2,5, 24-uursgemiddelde: 15 µg/m³",
        "api_down": "De meetgegevens zijn nu niet bereikbaar ({detail}). Het dashboard probeert het elke {seconds} s "
        "opnieuw.",
        "kit_not_found": "Kit {kit_id} bestaat niet (meer) of is niet openbaar.",
        "map_caption_unavailable": "{quantity} in {unit}: geen gegevens, zie de melding boven de kaart.",
        "footer": "Open data van burgermeetkits. Grenzen van gemeenten en wijken: CBS / Kadaster (CC BY 4.0), "
        "vereenvoudigd. Klassen: {scale}.",
        "kits_count": "{n} kits op de kaart",
    },
    "en": {
        "title": "IJlucht — particulate matter in the IJmond",
        "subtitle": "Residents' measurement kits in Velsen, Beverwijk, Heemskerk and Wijk aan Zee",
        "language_label": "Language",
        "map_label": "Map of the measurement kits",
        "map_caption": "{quantity} in {unit}: latest value per kit (newest: {time}). Colour by the {scale}.",
        "map_caption_empty": "{quantity} in {unit}: no readings yet. Colour by the {scale}.",
        "legend_title": "{quantity} bands ({unit})",
        "legend_no_value": "no value or kit offline",
        "hover_no_value": "no value",
        "hover_offline": "offline",
        "hover_online_unknown": "status unknown",
        "hover_time": "time",
        "chart_hint": "Click a kit on the map to see its readings of the last 24 hours.",
        "chart_title": "{name}: particulate matter, last 24 hours",
        "chart_no_readings": "{name}: no readings in the last 24 hours.",
        "axis_time": "time (Dutch local time)",
        "axis_concentration": "concentration (µg/m³)",
        "who_line": "WHO guideline PM2.5, 24-hour mean: 15 µg/m³",
        "api_down": "The measurements cannot be reached right now ({detail}). The dashboard retries every {seconds} s.",
        "kit_not_found": "Kit {kit_id} does not exist (any more) or is not public.",
        "map_caption_unavailable": "{quantity} in {unit}: no data, see the message above the map.",
        "footer": "Open data from citizen measurement kits. Municipality and district boundaries: CBS / Kadaster "
        "(CC BY 4.0), simplified. Bands: {scale}.",
        "kits_count": "{n} kits on the map",
    },
}


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def text(key: str, language: str | None, **values: object) -> str:
    """The text `key` in `language` (Dutch for anything unknown), with {placeholders} filled in."""
    template = TEXTS[language_or_default(language)][key]
    return template.format(**values) if values else template


def format_number(value: float, language: str | None, decimals: int = 1) -> str:
    """7.1 → '7,1' in Dutch, '7.1' in English."""
    formatted = f"{value:.{decimals}f}"
    return formatted.replace(".", ",") if language_or_default(language) == "nl" else formatted


def parse_time(iso: str) -> datetime:
    """An ISO 8601 time from the API as an aware datetime (a time without zone is UTC, as in the contract)."""
    t = datetime.fromisoformat(iso)
    return t if t.tzinfo else t.replace(tzinfo=ZoneInfo("UTC"))


def local_time(iso: str) -> datetime:
    """An API time converted to Dutch local time, without zone (plotly draws zone-less times as given)."""
    return parse_time(iso).astimezone(LOCAL_ZONE).replace(tzinfo=None)


def format_time(iso: str, language: str | None) -> str:
    """'2026-11-28T23:59:00+00:00' → '29-11-2026 00:59' (nl) or '29 Nov 2026 00:59' (en), Dutch local time."""
    t = local_time(iso)
    if language_or_default(language) == "nl":
        return t.strftime("%d-%m-%Y %H:%M")
    return t.strftime("%d %b %Y %H:%M")
