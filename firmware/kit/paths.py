"""Which files an update may write: a path is normalised first, then checked against the protected modules.

`./main.py`, `kit//update.py`, `kit/./update.mpy` all name a protected module once normalised; `..`, absolute
paths, backslashes and anything but lower-case a-z 0-9 _ - . in a name are refused outright (FAT file systems
ignore case, so `KIT/UPDATE.PY` would be kit/update.py there). A protected module is protected as .py, as .mpy
and as a package folder of that name (MicroPython would import kit/update/__init__.py instead of kit/update.py).

main.py, boot.py, kit/update.py and this file are what makes a rollback possible; update_key.py holds the key
that updates are checked against. All of them change over USB only (`ijlucht flash`).
"""

KEY_FILE = "update_key.py"
PROTECTED = ("main", "boot", "kit/update", "kit/paths", "update_key")  # modules, without .py / .mpy
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-."


def normal(path):
    """'kit//./app.py' -> 'kit/app.py'; ValueError for anything but a plain relative .py or .mpy path."""
    if not isinstance(path, str) or not path:
        raise ValueError("update: bad path %r" % (path,))
    if path.startswith("/") or "\\" in path:
        raise ValueError("update: bad path %r (absolute, or a backslash)" % path)
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise ValueError("update: bad path %r ('..')" % path)
        for ch in part:
            if ch not in _NAME_CHARS:
                raise ValueError("update: bad path %r (names are a-z 0-9 _ - . only)" % path)
        parts.append(part)
    clean = "/".join(parts)
    if not (clean.endswith(".py") or clean.endswith(".mpy")):
        raise ValueError("update: %s is not a .py or .mpy file" % clean)
    return clean


def module_of(clean):
    """'kit/update.mpy' -> 'kit/update'."""
    return clean[: clean.rfind(".")]


def check(path):
    """The normalised path; ValueError when it is unsafe or protected."""
    clean = normal(path)
    module = module_of(clean)
    for name in PROTECTED:
        if module == name or clean.startswith(name + "/"):
            raise ValueError("update: %s can only be changed over USB" % clean)
    return clean
