"""Where the kit's files are: inside the installed wheel (ijlucht_flash/device/), or firmware/ of a checkout.

The firmware's own modules (kit.config, kit.sensors, kit.manifest, kit.version) are plain Python and run on
CPython too, so the tool checks a configuration with exactly the rules the kit applies at boot.
"""

import importlib
import sys
from pathlib import Path
from types import ModuleType

PACKAGED = Path(__file__).resolve().parent / "device"
CHECKOUT = Path(__file__).resolve().parents[2] / "firmware"
DEVICE_FILES = ("boot.py", "main.py")  # plus the kit/ package


def firmware_root() -> Path:
    """The folder laid out as the kit's file system: the wheel's copy when installed, else the checkout's."""
    return PACKAGED if (PACKAGED / "kit").is_dir() else CHECKOUT


def firmware_module(name: str) -> ModuleType:
    """kit.<name> of the firmware this tool writes."""
    root = str(firmware_root())
    sys.path.insert(0, root)
    try:
        return importlib.import_module(f"kit.{name}")
    finally:
        sys.path.remove(root)


def device_sources() -> list[Path]:
    """boot.py, main.py and every .py under kit/ (no caches, no tests), in a stable order."""
    root = firmware_root()
    return [root / name for name in DEVICE_FILES] + sorted((root / "kit").rglob("*.py"))
