"""`ijlucht flash`: the resident's flash tool (flasher/, `ijlucht-flash`) run with the platform's own update key
and secrets folder, so operators and residents flash kits with one code path.

The configuration is checked with the firmware's own validator; the kit gets boot.py, main.py, kit/,
config.json, its set-up password (kept per kit in <state>/secrets/setup-passwords/, the same at every re-flash
unless --rotate-setup-password), update_key.py (the platform's public key, ijlucht/signing.py), update_counter
(now: no update signed before this flash can roll the kit back), version and, with --ca-file, ca.pem.
`--image`/`--micropython` write MicroPython's image first (esptool); `--dry-run` prints the commands.
TLS without a CA file would trust any certificate: `--tls` needs `--ca-file`, or `--insecure` to say so.
"""

import argparse
import sys

from ijlucht.settings import PROJECT_ROOT

FLASHER = PROJECT_ROOT / "flasher"
if str(FLASHER) not in sys.path:  # a checkout: the tool's package beside the platform (installed: found anyway)
    sys.path.insert(0, str(FLASHER))

from ijlucht_flash import cli as flash_cli  # noqa: E402
from ijlucht_flash import staging, steps  # noqa: E402
from ijlucht_flash.device import firmware_module  # noqa: E402, F401  (kitcommands and signing import it here)

TLS_NEEDS_CA = staging.TLS_NEEDS_CA
remove_tree_script = steps.remove_tree_script
stage_firmware = staging.stage_firmware
compile_mpy = staging.compile_mpy
write_private = staging.write_private


def add_parser(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("flash", help="write MicroPython (optional), the firmware and a kit's config over USB")
    flash_cli.add_kit_options(p)
    flash_cli.add_write_options(p, default_port="/dev/ttyUSB0")


def platform_update_key() -> str:
    """This platform's public update key (made at first use)."""
    from ijlucht import signing
    from ijlucht.settings import PlatformSettings

    return signing.public_key_hex(signing.load_private_key(PlatformSettings().secrets_dir))


def build_config(args: argparse.Namespace) -> dict:
    """config.json from the options, as `ijlucht flash` would write it; ValueError naming the problem."""
    values, ca_text, _ = flash_cli.kit_values(args)
    return staging.build_config(values, ca_text, args.insecure)


def run(args: argparse.Namespace, runner: steps.Runner | None = None) -> int:
    from ijlucht.settings import PlatformSettings

    key = None if args.update_key else platform_update_key()
    return flash_cli.write_kit(args, PlatformSettings().secrets_dir, key, runner, prog="ijlucht flash")
