"""Checking request parameters (pure): lists of kits and quantities, time ranges, scales, cursors.

Every failure is an InvalidParameter (422) whose message names the parameter and says what to send instead.
"""

import base64
import binascii
import hashlib
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson
from fastapi import HTTPException

from ijlucht import bands
from ijlucht.contract import KIT_ID_PATTERN
from ijlucht.quantities import KEYS

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
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
    start: datetime | None,
    end: datetime | None,
    default_span: timedelta,
    max_span: timedelta | None = None,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """[start, end) with defaults (end: now; start: end - default_span), inside 2000..2100, at most max_span."""
    for name, t in (("start", start), ("end", end)):
        if t is not None and not EARLIEST <= aware(t, name) <= LATEST:
            raise InvalidParameter(f"{name} {t.isoformat()} is outside 2000-01-01T00:00:00Z..2100-01-01T00:00:00Z")
    end_t = aware(end, "end") if end else (now or datetime.now(UTC))
    start_t = aware(start, "start") if start else max(EARLIEST, end_t - default_span)
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
    kits = list(dict.fromkeys(k.strip() for k in raw.split(",") if k.strip()))
    bad = [k for k in kits if not KIT_ID_PATTERN.fullmatch(k)]
    if bad:
        raise InvalidParameter(f"kits: {bad[0][:40]!r} is not a kit id (3-32 of a-z, 0-9 and '-')")
    if len(kits) > max_kits:
        raise InvalidParameter(f"kits: {len(kits)} kits given, at most {max_kits} per request; ask in parts")
    return kits


def _one_of(what: str, raw: str, allowed: Collection[str]) -> str:
    if raw not in allowed:
        raise InvalidParameter(f"{what} {raw[:40]!r} is unknown; use one of {', '.join(allowed)}")
    return raw


def quantity(raw: str) -> str:
    return _one_of("quantity", raw, KEYS)


def quantity_list(raw: str | None) -> list[str]:
    """Comma-separated quantity keys; all quantities when empty."""
    if not raw or not raw.strip():
        return list(KEYS)
    return list(dict.fromkeys(quantity(q.strip()) for q in raw.split(",") if q.strip()))


def scale(raw: str | None) -> str:
    return _one_of("scale", raw or bands.DEFAULT_SCALE, bands.SCALES)


def resolution(raw: str) -> str:
    return _one_of("resolution", raw, RESOLUTIONS)


def bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """min_lon,min_lat,max_lon,max_lat in WGS84 degrees."""
    if raw is None:
        return None
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or any(p != p for p in parts):
        raise InvalidParameter(
            "bbox must be min_lon,min_lat,max_lon,max_lat in degrees, e.g. bbox=4.55,52.42,4.75,52.53"
        )
    x0, y0, x1, y1 = parts
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise InvalidParameter("bbox: need -180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90")
    return x0, y0, x1, y1


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
