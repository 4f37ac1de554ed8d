# ruff: noqa: UP031  (MicroPython script: %-formatting as in the firmware)
"""Run kit.manifest.check on update commands made by the platform (tests/firmware/test_update_signature.py).

    micropython [-X heapsize=…] check_updates.py <cases.json>

cases.json: {"root": <folder holding update_key.py>, "kit_id": …, "cases": [{"name": …, "cmd": {…}}, …]}.
Prints one JSON line per case ({"name", "error"} or {"name", "files", "key", "counter"}), then a line
"verify_ms <ms per verify> mem_alloc <bytes>" from timing one signed case's check a few times.
"""

import gc
import json
import sys
import time

import mptest  # noqa: F401  (puts firmware/ on sys.path)
from kit import manifest

with open(sys.argv[1]) as f:
    spec = json.load(f)
root, kit_id = spec["root"], spec["kit_id"]
for case in spec["cases"]:
    try:
        files, key_entry, counter = manifest.check(case["cmd"], kit_id, root)
        out = {"name": case["name"], "files": len(files), "key": key_entry is not None, "counter": counter}
    except ValueError as exc:
        out = {"name": case["name"], "error": str(exc)}
    print(json.dumps(out))
timed = spec.get("timed")
if timed:
    gc.collect()
    before = gc.mem_alloc()
    runs = 5
    start = time.ticks_us()
    for _ in range(runs):
        manifest.check(timed, kit_id, root)
    took = time.ticks_diff(time.ticks_us(), start) / runs / 1000
    print("verify_ms %.1f mem_alloc_before %d" % (took, before))
