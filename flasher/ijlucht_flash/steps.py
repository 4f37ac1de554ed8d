"""The hardware steps as command lines: esptool writes MicroPython's image, mpremote copies the staged kit.

Both run as `python -m esptool` / `python -m mpremote` with this Python, so they work wherever the tool was
installed (no PATH, no root, Windows included). Everything that touches the serial port goes through a
Runner, which tests replace.
"""

import subprocess
import sys
from pathlib import Path

from ijlucht_flash.device import DEVICE_FILES

IMAGE_OFFSET = "0x1000"  # where the ESP32 (not S2/S3/C3) boots MicroPython's image from (micropython.org)
BAUD = "460800"
UPDATE_MANIFEST = "update.json"  # firmware/kit/update.py MANIFEST


TIMED_OUT = 124  # the exit code `timeout` uses


class Runner:
    """Runs one command line against the kit; returns its exit code (TIMED_OUT when the kit did not answer).

    Each step is bounded: mpremote waits forever on a port where nothing answers (a board without MicroPython,
    another program holding the port). Writing MicroPython's 1.6 MB image at 460800 baud takes well under it."""

    def __init__(self, timeout_s: float = 180) -> None:
        self.timeout_s = timeout_s

    def run(self, argv: list[str]) -> int:
        try:
            return subprocess.run(argv, timeout=self.timeout_s, check=False).returncode
        except subprocess.TimeoutExpired:
            print(f"no answer from the kit within {self.timeout_s:g} s", file=sys.stderr)
            return TIMED_OUT


def esptool_commands(port: str, image: Path, python: str = sys.executable) -> list[list[str]]:
    """Erase the flash (an old file system must not survive), then write MicroPython's image."""
    base = [python, "-m", "esptool", "--chip", "esp32", "--port", port]
    return [[*base, "erase-flash"], [*base, "--baud", BAUD, "write-flash", "-z", IMAGE_OFFSET, str(image)]]


def remove_tree_script(*paths: str) -> str:
    """MicroPython code for `mpremote exec` that removes files or folders with everything in them (quietly if
    absent).

    Flashing starts from an empty kit/, so no file of an earlier firmware stays behind (a stale kit/x.py would
    otherwise be imported instead of a new kit/x.mpy), and without update.json, whose rollback would otherwise
    put an over-the-air update's .bak files back over the freshly flashed ones."""
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
        "    os.rmdir(p)\n" + "".join(f"rm({path!r})\n" for path in paths)
    )


def mpremote_commands(port: str, staging: Path, python: str = sys.executable) -> list[list[str]]:
    """The mpremote calls that copy a staged kit (staging.stage) to the device's file system, then reset it."""
    connect = [python, "-m", "mpremote", "connect", port]
    loose = sorted(p.name for p in staging.iterdir() if p.is_file() and p.name not in DEVICE_FILES)
    # Every target is named (`:kit`, `:main.py`): a bare `:` works only where the board reports its working
    # folder as existing (the unix port does not). kit/ was just removed, so `cp -r … :kit` makes it anew.
    # The removal is relative to the working folder, which is / after the soft reset mpremote makes first.
    return [
        [*connect, "exec", remove_tree_script("kit", UPDATE_MANIFEST)],
        [*connect, "fs", "cp", "-r", str(staging / "kit"), ":kit"],
        *([*connect, "fs", "cp", str(staging / name), ":" + name] for name in [*DEVICE_FILES, *loose]),
        [*connect, "reset"],
    ]


def run_all(runner: Runner, commands: list[list[str]], dry_run: bool, say=print) -> int:
    """Run the commands in order, stopping at the first failure; 0 when all succeeded."""
    import shlex

    for command in commands:
        say(("would run: " if dry_run else "running: ") + shlex.join(command))
        if dry_run:
            continue
        code = runner.run(command)
        if code != 0:
            say(f"step failed (exit code {code}): {shlex.join(command[:8])} …")
            return code
    return 0
