"""Contract v1 message bodies (docs/mqtt-contract.md): readings and info, as JSON text."""

import json

from kit import FW_VERSION, contract


def reading(ts, values, synced=True):
    """One reading: ts plus the known quantities, rounded to 0.1; None and unknown keys left out.

    A reading taken before the clock was ever synced carries "ns": 1 (not synced) and a ts from the
    unsynced clock. Contract v1 platforms ignore unknown keys, so this stays valid v1.
    """
    item = {"ts": int(ts)}
    for key in contract.QUANTITY_KEYS:
        value = values.get(key)
        if value is not None:
            item[key] = round(float(value), 1)
    if not synced:
        item["ns"] = 1
    return item


def readings_message(seq, readings):
    """JSON text of one readings message; readings oldest first, 1..1000 of them."""
    if not 1 <= len(readings) <= contract.MAX_READINGS_PER_MESSAGE:
        raise ValueError(
            "a readings message holds 1-%d readings, got %d" % (contract.MAX_READINGS_PER_MESSAGE, len(readings))
        )
    return json.dumps({"v": contract.VERSION, "seq": seq, "fw": FW_VERSION, "readings": readings})


def info_message(sensors, boot, interval, extra=None):
    """The info message; `extra` adds health keys (reset cause, memory, signal), which v1 allows."""
    msg = {"v": contract.VERSION, "fw": FW_VERSION, "sensors": list(sensors), "boot": boot, "interval": interval}
    if extra:
        msg.update(extra)
    return json.dumps(msg)


def batches(readings, batch_max):
    """Split readings (oldest first) into consecutive lists of at most batch_max."""
    if batch_max < 1:
        raise ValueError("batch_max must be at least 1")
    return [readings[i : i + batch_max] for i in range(0, len(readings), batch_max)]
