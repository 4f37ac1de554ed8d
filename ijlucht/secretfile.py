"""Secret files in <state>/secrets: created whole or not at all, mode 0600, the first writer wins.

A secret is written to a private temporary file in the same folder, flushed to disk and then hard-linked into
place, which fails when the name already exists. So two processes starting together both end up reading the one
secret that got there first, and a reader never sees an empty or half-written file. deploy/local/services.sh
writes its secrets the same way (write_secret).
"""

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


class SecretFileError(RuntimeError):
    """A secret file exists but cannot be used."""


def read_secret(path: Path) -> str:
    """The secret in `path` without surrounding white space; an empty file is an error, never an empty secret."""
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise SecretFileError(f"secret file {path} is empty; remove it and a new secret is made on next use")
    return text


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret in `path`; when there is none yet, `make()` is stored there first (mode 0600, atomically)."""
    with contextlib.suppress(FileNotFoundError):
        return read_secret(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(make() + "\n")
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: everyone uses its secret
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    _fsync_dir(path.parent)
    return read_secret(path)


def _fsync_dir(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):  # Windows (the resident's flash tool carries this module): no folder fsync
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
