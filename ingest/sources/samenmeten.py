"""RIVM Samen Meten citizen kits (Hollandse Luchten `HLL_…`, Sensor.Community `LTD_…`): hourly histories.

Each kit gets a platform id (`platform_kit_id`: same rule as our own kits) and keeps its network id beside it.
Only the raw series are imported (`pm25`, `pm10`, not RIVM's `*_kal`): IJlucht applies its own, versioned
corrections (ijlucht/science/).

Time convention: the hourly label is the END of the hour, as Luchtmeetnet's: the shared data's README found
kit-vs-station cross-correlation peaking at lag 0 in both data sets, and the kits' temperature agrees best with
KNMI's (hour-ending) temperature at lag 0, not −1; tests/ingest/sources/test_alignment.py checks both after import.

Forms read:
* one kit per file: pm25, temperature, datetime, humidity (kit from the file name, HLL_545.csv, or given)
* many kits: kit_id, date, error, lat, lon, pm10_kal, pm10, pm25_kal, pm25, [no2,] rh, temp, [pres]; a row with no
  date is the source's record of a failed request (its `error` column), reported as a problem.
"""

import csv
import hashlib
import io
import re
from pathlib import Path

from ingest.sources.rows import BadRow, KitHour, Parsed, Problem, csv_lines, hour_start, number

SOURCE = "samenmeten"
LABEL = "end"
_EXTERNAL = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_KIT_IN_NAME = re.compile(r"^([A-Z]{2,4}_[A-Za-z0-9_]+?)(?:_\d{4}-\d{2}-\d{2}.*)?$")


def platform_kit_id(external_id: str) -> str:
    """`HLL_545` → `sm-hll-545`: valid as a kit id (^[a-z0-9][a-z0-9-]{2,31}$), stable, and never a platform kit's."""
    slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", external_id.lower())).strip("-")
    kit = f"sm-{slug}"
    if len(kit) > 32:  # long ids: a prefix plus a hash of the whole id keeps them apart
        kit = f"{kit[:23]}-{hashlib.sha256(external_id.encode()).hexdigest()[:8]}"
    return kit


def _external(text: str) -> str:
    ext = text.strip()
    if not _EXTERNAL.match(ext):
        raise BadRow(f"kit id {ext!r} is not a Samen Meten name like HLL_545")
    return ext


def kit_from_name(path: str) -> str | None:
    m = _KIT_IN_NAME.match(Path(path).stem)
    return m.group(1) if m else None


def _checked(ext: str, hour, pm25, pm10, t, rh) -> KitHour:
    for name, v in (("pm25", pm25), ("pm10", pm10)):
        if v is not None and not 0 <= v <= 2000:
            raise BadRow(f"{name} {v:g} µg/m³ is outside 0–2000")
    # Implausible kit humidity stays as measured: the humidity correction flags it, raw values are never changed.
    return KitHour(ext, hour, pm25, pm10, t, rh)


def parse_csv(text: str, path: str, kit: str | None = None) -> Parsed:
    out, seen = Parsed(), {}
    reader = csv.DictReader(io.StringIO(text))
    try:
        fields = reader.fieldnames or []
    except csv.Error as e:
        out.problems.append(Problem(path, 1, f"unreadable CSV header: {e}"))
        return out
    multi = "kit_id" in fields
    if not multi:
        if "datetime" not in fields or "pm25" not in fields:
            out.problems.append(
                Problem(path, 1, "header is neither the kit_id,date,... nor the pm25,...,datetime form")
            )
            return out
        kit = kit or kit_from_name(path)
        if kit is None:
            out.problems.append(Problem(path, 1, "one-kit file: name the kit (--kit HLL_545)"))
            return out
    for line, rec in csv_lines(reader, out, path):
        try:
            if None in rec or any(v is None for v in rec.values()):
                raise BadRow("number of fields differs from the header")
            if multi:
                ext = _external(rec["kit_id"])
                if rec["date"].strip() in ("", "NA"):
                    detail = (rec.get("error") or "").strip()
                    raise BadRow(
                        f"kit {ext}: no time" + (f" (the source's error row: {detail[:120]})" if detail else "")
                    )
                row = _checked(ext, hour_start(rec["date"], LABEL), number(rec["pm25"], "pm25"),
                               number(rec.get("pm10"), "pm10"), number(rec.get("temp"), "temp"),
                               number(rec.get("rh"), "rh"))  # fmt: skip
                lat, lon = number(rec.get("lat"), "lat"), number(rec.get("lon"), "lon")
                if lat is not None and lon is not None and (lat, lon) != (0.0, 0.0):  # 0,0 means "no position"
                    out.positions.setdefault(ext, (lat, lon))
            else:
                row = _checked(_external(kit), hour_start(rec["datetime"], LABEL), number(rec["pm25"], "pm25"),
                               None, number(rec.get("temperature"), "temperature"),
                               number(rec.get("humidity"), "humidity"))  # fmt: skip
        except BadRow as e:
            out.problems.append(Problem(path, line, str(e)))
            continue
        out.add((row.external_id, row.hour), row, seen, path, line)
    return out


def parse_file(path: Path, kit: str | None = None) -> Parsed:
    return parse_csv(path.read_text(encoding="utf-8-sig"), str(path), kit)
