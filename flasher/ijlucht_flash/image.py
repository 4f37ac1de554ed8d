"""MicroPython's ESP32 image: a local file, or downloaded and checked against a pinned sha256.

Only hashes computed from the downloaded file itself belong in PINNED (version -> URL, sha256). This tool was
built on a machine that cannot reach micropython.org, so none is pinned yet: download the image from
https://micropython.org/download/ESP32_GENERIC/ and give it with --image, or give --image-url with
--image-sha256 (the hash you checked). An unpinned version is refused rather than trusted on first use.
"""

import hashlib
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

PINNED: dict[str, tuple[str, str]] = {}
CHUNK = 64 * 1024
MAGIC = 0xE9  # first byte of every ESP32 application image (esptool's image format)


def check_magic(path: Path) -> Path:
    """path, or ValueError when it is not an ESP32 firmware image at all (a wrong download, a text file)."""
    with open(path, "rb") as f:
        first = f.read(1)
    if first != bytes((MAGIC,)):
        raise ValueError(f"{path} is not an ESP32 firmware image (it does not start with 0x{MAGIC:02X})")
    return path


def cache_dir() -> Path:
    """Where downloaded images are kept, per user (no root needed) on Linux, macOS and Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ijlucht-flash"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pinned(version: str) -> tuple[str, str]:
    """(url, sha256) of a pinned MicroPython version; ValueError saying what to do otherwise."""
    if version not in PINNED:
        raise ValueError(
            f"MicroPython {version} has no pinned sha256 in this tool; download ESP32_GENERIC from "
            "https://micropython.org/download/ESP32_GENERIC/ and give it with --image FILE"
        )
    return PINNED[version]


def fetch(url: str, sha256: str, cache: Path | None = None, timeout: float = 60) -> Path:
    """The image at `url`, from the cache when its hash matches, else downloaded; ValueError on a wrong hash
    (the download is then thrown away)."""
    sha256 = sha256.strip().lower()
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"--image-sha256 must be 64 hex digits, got {sha256!r}")
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{sha256}.bin"
    if target.exists() and sha256_of(target) == sha256:
        return target
    fd, tmp = tempfile.mkstemp(prefix=".download.", dir=cache)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError(f"{url} has sha256 {digest.hexdigest()}, not the expected {sha256}: not used")
        check_magic(Path(tmp))
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def local(path: Path, sha256: str | None = None) -> Path:
    """A local image file; checked against sha256 when one is given."""
    if not path.is_file():
        raise ValueError(f"--image {path}: no such file")
    if sha256 is not None and sha256_of(path) != sha256.strip().lower():
        raise ValueError(f"--image {path} has sha256 {sha256_of(path)}, not the expected {sha256}")
    return check_magic(path)
