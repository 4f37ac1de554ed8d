"""The set-up access point's password, kept per kit so the printed label stays right across re-flashes.

It is made once (16 characters, WPA2 takes 8-63) and stored with the platform's secret-file writer (whole or
not at all, owner-only); a later flash of the same kit reuses it unless rotated on purpose.
"""

import os
import secrets
import sys
from pathlib import Path

try:  # the installed tool carries the platform's module (pyproject force-include); a checkout has ijlucht/
    from ijlucht_flash import secretfile
except ImportError:
    from ijlucht import secretfile


def user_store() -> Path:
    """The resident's own folder for these passwords (no root needed) on Linux, macOS and Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ijlucht-flash"


def setup_password(store: Path, kit_id: str, rotate: bool = False) -> tuple[str, bool]:
    """(password, made now) for kit_id under store/setup-passwords/; rotate makes a new one."""
    path = store / "setup-passwords" / kit_id
    if rotate:
        path.unlink(missing_ok=True)
    made = not path.exists()
    return secretfile.read_or_create_secret(path, lambda: secrets.token_urlsafe(12)), made
