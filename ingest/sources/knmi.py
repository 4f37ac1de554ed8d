"""KNMI hourly weather ("uurgegevens"): wind, temperature and humidity per station.

Time convention: KNMI's `HH` is the hour ENDING at HH UT ("Uurvak 05 loopt van 04.00 UT tot 5.00 UT", the legend
of every uurgegevens file, https://www.knmi.nl/nederland-nu/klimatologie/uurgegevens), so HH 1 of a date covers
00:00–01:00 UT and is stored at 00:00. The CSV forms shipped in data/reference keep that label (their first row,
HH 1 of the first day, reads 01:00; see data/reference/knmi/README.md).

Wind direction DD: degrees the wind comes FROM, 360 = north, 0 = calm, 990 = variable (same legend). Calm and
variable are kept as states, never as a direction. FH is the hourly mean speed in 0.1 m/s, T is in 0.1 °C, U in %.

Forms read:
* uurgegevens text: `#` legend lines, a header `# STN,YYYYMMDD,HH,DD,FH,...`, then comma-separated rows
* the Samen Analyseren CSV: station_number, wd, ws, temp, rh, date, station_code (ws in m/s, temp in °C)
* one-station CSV: datetime, winddirection, windspeed, temperature, humidity (station from the name, KNMI_225.csv)
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.sources.rows import BadRow, Parsed, Problem, WeatherHour, csv_lines, hour_start, number

LABEL = "end"
CALM, VARIABLE = 0, 990
_STATION = re.compile(r"^\d{3}$")
_STATION_IN_NAME = re.compile(r"KNMI_?(\d{3})", re.IGNORECASE)


def wind(direction: float | None) -> tuple[str | None, int | None]:
    """(state, direction) from KNMI's DD: calm and variable are states without a direction."""
    if direction is None:
        return None, None
    if direction == CALM:
        return "calm", None
    if direction == VARIABLE:
        return "variable", None
    if direction != int(direction) or not 1 <= direction <= 360:
        raise BadRow(f"wind direction {direction:g} is not 0 (calm), 990 (variable) or 1–360 degrees")
    return "direction", int(direction)


def _station(text: str) -> str:
    station = text.strip()
    if not _STATION.match(station):
        raise BadRow(f"station {station!r} is not a three-digit KNMI number like 225")
    return station


def _checked(station: str, hour: datetime, dd: float | None, speed, temp, rh) -> WeatherHour:
    state, direction = wind(dd)
    if speed is not None and speed < 0:
        raise BadRow(f"wind speed {speed:g} m/s is negative")
    if rh is not None and not 0 <= rh <= 100:
        raise BadRow(f"humidity {rh:g} % is outside 0–100")
    if temp is not None and not -60 <= temp <= 60:
        raise BadRow(f"temperature {temp:g} °C is outside −60…60")
    return WeatherHour(station, hour, state, direction, speed, temp, rh)


def station_from_name(path: str) -> str | None:
    m = _STATION_IN_NAME.search(Path(path).name)
    return m.group(1) if m else None


def parse_uurgegevens(text: str, path: str) -> Parsed:
    out, seen = Parsed(), {}
    header: list[str] | None = None
    for line, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#"):
            names = [c.strip() for c in raw.lstrip("# ").split(",")]
            if names[:3] == ["STN", "YYYYMMDD", "HH"]:
                header = names
            continue
        if not raw.strip():
            continue
        if header is None:
            out.problems.append(Problem(path, line, "data before the `# STN,YYYYMMDD,HH,...` header"))
            continue
        try:
            fields = [f.strip() for f in raw.split(",")]
            if len(fields) < len(header):
                raise BadRow(f"{len(fields)} fields, the header has {len(header)}")
            rec = dict(zip(header, fields, strict=False))
            station = _station(rec["STN"])
            day = datetime.strptime(rec["YYYYMMDD"], "%Y%m%d").replace(tzinfo=UTC)
            hh = int(rec["HH"])
            if not 1 <= hh <= 24:
                raise BadRow(f"HH {hh} is not 1–24")
            tenth = {k: number(rec.get(k), k) for k in ("FH", "T")}
            row = _checked(
                station,
                day + timedelta(hours=hh - 1),  # HH is the hour ending at HH UT
                number(rec.get("DD"), "DD"),
                None if tenth["FH"] is None else tenth["FH"] / 10,
                None if tenth["T"] is None else tenth["T"] / 10,
                number(rec.get("U"), "U"),
            )
        except (BadRow, ValueError) as e:
            out.problems.append(Problem(path, line, str(e)))
            continue
        out.add((row.station_id, row.hour), row, seen, path, line)
    return out


def parse_csv(text: str, path: str, station: str | None = None) -> Parsed:
    out, seen = Parsed(), {}
    reader = csv.DictReader(io.StringIO(text))
    try:
        fields = reader.fieldnames or []
    except csv.Error as e:
        out.problems.append(Problem(path, 1, f"unreadable CSV header: {e}"))
        return out
    if "station_number" in fields:
        cols = ("station_number", "date", "wd", "ws", "temp", "rh")
    elif "datetime" in fields:
        cols = (None, "datetime", "winddirection", "windspeed", "temperature", "humidity")
        station = station or station_from_name(path)
        if station is None:
            out.problems.append(Problem(path, 1, "one-station file: name the station (--station 225)"))
            return out
    else:
        out.problems.append(Problem(path, 1, "header is neither the station_number,wd,... nor the datetime,... form"))
        return out
    st_col, time_col, dd_col, ff_col, t_col, rh_col = cols
    for line, rec in csv_lines(reader, out, path):
        try:
            if None in rec or any(v is None for v in rec.values()):
                raise BadRow("number of fields differs from the header")
            row = _checked(
                _station(rec[st_col] if st_col else station),
                hour_start(rec[time_col], LABEL),
                number(rec[dd_col], "wind direction"),
                number(rec[ff_col], "wind speed"),
                number(rec[t_col], "temperature"),
                number(rec[rh_col], "humidity"),
            )
        except BadRow as e:
            out.problems.append(Problem(path, line, str(e)))
            continue
        out.add((row.station_id, row.hour), row, seen, path, line)
    return out


def parse_file(path: Path, station: str | None = None) -> Parsed:
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("#") or "# STN,YYYYMMDD" in text[:20000]:
        return parse_uurgegevens(text, str(path))
    return parse_csv(text, str(path), station)
