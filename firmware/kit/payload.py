"""Contract v1 message bodies (docs/mqtt-contract.md): readings and info, as JSON text."""

import json

from kit import FW_VERSION, contract


def reading(ts, values, synced=True, boot=None):
    """One reading: ts plus the known quantities, rounded to 0.1; None and unknown keys left out.

    A reading taken before the clock was ever synced carries "ns": 1 (not synced) and a ts from the
    unsynced clock, and, while it waits in the queue, "bt": the boot it was taken in (see retime).
    Contract v1 platforms ignore unknown keys, so this stays valid v1.
    """
    item = {"ts": int(ts)}
    for key in contract.QUANTITY_KEYS:
        value = values.get(key)
        if value is not None:
            item[key] = round(float(value), 1)
    if not synced:
        item["ns"] = 1
        if boot is not None:
            item["bt"] = boot
    return item


def retime(readings, boot, jump):
    """Readings as sent: one taken unsynced in this boot gets ts + jump (the clock's jump at its first sync,
    None before), so it lands at about the right moment instead of in 2000; it keeps "ns": 1, since its time
    is only as good as the unsynced clock's rate. "bt" never leaves the kit. The queued items are not changed."""
    out = []
    for item in readings:
        if "bt" in item:
            item = dict(item)
            if item.pop("bt") == boot and jump is not None:
                item["ts"] = item["ts"] + jump
        out.append(item)
    return out


def readings_message(seq, readings, fw=FW_VERSION):
    """JSON text of one readings message; readings oldest first, 1..1000 of them; fw: the running version."""
    if not 1 <= len(readings) <= contract.MAX_READINGS_PER_MESSAGE:
        raise ValueError(
            "a readings message holds 1-%d readings, got %d" % (contract.MAX_READINGS_PER_MESSAGE, len(readings))
        )
    return json.dumps({"v": contract.VERSION, "seq": seq, "fw": fw, "readings": readings})


def info_message(sensors, boot, interval, extra=None, fw=FW_VERSION):
    """The info message; `extra` adds health keys (reset cause, memory, signal), which v1 allows."""
    msg = {"v": contract.VERSION, "fw": fw, "sensors": list(sensors), "boot": boot, "interval": interval}
    if extra:
        msg.update(extra)
    return json.dumps(msg)


def batches(readings, batch_max):
    """Split readings (oldest first) into consecutive lists of at most batch_max."""
    if batch_max < 1:
        raise ValueError("batch_max must be at least 1")
    return [readings[i : i + batch_max] for i in range(0, len(readings), batch_max)]
