"""An area's alert events as an Atom feed (RFC 4287), pure: rows in, XML bytes out. Each entry says what happened
in Dutch and English, and that the data are indicative."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from ijlucht import alert_texts
from ijlucht.alerts import Rule, target_name

ATOM = "http://www.w3.org/2005/Atom"


def _time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def entry_text(rule: Rule, target: str, start: datetime, last: datetime, peak: float | None, language: str) -> str:
    what = alert_texts.describe(rule, target, language)
    peak_text = alert_texts.peak_text(rule, peak)
    if language == "en":
        line = f"{what}: from {alert_texts.when(start)} to at least {alert_texts.when(last)}, peak {peak_text}."
    else:
        line = f"{what}: van {alert_texts.when(start)} tot minstens {alert_texts.when(last)}, piek {peak_text}."
    return f"{line} {alert_texts.INDICATIVE[language]}"


def render(feed_url: str, area_url: str, target: str, rows: list[tuple], now: datetime) -> bytes:
    """rows: (id, start, raised, last, peak, created_at, trigger, quantity, scale, band, hours), newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    name = target_name(target)
    _add(feed, "id", feed_url)
    _add(feed, "title", f"IJlucht — meldingen / alerts: {name}")
    _add(feed, "subtitle", f"{alert_texts.INDICATIVE['nl']} {alert_texts.INDICATIVE['en']}")
    _add(feed, "updated", _time(max((r[5] for r in rows), default=now)))
    _add(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    _add(feed, "link", rel="related", href=area_url)
    author = _add(feed, "author")
    _add(author, "name", "IJlucht")
    for event_id, start, _raised, last, peak, created, *rule in rows:
        r = Rule(*rule)
        entry = _add(feed, "entry")
        _add(entry, "id", f"{feed_url}#event-{event_id}")
        _add(entry, "title", alert_texts.describe(r, target, "nl"))
        _add(entry, "published", _time(created))
        _add(entry, "updated", _time(created))
        _add(entry, "link", rel="alternate", href=area_url)
        text = "\n\n".join(entry_text(r, target, start, last, peak, lang) for lang in ("nl", "en"))
        _add(entry, "summary", text)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
