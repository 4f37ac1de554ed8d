"""Commands to kits on ijlucht/kits/{kit_id}/cmd (docs/mqtt-contract.md, "Commands"): build, check, send.

Building is pure and checks what the firmware would refuse (bounds, size, paths, version), so an operator hears
about a mistake here instead of in the kit's next info message. Updates are signed (ijlucht/signing.py) for one
kit; the unsigned key bootstrap is built here too, for kits without a key. Sending uses the `ingest` broker
account, the only one the ACL lets write a kit's cmd topic.
"""

import base64
import hashlib
import json
import secrets
from pathlib import Path

import paho.mqtt.client as mqtt

from ijlucht import contract
from ijlucht.dynsec import CMD_CLIENT_PREFIX, CMD_USER
from ijlucht.flash import firmware_module

# firmware/kit/mqtt.py MAX_INCOMING: the kit reads a larger message and throws it away.
MAX_COMMAND_BYTES = 64 * 1024
# firmware/kit/config.py BOUNDS["interval"]
INTERVAL_RANGE = (1, 86400)
SIMPLE = ("info", "reboot")
# What a kit flashed before signed updates needs to refuse unsigned updates (its kit/update.py and main.py change
# over USB only): the path rules, the verifier and the command handler that calls it. Sent with the key by the
# bootstrap; the rest of the new firmware then follows as a signed update (firmware/README.md "Signed updates").
BOOTSTRAP_FILES = ("kit/paths.py", "kit/sha512.py", "kit/ed25519.py", "kit/manifest.py", "kit/commands.py")


def new_id(kind: str) -> str:
    return f"{kind[0]}-{secrets.token_hex(3)}"


def interval_command(seconds: int, cmd_id: str | None = None) -> dict:
    low, high = INTERVAL_RANGE
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= high:
        raise ValueError(f"interval must be a whole number of seconds from {low} to {high}, got {seconds!r}")
    return {"cmd": "interval", "interval": seconds, "id": cmd_id or new_id("interval")}


def simple_command(name: str, cmd_id: str | None = None) -> dict:
    if name not in SIMPLE:
        raise ValueError(f"unknown command {name!r}; known: interval, update, {', '.join(SIMPLE)}")
    return {"cmd": name, "id": cmd_id or new_id(name)}


def file_entry(path: str, data: bytes, bootstrap: bool = False) -> dict:
    """One file of an update: its path on the kit (relative to the firmware root), sha256 and base64 content.

    The path is checked by the firmware's own rules (kit/paths.py): the kit would refuse it anyway. The bootstrap
    may carry protected names (the key, kit/paths.py): it is meant for firmware that does not protect them."""
    paths = firmware_module("paths")
    clean = paths.normal(path) if bootstrap else paths.check(path)
    return {"path": clean, "sha256": hashlib.sha256(data).hexdigest(), "data": base64.b64encode(data).decode()}


def _files(firmware_root: Path, paths: list[str] | tuple[str, ...], bootstrap: bool = False) -> list[dict]:
    files = []
    for path in paths:
        source = firmware_root / path
        if not source.is_file():
            raise ValueError(f"{source} is not a file")
        files.append(file_entry(path, source.read_bytes(), bootstrap))
    return files


def update_command(firmware_root: Path, paths: list[str], version: str, cmd_id: str | None = None) -> dict:
    """An update replacing `paths` (relative to firmware_root, e.g. kit/app.py) with their current contents.

    Unsigned: kits with a key refuse it until ijlucht.signing.sign_update has signed it for one kit."""
    if not paths:
        raise ValueError("an update needs at least one file")
    firmware_module("manifest").check_version(version)
    files = _files(firmware_root, paths)
    check_version_agrees(files, version)
    return {"cmd": "update", "id": cmd_id or new_id("update"), "version": version, "files": files}


def check_version_agrees(files: list[dict], version: str) -> None:
    """ValueError when the update carries kit/__init__.py with another FW_VERSION than the one it installs: the kit
    reports the update's version (kit/version.py), and a later flash of these files would report the other."""
    import ast

    for entry in files:
        if entry["path"] != "kit/__init__.py":
            continue
        tree = ast.parse(base64.b64decode(entry["data"]))
        for node in tree.body:
            names = [getattr(t, "id", None) for t in node.targets] if isinstance(node, ast.Assign) else []
            said = getattr(node.value, "value", None) if names == ["FW_VERSION"] else version
            if said != version:
                raise ValueError(
                    f"kit/__init__.py says FW_VERSION = {said!r} but the update is --version {version}: make them agree"
                )


def bootstrap_command(firmware_root: Path, public_hex: str, version: str, cmd_id: str | None = None) -> dict:
    """The one unsigned update a kit without a key accepts: the key, plus the files that make a kit flashed before
    signed updates check signatures (such a kit installs them; a kit with this firmware takes only the key)."""
    from ijlucht import signing

    firmware_module("manifest").check_version(version)
    key = file_entry(firmware_module("paths").KEY_FILE, signing.key_file_text(public_hex).encode(), bootstrap=True)
    return {
        "cmd": "update",
        "id": cmd_id or new_id("update"),
        "version": version,
        "files": [*_files(firmware_root, BOOTSTRAP_FILES, bootstrap=True), key],
    }


def encode(command: dict) -> bytes:
    """The message body; ValueError when the kit could not take it in one message."""
    body = json.dumps(command, separators=(",", ":")).encode()
    if len(body) > MAX_COMMAND_BYTES:
        raise ValueError(
            f"the command is {len(body):,} bytes; a kit accepts at most {MAX_COMMAND_BYTES:,}: "
            "send the files in several updates"
        )
    return body


def send(host: str, port: int, password: str, kit_id: str, body: bytes, timeout: float = 10.0) -> None:
    """Publish one command (QoS 1, not retained) as the command account; raises OSError/TimeoutError on failure."""
    if not contract.is_valid_kit_id(kit_id):
        raise ValueError(f"{kit_id!r} is not a kit id (3-32 of a-z, 0-9, '-')")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=CMD_CLIENT_PREFIX + secrets.token_hex(4))
    client.username_pw_set(CMD_USER, password)
    client.connect(host, port, keepalive=30)
    client.loop_start()
    try:
        info = client.publish(contract.topic(kit_id, contract.CMD), body, qos=1)
        info.wait_for_publish(timeout)
        if not info.is_published():
            raise TimeoutError(f"the broker did not confirm the command within {timeout:.0f} s")
    finally:
        client.disconnect()
        client.loop_stop()
