"""Dated events (plant closures, permits, enforcement, announcements) as data: data/events/events.csv.

Each event names a public source (`source_url`) and how sure its date is: `date_precision` (day, month or year:
a month or year event carries the first day) and `certainty` (`stated`: the source gives the date of the event
itself; `reported`: the date of a news report about it, the event may be a little earlier; `planned`: an announced
future step that may move or not happen). Charts mark them; nothing is computed from them.
"""

import csv
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ijlucht.settings import PROJECT_ROOT

EVENTS_FILE = PROJECT_ROOT / "data" / "events" / "events.csv"
PRECISIONS = ("day", "month", "year")
CERTAINTIES = ("stated", "reported", "planned")


class EventFileError(ValueError):
    """A row of the events file is not valid; the message names the line and the field."""


@dataclass(frozen=True)
class Event:
    id: str
    date: date
    date_precision: str
    kind: str
    emitter: str | None
    place: str | None
    title_nl: str
    title_en: str
    source_url: str
    certainty: str
    note: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def parse(path: Path) -> tuple[Event, ...]:
    events, seen = [], set()
    with path.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            where = f"{path.name}:{line}"
            try:
                day = date.fromisoformat(row["date"])
            except (TypeError, ValueError):
                raise EventFileError(f"{where}: date {row.get('date')!r} is not YYYY-MM-DD") from None
            if row["date_precision"] not in PRECISIONS:
                raise EventFileError(f"{where}: date_precision must be one of {', '.join(PRECISIONS)}")
            if row["certainty"] not in CERTAINTIES:
                raise EventFileError(f"{where}: certainty must be one of {', '.join(CERTAINTIES)}")
            if not row["source_url"].startswith("https://"):
                raise EventFileError(f"{where}: every event needs a public source_url (https://...)")
            if not row["id"] or row["id"] in seen:
                raise EventFileError(f"{where}: id {row['id']!r} is empty or repeated")
            seen.add(row["id"])
            optional = {k: row[k] or None for k in ("emitter", "place", "note")}
            fields = {k: row[k] for k in ("id", "date_precision", "kind", "title_nl", "title_en", "source_url")}
            events.append(Event(date=day, certainty=row["certainty"], **fields, **optional))
    return tuple(sorted(events, key=lambda e: (e.date, e.id)))


@cache
def events() -> tuple[Event, ...]:
    return parse(EVENTS_FILE)


def between(start: date | None = None, end: date | None = None, emitter: str | None = None) -> list[Event]:
    """Events with start <= date < end (either open), of one emitter when given."""
    found = [e for e in events() if (start is None or e.date >= start) and (end is None or e.date < end)]
    return [e for e in found if emitter is None or e.emitter == emitter]
