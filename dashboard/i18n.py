"""Texts of the dashboard (dashboard/texts.py) by language, and number/time formatting per language."""

from datetime import datetime
from zoneinfo import ZoneInfo

from dashboard.texts import TEXTS as TEXTS  # re-exported: the tests and callers read it here

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


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


def format_hour(iso: str, language: str | None) -> str:
    """An hour as a reader says it: 'za 28-11 14:00' (nl) or 'Sat 28 Nov 14:00' (en), Dutch local time."""
    t = local_time(iso)
    if language_or_default(language) == "nl":
        day = ("ma", "di", "wo", "do", "vr", "za", "zo")[t.weekday()]
        return f"{day} {t:%d-%m %H:%M}"
    return t.strftime("%a %d %b %H:%M")
