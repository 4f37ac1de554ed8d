"""Is the map fed by the demo fleet? virtualkit/fleet.py writes a marker (its DEMO_MARKER) into the state folder
while it replays past measurements as if live; the page then says so, with the period replayed."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dashboard.i18n import language_or_default, text

_MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december")  # fmt: skip


@dataclass(frozen=True)
class DemoPeriod:
    start: date
    end: date
    source: str


def demo_period(marker: Path) -> DemoPeriod | None:
    """The replayed period from the fleet's marker, or None: no marker (no demo), or one that cannot be read."""
    try:
        body = json.loads(marker.read_text(encoding="utf-8"))
        return DemoPeriod(
            date.fromisoformat(body["replayed_from"]), date.fromisoformat(body["replayed_to"]), str(body["source"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def format_day(day: date, language: str) -> str:
    if language_or_default(language) == "nl":
        return f"{day.day} {_MONTHS_NL[day.month - 1]} {day.year}"
    return f"{day.day} {day:%B %Y}"


def demo_label(period: DemoPeriod, language: str) -> str:
    return text(
        "demo_label",
        language,
        start=format_day(period.start, language),
        end=format_day(period.end, language),
        source=period.source,
    )
