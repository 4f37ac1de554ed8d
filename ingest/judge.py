"""The judgement of one MQTT message: parse, validate, flag, or reject with a reason. Pure: no I/O.

The kit look-up is passed in (the worker's answers from the database), so any message, however hostile, ends here
as rows and state to store or as rejects with reasons, never as an exception that could stop the stream. The
worker keeps the threads, the acknowledgements and the database.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ijlucht import contract
from ingest.history import KitHistory
from ingest.validate import Row, excerpt, info_uptime, parse_info, parse_readings_message, parse_status

log = logging.getLogger("ijlucht.ingest")


@dataclass(slots=True)
class KnownKit:
    """What the judgement needs to know of a registered kit."""

    registered: float  # Unix time; readings from long before it are wrong clocks
    history: KitHistory  # for spike, flatline and warm-up flags
    disabled: bool = False


class KitUnavailable(Exception):
    """The look-up cannot answer now (the database is away): judge the message again later."""


KitLookup = Callable[[str], KnownKit | None]  # None: no such kit


@dataclass(frozen=True)
class RejectRecord:
    topic: str
    kit_id: str | None
    reason: str
    excerpt: str


@dataclass
class Batch:
    """Everything one transaction writes (one message's share, or many merged)."""

    rows: list[tuple[Row, float]] = field(default_factory=list)  # (row, received Unix time)
    rejects: list[RejectRecord] = field(default_factory=list)
    # kit -> (state, when it was sent); when is None for a retained copy whose age is unknown
    status: dict[str, tuple[bool, float | None]] = field(default_factory=dict)
    info: dict[str, tuple[dict, float | None]] = field(default_factory=dict)

    def extend(self, other: "Batch") -> None:
        self.rows.extend(other.rows)
        self.rejects.extend(other.rejects)
        self.status.update(other.status)
        self.info.update(other.info)


RETAINED_READINGS = "readings must not be retained: publish them with retain=false (contract v1)"


def judge(topic: str, payload: bytes, retained: bool, received: float, lookup: KitLookup) -> Batch:
    """The message as what to store; every problem becomes a reject with its reason.

    Raises KitUnavailable only (from `lookup`), when the message cannot be judged now."""
    part = Batch()
    parts = contract.split_topic(topic)
    kit_id, kind = parts if parts else (None, None)

    def reject(reason: str, kit: str | None = kit_id) -> Batch:
        part.rejects.append(RejectRecord(topic, kit, reason, excerpt(payload)))
        return part

    if kit_id is None or not contract.is_valid_kit_id(kit_id):
        return reject("topic is not ijlucht/kits/<kit_id>/<kind>", None)
    try:
        known = lookup(kit_id)
        if known is None:
            return reject(f"unknown kit {kit_id!r}: not registered", None)
        if known.disabled:
            return reject(f"kit {kit_id!r} is disabled: its messages are not stored (a new password re-enables it)")
        when = None if retained else received
        if kind == contract.READINGS:
            if retained:
                return reject(RETAINED_READINGS)
            outcome = parse_readings_message(kit_id, payload, received, known.registered)
            history = known.history
            for row in outcome.rows:
                row.flags |= history.check(row.ts, row.values)
                part.rows.append((row, received))
            part.rejects.extend(RejectRecord(topic, kit_id, r.reason, r.excerpt) for r in outcome.rejections)
        elif kind == contract.STATUS:
            part.status[kit_id] = (parse_status(payload), when)
        elif kind == contract.INFO:
            info = parse_info(payload)
            part.info[kit_id] = (info, when)
            uptime = info_uptime(info)
            if when is not None and uptime is not None:
                known.history.booted_at = when - uptime
        else:
            reject(f"unknown message kind {kind!r}")
    except KitUnavailable:
        raise
    except ValueError as e:
        part.rows.clear()
        reject(str(e))
    except Exception as e:  # a bug of ours must not stop the stream: keep the message as a reject
        log.exception("could not judge a message on %s", topic)
        part.rows.clear()
        reject(f"internal error while validating ({type(e).__name__}); kept for inspection")
    return part


class RejectBudget:
    """At most `per_kit` stored rejects per kit in each window of `window_s` seconds; the rest are only counted.

    One message can carry a thousand bad readings and a kit can send many messages: the rejects table must not
    grow with what an attacker sends. Safe to share between threads."""

    def __init__(self, per_kit: int, window_s: float) -> None:
        self.per_kit = per_kit
        self.window_s = window_s
        self.dropped = 0  # rejects counted but not stored, since the start
        self._window = float("-inf")
        self._used: dict[str | None, int] = {}
        self._lock = threading.Lock()

    def admit(self, rejects: list[RejectRecord], now: float) -> list[RejectRecord]:
        """The rejects to store, in order; the ones beyond a kit's budget are counted in `dropped`."""
        if not rejects:
            return rejects
        with self._lock:
            window = now // self.window_s
            if window > self._window:  # a new window: every kit starts again (this also bounds the dict)
                self._window, self._used = window, {}
            kept = []
            for r in rejects:
                used = self._used.get(r.kit_id, 0)
                if used < self.per_kit:
                    self._used[r.kit_id] = used + 1
                    kept.append(r)
                else:
                    self.dropped += 1
            return kept
