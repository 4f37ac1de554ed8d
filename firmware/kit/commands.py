"""Commands from the platform on ijlucht/kits/{kit_id}/cmd (JSON; see firmware/README.md "Commands").

    {"cmd": "interval", "interval": 30, "id": "c-17"}        change the interval (kept in config.json)
    {"cmd": "update", "id": "u-3", "version": "<new version>", "kit": "<kit id>", "counter": <n>,
     "files": [{"path": "kit/app.py", "sha256": "<hex>", "data": "<base64>"}],
     "sig": "<base64 Ed25519 signature of the manifest>"}   signature checked (kit/manifest.py), then reboot
    {"cmd": "info", "id": "i-1"}                              publish the info message now
    {"cmd": "reboot", "id": "r-1"}

The outcome goes into the next (retained) info message as last_cmd {"id", "cmd", "ok", "error"}.
A retained command (one the broker kept and hands out at every subscription) is never run: a retained `reboot`
would otherwise restart the kit at every connect.
"""

import json
import os

from kit import config

KNOWN = ("interval", "update", "info", "reboot")


def parse(payload):
    """The command dict; ValueError with a reason for anything malformed."""
    try:
        cmd = json.loads(payload)
    except ValueError:
        raise ValueError("command is not JSON")
    return check(cmd)


def check(cmd):
    if not isinstance(cmd, dict) or cmd.get("cmd") not in KNOWN:
        raise ValueError("unknown command; known: %s" % ", ".join(KNOWN))
    if cmd["cmd"] == "interval":
        low, high = config.BOUNDS["interval"]
        value = cmd.get("interval")
        if not isinstance(value, int) or value is True or value is False or not low <= value <= high:
            raise ValueError("interval must be an integer %d-%d" % (low, high))
    if cmd["cmd"] == "update" and not isinstance(cmd.get("files"), list):
        raise ValueError("update needs a list 'files'")
    return cmd


def save_config(path, changes):
    """Write config.json with `changes` applied: a temporary file, then a rename (never half a file)."""
    with open(path) as f:
        raw = json.load(f)
    raw.update(changes)
    config.validate(raw)
    with open(path + ".tmp", "w") as f:
        json.dump(raw, f)
    os.rename(path + ".tmp", path)


def install_update(kit, cmd):
    """Check the update's signature, kit and counter (kit.manifest), then stage it (kit.update); reboot after."""
    from kit import manifest, update

    root = kit.app_root
    files, key_entry, counter = manifest.check(cmd, kit.cfg["kit_id"], root)
    if key_entry is not None:
        print("update: installing the update key (unsigned bootstrap, accepted once: this kit had no key)")
    if files:
        update.install(root, files, cmd["version"])
        kit.reboot_pending = True
    if key_entry is not None:
        manifest.write_key(root, key_entry)
    if counter is not None:
        manifest.save_counter(root, counter)


def handle(kit, payload, retained=False):
    """Run one command on the kit; returns the last_cmd record (also kept on the kit)."""
    record = {"ok": False}
    try:
        cmd = json.loads(payload)
    except ValueError:
        cmd = None
    if isinstance(cmd, dict):  # name the command in the answer even when it is refused
        if isinstance(cmd.get("cmd"), str):
            record["cmd"] = cmd["cmd"][:20]
        if "id" in cmd:
            record["id"] = str(cmd["id"])[:40]
    try:
        if retained:
            raise ValueError("retained command ignored (commands must be sent with retain off)")
        if cmd is None:
            raise ValueError("command is not JSON")
        check(cmd)
        if cmd["cmd"] == "interval":
            if kit.config_path:
                save_config(kit.config_path, {"interval": cmd["interval"]})
            kit.set_interval(cmd["interval"])
        elif cmd["cmd"] == "update":
            install_update(kit, cmd)
        elif cmd["cmd"] == "reboot":
            kit.reboot_pending = True
        record["ok"] = True
    except (ValueError, OSError) as exc:
        record["error"] = str(exc)[:120]
    print("command %s: %s" % (record.get("cmd", "?"), "ok" if record["ok"] else record.get("error")))
    kit.last_cmd = record
    kit.info_due = True
    return record
