"""Luchtmeetnet (RIVM and the GGDs): official hourly values per station and component.

Time convention: `timestamp_measured` is the END of the measured hour, so a value labelled 01:00 covers
00:00–01:00 and is stored at 00:00. Sources: ../shared/reference/anchors.md (open API, `timestamp_measured` = end of
the hour) and https://api-docs.luchtmeetnet.nl/ (measurements endpoint). The CSV forms shipped in data/reference
carry the same label (the data README: kits and station agree at lag 0 with the kits also labelled this way;
tests/ingest/sources/test_alignment.py checks it on the real data).

Forms read:
* open-API measurement pages (JSON): {"pagination": {...}, "data": [{"station_number", "formula", "value",
  "timestamp_measured"}, ...]}
* multi-station CSV: station_number, date, then one column per component (SO2, pm25, ...; NA = missing)
* one-station CSV: pm25, datetime (station from the file name, e.g. NL49570.csv, or given)
"""

import csv
import io
import json
import re
from pathlib import Path

from ingest.sources.rows import BadRow, Parsed, Problem, ReferenceValue, csv_lines, hour_start, number

LABEL = "end"
STATION = re.compile(r"^NL\d{5}$")
_STATION_IN_NAME = re.compile(r"(NL\d{5})")
_COMPONENT = re.compile(r"^[A-Za-z0-9]{1,12}$")
_NOT_COMPONENTS = {"station_number", "date", "datetime", "timestamp_measured", ""}


def component(name: str) -> str:
    """Luchtmeetnet's formula spelling: PM25, PM10, NO2 (the CSVs write pm25, pm10)."""
    if not _COMPONENT.match(name):
        raise BadRow(f"component {name!r} is not a formula like PM25 or NO2")
    return name.upper()


def station_from_name(path: str) -> str | None:
    m = _STATION_IN_NAME.search(Path(path).name)
    return m.group(1) if m else None


def _station(text: str) -> str:
    station = text.strip()
    if not STATION.match(station):
        raise BadRow(f"station {station!r} is not a Luchtmeetnet number like NL49570")
    return station


def parse_json_page(text: str, path: str) -> Parsed:
    out, seen = Parsed(), {}
    try:
        doc = json.loads(text)
        items = doc["data"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        out.problems.append(Problem(path, 1, "not a Luchtmeetnet measurements page (JSON with a `data` list)"))
        return out
    for i, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise BadRow("item is not an object")
            station = _station(str(item.get("station_number", "")))
            comp = component(str(item.get("formula", "")))
            hour = hour_start(item.get("timestamp_measured"), LABEL)
            value = number(None if item.get("value") is None else str(item["value"]), comp)
            if value is None:
                continue
            row = ReferenceValue(station, comp, hour, value)
            out.add((station, comp, hour), row, seen, path, i)
        except BadRow as e:
            out.problems.append(Problem(path, i, f"item {i}: {e}"))
    return out


def parse_csv(text: str, path: str, station: str | None = None) -> Parsed:
    out, seen = Parsed(), {}
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as e:
        out.problems.append(Problem(path, 1, f"unreadable CSV header: {e}"))
        return out
    multi = "station_number" in header
    time_col = "date" if "date" in header else "datetime" if "datetime" in header else None
    if time_col is None:
        out.problems.append(Problem(path, 1, "header has no date or datetime column"))
        return out
    if not multi:
        station = station or station_from_name(path)
        if station is None:
            out.problems.append(Problem(path, 1, "one-station file: name the station (--station NL49570)"))
            return out
    try:
        comps = {h: component(h) for h in header if h not in _NOT_COMPONENTS}
    except BadRow as e:
        out.problems.append(Problem(path, 1, f"header: {e}"))
        return out
    for line, values in csv_lines(reader, out, path):
        if not values:
            continue
        try:
            if len(values) != len(header):
                raise BadRow(f"{len(values)} fields, the header has {len(header)}")
            rec = dict(zip(header, values, strict=True))
            st = _station(rec["station_number"]) if multi else _station(station)
            hour = hour_start(rec[time_col], LABEL)
            parsed = [(comps[h], number(rec[h], h)) for h in comps]
        except BadRow as e:
            out.problems.append(Problem(path, line, str(e)))
            continue
        for comp, value in parsed:
            if value is not None:
                out.add((st, comp, hour), ReferenceValue(st, comp, hour, value), seen, path, line)
    return out


def parse_file(path: Path, station: str | None = None) -> Parsed:
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("{"):
        return parse_json_page(text, str(path))
    return parse_csv(text, str(path), station)
