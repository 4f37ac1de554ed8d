"""Checking request parameters (pure): lists of kits and quantities, time ranges, scales, cursors.

Every failure is an InvalidParameter (422) whose message names the parameter and says what to send instead.
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import orjson
from fastapi import HTTPException, Query

from ijlucht import bands, geo
from ijlucht.contract import KIT_ID_PATTERN
from ijlucht.quantities import KEYS

RESOLUTIONS = ("raw", "10min", "hour", "day")
ROLLUP_TABLES = {"10min": "rollup_10min", "hour": "rollup_hourly", "day": "rollup_daily"}
AREA_LEVELS = ("municipality", "district")


# Choices from the catalogues (ijlucht.quantities, ijlucht.bands), so the OpenAPI schema lists them as enums.
QuantityKey = Literal[KEYS]  # type: ignore[valid-type]
ScaleKey = Literal[tuple(bands.SCALES)]  # type: ignore[valid-type]
Resolution = Literal["raw", "10min", "hour", "day"]


class InvalidParameter(HTTPException):
    def __init__(self, message: str) -> None:
        super().__init__(422, message)


# --- the patterns the schema publishes and the server checks: one regex each, used for both ------------------------

# RFC 3339 date-time with a zone (Z or ±hh:mm), with seconds, in the years 2000-2099 as written; only real
# dates (days per month, 29 February in leap years), so every string that matches is a time the server takes.
_DAY = (
    "(?:20[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|20[0-9]{2}-(?:0[13-9]|1[0-2])-(?:29|30)"
    "|20[0-9]{2}-(?:0[13578]|1[02])-31|20(?:[02468][048]|[13579][26])-02-29)"
)
_CLOCK = "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?"
_ZONE = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
TIME_PATTERN = f"^{_DAY}{_CLOCK}{_ZONE}$"
_TIME = re.compile(TIME_PATTERN)
_ZONELESS = re.compile(f"^{_DAY}T[0-9:.]+$")  # a date and a clock time, without zone: worth a specific answer

_KIT = KIT_ID_PATTERN.pattern.strip("^$")
KITS_PATTERN = f"^{_KIT}(?:,{_KIT}){{0,99}}$"  # at most 100 (ApiSettings.api_max_kits)
_QUANTITY = "(?:" + "|".join(sorted(KEYS, key=len, reverse=True)) + ")"
QUANTITIES_PATTERN = f"^{_QUANTITY}(?:,{_QUANTITY})*$"


def codes_pattern(level: str) -> str:
    code = "(?:" + "|".join(sorted(geo.area_names(level))) + ")"
    return f"^{code}(?:,{code})*$"


# bbox: four decimal numbers, longitudes within ±180, latitudes within ±90 (corners in any order)
_LON = "-?(?:180(?:\\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\\.[0-9]+)?)"
_LAT = "-?(?:90(?:\\.0+)?|[1-8]?[0-9](?:\\.[0-9]+)?)"
BBOX_PATTERN = f"^{_LON},{_LAT},{_LON},{_LAT}$"
_BBOX = re.compile(BBOX_PATTERN)


def time_query(description: str, example: str = "2026-01-15T00:00:00Z") -> Any:
    """A start/end query parameter: a string the schema describes exactly (the server parses it, see parse_time).
    start must be before end: a rule between two parameters, which the schema can only say in words."""
    return Query(
        description=description + "; RFC 3339 with a zone, e.g. 2026-01-15T10:00:00Z or 2026-01-15T11:00:00+01:00; "
        "start must be before end",
        json_schema_extra={"pattern": TIME_PATTERN, "format": "date-time"},
        examples=[example],
    )


Start = Annotated[str | None, time_query("from (inclusive); default: the default span before end")]
End = Annotated[
    str | None,
    time_query("until (exclusive); default: now, or start + the default span", example="2026-01-16T00:00:00Z"),
]


def rfc3339(t: datetime) -> str:
    """A time as the query parameters take it: UTC with Z, microseconds only when there are any."""
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(raw: str | None, name: str) -> datetime | None:
    """A time from the query: RFC 3339 with a zone. A time without one is refused, because guessing UTC gives a
    resident who typed local time the wrong hour; the message shows the same time written both ways."""
    if raw is None:
        return None
    if _TIME.fullmatch(raw):
        return datetime.fromisoformat(raw)
    if _ZONELESS.fullmatch(raw):
        raise InvalidParameter(
            f"{name} {raw} has no time zone; write {raw}Z for UTC or {raw}+01:00 for Dutch winter time "
            "(+02:00 in summer)"
        )
    raise InvalidParameter(
        f"{name} {raw[:40]!r} is not a time: use RFC 3339 with a zone in 2000-2099, e.g. 2026-01-15T10:00:00Z"
    )


def aware(t: datetime, name: str = "time") -> datetime:
    """`t` if it carries a zone; a time without one is refused, because guessing UTC gives a resident who typed
    local time the wrong hour. The message shows the same time written both ways."""
    if t.tzinfo is not None and t.utcoffset() is not None:
        return t
    written = t.isoformat(timespec="seconds")
    raise InvalidParameter(
        f"{name} {written} has no time zone; write {written}Z for UTC or {written}+01:00 for Dutch winter time "
        "(+02:00 in summer)"
    )


def time_range(
    start: str | datetime | None,
    end: str | datetime | None,
    default_span: timedelta,
    max_span: timedelta | None = None,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """[start, end) with defaults, at most max_span. Defaults: start = end - default_span; end = now, or
    start + default_span when start is not before now."""
    start_t = aware(start, "start") if isinstance(start, datetime) else parse_time(start, "start")
    end_t = aware(end, "end") if isinstance(end, datetime) else parse_time(end, "end")
    now = now or datetime.now(UTC)
    if end_t is None:
        # the default span after start where a span is bounded, or start lies ahead; now otherwise
        late = start_t is not None and (start_t >= now or max_span is not None)
        end_t = start_t + default_span if late else now
    if start_t is None:
        start_t = end_t - default_span
    if start_t >= end_t:
        raise InvalidParameter("start must be before end")
    if max_span is not None and end_t - start_t > max_span:
        raise InvalidParameter(f"the range from start to end may be at most {_span(max_span)}; ask in parts")
    return start_t, end_t


def _span(d: timedelta) -> str:
    return f"{d.days} days" if d.days >= 1 else f"{int(d.total_seconds() // 3600)} hours"


def kit_list(raw: str | None, max_kits: int, required: bool = True) -> list[str]:
    """Comma-separated kit ids, deduplicated, in the order given."""
    if not raw or not raw.strip():
        if required:
            raise InvalidParameter("kits is required: one or more kit ids separated by commas, e.g. kits=bev-01,wij-01")
        return []
    given = raw.split(",")
    bad = [k for k in given if not KIT_ID_PATTERN.fullmatch(k)]
    if bad:
        raise InvalidParameter(
            f"kits: {bad[0][:40]!r} is not a kit id (3-32 of a-z, 0-9 and '-', separated by commas without spaces)"
        )
    if len(given) > max_kits:
        raise InvalidParameter(f"kits: {len(given)} kits given, at most {max_kits} per request; ask in parts")
    return list(dict.fromkeys(given))


def _one_of(what: str, raw: str, allowed: Collection[str]) -> str:
    if raw not in allowed:
        raise InvalidParameter(f"{what} {raw[:40]!r} is unknown; use one of {', '.join(allowed)}")
    return raw


def quantity(raw: str) -> str:
    return _one_of("quantity", raw, KEYS)


def quantity_list(raw: str | None) -> list[str]:
    """Comma-separated quantity keys; all quantities when empty."""
    if raw is None:
        return list(KEYS)
    return list(dict.fromkeys(quantity(q) for q in raw.split(",")))


def scale(raw: str | None) -> str:
    return _one_of("scale", raw or bands.DEFAULT_SCALE, bands.SCALES)


def resolution(raw: str) -> str:
    return _one_of("resolution", raw, RESOLUTIONS)


def bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """lon,lat,lon,lat of two opposite corners in WGS84 degrees (in any order) as (min_lon, min_lat, max_lon,
    max_lat)."""
    if raw is None:
        return None
    if not _BBOX.fullmatch(raw):
        raise InvalidParameter(
            "bbox must be min_lon,min_lat,max_lon,max_lat in decimal degrees (|lon| <= 180, |lat| <= 90), "
            "e.g. bbox=4.55,52.42,4.75,52.53"
        )
    x0, y0, x1, y1 = (float(p) for p in raw.split(","))
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


# --- cursors -------------------------------------------------------------------------------------------------------


def fingerprint(*parts: Any) -> str:
    """A short hash of the query a cursor belongs to, so a cursor is not reused with other parameters."""
    return hashlib.blake2b(orjson.dumps(parts, default=str), digest_size=6).hexdigest()


def encode_cursor(fp: str, position: list[str]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"f": fp, "p": position})).decode().rstrip("=")


def decode_cursor(raw: str, fp: str, length: int) -> list[str]:
    """The position stored in the cursor; InvalidParameter when it is malformed or from another query."""
    try:
        doc = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        position = doc["p"]
        ok = doc["f"] == fp and isinstance(position, list) and len(position) == length
        ok = ok and all(isinstance(p, str) for p in position)
    except (binascii.Error, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise InvalidParameter(
            "cursor is not valid for this query: pass next_cursor unchanged, with the same parameters"
        )
    return position


# --- the query parameters several routes share, with the patterns above in the schema -----------------------------


def _described(description: str, pattern: str, example: str | None = None) -> Any:
    # The pattern goes into the schema only; the server checks it itself (kit_list, quantity_list, bbox, area_codes)
    # so that a refusal says what to change rather than quoting a regex.
    return Query(
        description=description, json_schema_extra={"pattern": pattern}, examples=[example] if example else None
    )


Kits = Annotated[str, _described("kit ids, comma-separated (at most 100)", KITS_PATTERN, "bev-01,wij-01")]
OptionalKits = Annotated[
    str | None, _described("kit ids, comma-separated (or give municipality or district)", KITS_PATTERN, "bev-01")
]
Quantities = Annotated[
    str | None, _described("quantity keys, comma-separated; default all", QUANTITIES_PATTERN, "pm25,pm10")
]
Bbox = Annotated[
    str | None,
    _described(
        "min_lon,min_lat,max_lon,max_lat (WGS84 degrees; corners in any order)", BBOX_PATTERN, "4.55,52.42,4.75,52.53"
    ),
]
Municipalities = Annotated[
    str | None, _described("CBS municipality codes, comma-separated", codes_pattern("municipality"))
]
Districts = Annotated[str | None, _described("CBS district (wijk) codes, comma-separated", codes_pattern("district"))]


def area_codes(raw: str, level: str) -> list[str]:
    known = geo.area_names(level)
    codes = raw.split(",")
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidParameter(f"{level} {unknown[0][:20]!r} is not a known CBS code; e.g. {next(iter(known))}")
    return list(dict.fromkeys(codes))
