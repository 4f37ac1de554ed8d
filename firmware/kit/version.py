"""The version the kit runs: the one its last update installed (the file `version`, swapped in and rolled back
with the update's files by kit/update.py, and written by flashing), else FW_VERSION of the flashed code."""

from kit import FW_VERSION

FILE = "version"
_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.+_-"  # kit/manifest.py VERSION_CHARS


def running(root="/"):
    """The version in root + 'version' when it holds a valid one, else FW_VERSION."""
    try:
        with open(root + FILE) as f:
            text = f.read().strip()
    except OSError:
        return FW_VERSION
    if 1 <= len(text) <= 32 and all(c in _CHARS for c in text):
        return text
    print("version: ignoring %r in %s%s" % (text[:40], root, FILE))
    return FW_VERSION
