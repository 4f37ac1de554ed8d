"""Start virtual kits from CPython: write a kit folder, then run the firmware in a `micropython` process."""

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ijlucht.flash import write_private
from ijlucht.secretfile import read_or_create_secret

RUN_KIT = Path(__file__).resolve().parent / "run_kit.py"
SERIES_FILE = "series.csv"
SERIES_HEADER = ("offset_s", "pm1", "pm25", "pm10", "t", "rh", "p")
LOG_FILE = "kit.log"
SETUP_PASSWORD = "setup_password"  # the set-up access point's, kept across re-writes like a label
FIRMWARE_COPY = "fw"
KEY_FILE = "update_key.py"  # copied into the kit's firmware at its first start, as `ijlucht flash` writes it


def micropython_binary() -> str:
    """The `micropython` command next to this Python (the venv's) or else on PATH."""
    beside = Path(sys.executable).parent / "micropython"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("micropython")
    if found is None:
        raise FileNotFoundError(f"no micropython binary next to {sys.executable} or on PATH")
    return found


def _csv_field(value: object) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else repr(float(value))


def write_kit_dir(
    kit_dir: str | Path, config: dict, series_rows: Iterable[Sequence | Mapping], update_key: str | None = None
) -> Path:
    """Write <kit_dir>/config.json and <kit_dir>/series.csv; returns the folder.

    series_rows: (offset_s, pm1, pm25, pm10, t, rh, p) sequences or mappings with those keys; None = missing.
    config gets replay_file = series.csv unless it names one. A freshly written kit is a freshly flashed kit:
    its firmware copy (<kit_dir>/fw, updated over MQTT) is dropped and made again from firmware/ at the start,
    with update_key (the platform's public key, 64 hex; ijlucht.signing) as its update_key.py. Without one the
    kit is like one flashed before signed updates: it takes only an unsigned key bootstrap.
    """
    kit_dir = Path(kit_dir)
    kit_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(kit_dir / FIRMWARE_COPY, ignore_errors=True)
    (kit_dir / KEY_FILE).unlink(missing_ok=True)
    if update_key is not None:
        from ijlucht.signing import key_file_text

        (kit_dir / KEY_FILE).write_text(key_file_text(update_key))
    lines = [",".join(SERIES_HEADER)]
    for row in series_rows:
        values = [row.get(k) for k in SERIES_HEADER] if isinstance(row, Mapping) else list(row)
        if len(values) != len(SERIES_HEADER):
            raise ValueError(f"series row {row!r} needs {len(SERIES_HEADER)} fields")
        lines.append(",".join(_csv_field(v) for v in values))
    (kit_dir / SERIES_FILE).write_text("\n".join(lines) + "\n")
    config = {"replay_file": SERIES_FILE, **config}
    # config.json holds the kit's broker password: owner-only, whole or not at all, as the flash tool writes it.
    write_private(kit_dir / "config.json", json.dumps(config, indent=2) + "\n")
    read_or_create_secret(kit_dir / SETUP_PASSWORD, lambda: secrets.token_urlsafe(12))
    return kit_dir


def start_kit(kit_dir: str | Path) -> subprocess.Popen:
    """Run the firmware for <kit_dir> in a micropython process; its output goes to <kit_dir>/kit.log.

    The output goes to a file, not a pipe, so a kit never stalls on a full pipe nobody reads.
    Stop it with terminate() (SIGTERM ends it at once); the broker then publishes its last will.
    """
    kit_dir = Path(kit_dir).resolve()
    if not (kit_dir / "config.json").is_file():
        raise FileNotFoundError(f"{kit_dir / 'config.json'} does not exist; use write_kit_dir first")
    with open(kit_dir / LOG_FILE, "ab") as log:
        return subprocess.Popen(
            [micropython_binary(), str(RUN_KIT), str(kit_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(kit_dir),
        )


def start_flashed(root: str | Path) -> subprocess.Popen:
    """Boot a virtual kit from a folder laid out as an ESP32's flash (`ijlucht-flash stage --out root`): the
    staged files exactly as they would be on the device; output in <root>/kit.log."""
    root = Path(root).resolve()
    with open(root / LOG_FILE, "ab") as log:
        return subprocess.Popen(
            [micropython_binary(), str(RUN_KIT), "--flashed", str(root)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(root),
        )
