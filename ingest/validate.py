"""Validation of contract v1 messages: bytes in, storable rows and reasons out. Pure: no I/O.

Every problem becomes a Rejection with a reason a kit owner or operator can act on. A message with some bad
readings keeps its good ones.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ijlucht import contract, quality
from ijlucht.quantities import KEYS

MAX_FUTURE_S = 300  # kit clocks may run a little ahead; beyond this the timestamp is wrong
EXCERPT_CHARS = 200
IMPOSSIBLE_MAGNITUDE = 1e6
# A kit may measure (and buffer) for a while before its owner registers it; older than this is a wrong clock.
REGISTRATION_GRACE_S = 7 * 86400  # no sensor here reports a value this large: it is garbage, not a reading
INT4_MAX = 2**31 - 1  # PostgreSQL integer (kits.boot_count)
INT8_MAX = 2**63 - 1  # PostgreSQL bigint (readings.seq); orjson gives Python ints up to 2**64 - 1
FW_MAX_CHARS = 40  # kits.firmware keeps this much of `fw`
INFO_MAX_BYTES = 16 * 1024
INFO_MAX_DEPTH = 32  # nesting of the info object (kept as jsonb)


@dataclass(slots=True)
class Row:
    """One reading ready for the readings table (the worker adds history flags to `flags`)."""

    ts: float  # Unix seconds UTC; the database turns it into a timestamptz (cheaper there than here)
    kit_id: str
    values: dict[str, float | None]
    flags: int
    seq: int | None


@dataclass(frozen=True)
class Rejection:
    reason: str
    excerpt: str


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def excerpt(payload: bytes | str | Any) -> str:
    if isinstance(payload, bytes):
        text = payload.decode("utf-8", "replace")
    elif isinstance(payload, str):
        text = payload
    else:
        text = json.dumps(payload, ensure_ascii=False, default=repr)
    text = text.replace("\x00", "\\x00")  # PostgreSQL text cannot hold NUL; keep it visible instead
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


_NUMBER_TYPES = (int, float)  # exact types: orjson gives no subclasses, and bool must not count


def _describe_age(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds:.0f} s"


def parse_reading(item: Any, kit_id: str, seq: int | None, received: float, not_before: float) -> Row:
    """One element of `readings` as a Row; raises ValueError with the reason."""
    if not isinstance(item, dict):
        raise ValueError(f"a reading must be an object, got {type(item).__name__}")
    ts = item.get("ts")
    if ts is None:
        raise ValueError("reading has no 'ts'")
    if type(ts) is not int:  # the common case first: the firmware sends integers
        if type(ts) is not float or not math.isfinite(ts):
            raise ValueError(f"'ts' must be Unix seconds as a number, got {ts!r:.40}")
        if not ts.is_integer():  # the table keeps one reading per kit and moment: whole seconds cap a kit's rows
            raise ValueError(f"'ts' must be whole Unix seconds, got {ts!r:.40}")
    if ts > received + MAX_FUTURE_S:
        raise ValueError(f"'ts' is {_describe_age(ts - received)} in the future")
    if ts < not_before - REGISTRATION_GRACE_S:
        when = datetime.fromtimestamp(not_before, UTC).isoformat(timespec="seconds")
        raise ValueError(f"'ts' {int(ts)} is more than 7 days before the kit was registered ({when})")
    values: dict[str, float | None] = {}
    known = 0
    for key in KEYS:  # the hot loop of the worker: kept to plain comparisons
        v = item.get(key)
        if v is None:
            values[key] = None
            continue
        if type(v) not in _NUMBER_TYPES:
            raise ValueError(f"'{key}' must be a number or null, got {v!r:.40}")
        # a NaN would fail both comparisons (orjson already refuses NaN/Infinity literals)
        if not -IMPOSSIBLE_MAGNITUDE <= v <= IMPOSSIBLE_MAGNITUDE:
            raise ValueError(f"'{key}' = {v!r:.40} is not a possible measurement")
        values[key] = float(v)
        known += 1
    if not known:
        raise ValueError("reading carries no known quantity")
    synced = item.get("ns") not in (1, True)
    flags = quality.reading_flags(values, received - ts, clock_synced=synced)
    if item.get("wu") in (1, True):  # the kit says its sensor was still warming up
        flags |= quality.WARM_UP
    return Row(float(ts), kit_id, values, flags, seq)


def parse_readings_message(kit_id: str, payload: bytes, received: float, not_before: float) -> Outcome:
    """Validate a readings message of `kit_id` received at Unix time `received`."""
    out = Outcome()

    def reject(reason: str, what: Any = payload) -> Outcome:
        out.rejections.append(Rejection(reason, excerpt(what)))
        return out

    if len(payload) > contract.MAX_MESSAGE_BYTES:
        return reject(f"message is {len(payload)} bytes, more than the limit of {contract.MAX_MESSAGE_BYTES}")
    try:
        msg = orjson.loads(payload)  # several times faster than json; strict RFC 8259 (no NaN, depth ≤ 1024)
    except orjson.JSONDecodeError as e:
        return reject(f"not valid JSON: {e}")
    if not isinstance(msg, dict):
        return reject(f"message must be a JSON object, got {type(msg).__name__}")
    if msg.get("v") != contract.VERSION:
        return reject(f"unsupported contract version {msg.get('v')!r:.20}, expected {contract.VERSION}")
    seq = msg.get("seq")
    if seq is not None and (type(seq) is not int or not 0 <= seq <= INT8_MAX):
        return reject(f"'seq' must be a non-negative integer below 2^63, got {seq!r:.40}")
    fw = msg.get("fw")
    if fw is not None and (type(fw) is not str or len(fw) > FW_MAX_CHARS or "\x00" in fw):
        return reject(f"'fw' must be text of at most {FW_MAX_CHARS} characters without NUL, got {fw!r:.60}")
    readings = msg.get("readings")
    if not isinstance(readings, list) or not readings:
        return reject("'readings' must be a non-empty list")
    if len(readings) > contract.MAX_READINGS_PER_MESSAGE:
        return reject(
            f"{len(readings)} readings in one message, more than the limit of {contract.MAX_READINGS_PER_MESSAGE}"
        )
    seen: set[float] = set()
    for i, item in enumerate(readings):
        try:
            row = parse_reading(item, kit_id, seq, received, not_before)
        except ValueError as e:
            reject(f"reading {i}: {e}", item)
            continue
        if row.ts in seen:  # the table keeps one reading per moment; the first one wins
            reject(f"reading {i}: a second reading for the same 'ts' in one message", item)
            continue
        seen.add(row.ts)
        out.rows.append(row)
    return out


def parse_info(payload: bytes) -> dict:
    """The info object; raises ValueError with the reason.

    It is kept whole as jsonb, so it must be storable there: strict JSON (no NaN or Infinity, valid UTF-8, no lone
    surrogates: orjson refuses all of them), no NUL in any text, bounded nesting; the keys copied into columns
    must fit them.
    """
    if len(payload) > INFO_MAX_BYTES:
        raise ValueError(f"info message is {len(payload)} bytes, more than {INFO_MAX_BYTES}")
    try:
        info = orjson.loads(payload)
    except orjson.JSONDecodeError as e:
        raise ValueError(f"info is not valid JSON: {e}") from None
    if not isinstance(info, dict):
        raise ValueError("info must be a JSON object")
    _check_storable(info)
    fw, boot, sensors = info.get("fw"), info.get("boot"), info.get("sensors")
    if fw is not None and (type(fw) is not str or len(fw) > FW_MAX_CHARS):
        raise ValueError(f"info 'fw' must be text of at most {FW_MAX_CHARS} characters, got {fw!r:.60}")
    if boot is not None and (type(boot) is not int or not 0 <= boot <= INT4_MAX):
        raise ValueError(f"info 'boot' must be a non-negative integer below 2^31, got {boot!r:.40}")
    if sensors is not None and (
        type(sensors) is not list or any(type(x) is not str or len(x) > FW_MAX_CHARS for x in sensors)
    ):
        raise ValueError(f"info 'sensors' must be a list of names of at most {FW_MAX_CHARS} characters")
    return info


def _check_storable(value: Any) -> None:
    """Raise ValueError if a parsed JSON value holds NUL in a text (jsonb cannot) or nests too deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > INFO_MAX_DEPTH:
            raise ValueError(f"info nests deeper than {INFO_MAX_DEPTH} levels")
        if type(item) is dict:
            for key, sub in item.items():
                if "\x00" in key:
                    raise ValueError(f"info key {key!r:.60} contains NUL (\\u0000), which cannot be stored")
                stack.append((sub, depth + 1))
        elif type(item) is list:
            stack.extend((sub, depth + 1) for sub in item)
        elif type(item) is str and "\x00" in item:
            raise ValueError(f"info text {item!r:.60} contains NUL (\\u0000), which cannot be stored")


def info_uptime(info: dict) -> float | None:
    """Seconds since the kit booted, from `uptime_s` (firmware ≥ 0.2) or the older `uptime`; None if absent."""
    for key in ("uptime_s", "uptime"):
        value = info.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 10 * 365 * 86400:
            return float(value)
    return None


def parse_status(payload: bytes) -> bool:
    text = payload.decode("utf-8", "replace").strip()
    if text == contract.STATUS_ONLINE:
        return True
    if text == contract.STATUS_OFFLINE:
        return False
    raise ValueError(f"status must be 'online' or 'offline', got {excerpt(text)!r}")
