"""Application updates: verify every file (sha256) before anything is replaced; roll back if the new code
does not come up.

    install():    check paths, base64 and sha256 of all files, plus the file `version` holding the update's
                  version (so the kit reports what it runs) -> write <path>.new, check again from flash
                  -> manifest update.json {"version", "files", "existed", "tries": 0} (temp + rename)
                  -> <path> to <path>.bak, <path>.new to <path> -> the caller reboots
    boot_check(): at every boot, before the app is imported: a swap left half done, or a second boot
                  without confirm() (the new code crashed, hung into the watchdog or never reached the
                  broker), restores the .bak files
    confirm():    called once the kit reached the broker with the new code: .bak files and manifest go

main.py, boot.py, this file and kit/paths.py cannot be updated over the air: they are what makes a rollback
possible (kit/paths.py says which paths are protected; every path is normalised before it is checked). Whether an
update may be installed at all (its signature, kit and counter) is decided before, by kit/manifest.py.
"""

import binascii
import hashlib
import json
import os

from kit import paths

MANIFEST = "update.json"
VERSION_FILE = "version"  # kit/version.py reads it at boot
MAX_TRIES = 1  # boots the new code gets to reach the broker
last_result = None  # what boot_check() did at this boot, for the info message


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _sha256_hex(data):
    return binascii.hexlify(hashlib.sha256(data).digest()).decode()


def verify(files):
    """[(normalised path, bytes)] after checking every path and sha256; ValueError before anything is written."""
    if not files:
        raise ValueError("update: no files")
    out = []
    for entry in files:
        if not isinstance(entry, dict):
            raise ValueError("update: each file must be an object with path, sha256, data")
        path = paths.check(entry.get("path"))
        if path in [p for p, _ in out]:  # a second copy would overwrite the first one's .bak
            raise ValueError("update: %s appears twice" % path)
        try:
            data = binascii.a2b_base64(entry.get("data") or "")
        except (ValueError, TypeError):
            raise ValueError("update: %s data is not base64" % path)
        if _sha256_hex(data) != str(entry.get("sha256", "")).lower():
            raise ValueError("update: sha256 of %s does not match" % path)
        out.append((path, data))
    return out


def _makedirs(root, path):
    parts = path.split("/")[:-1]
    current = root.rstrip("/")
    for part in parts:
        current = current + "/" + part
        if not _exists(current):
            os.mkdir(current)


def _write_manifest(root, manifest):
    tmp = root + MANIFEST + ".tmp"
    with open(tmp, "w") as f:
        json.dump(manifest, f)
    os.rename(tmp, root + MANIFEST)


def read_manifest(root):
    try:
        with open(root + MANIFEST) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def install(root, files, version):
    """Verify, stage and swap in the files under root ('/' on the device). Reboot afterwards."""
    if read_manifest(root) is not None:
        raise ValueError("update: the previous update is not confirmed yet")
    checked = verify(files)
    # The version travels as one more file: swapped in with the code, restored with it by a rollback.
    checked.append((VERSION_FILE, version.encode()))
    for path, data in checked:
        _makedirs(root, path)
        with open(root + path + ".new", "wb") as f:
            f.write(data)
        with open(root + path + ".new", "rb") as f:  # what the flash holds, not what we meant to write
            if hashlib.sha256(f.read()).digest() != hashlib.sha256(data).digest():
                raise OSError("update: %s did not write back correctly" % path)
    paths = [p for p, _ in checked]
    existed = [_exists(root + p) for p in paths]
    _write_manifest(root, {"version": version, "files": paths, "existed": existed, "tries": 0})
    for path, had in zip(paths, existed):
        if had:
            os.rename(root + path, root + path + ".bak")
        os.rename(root + path + ".new", root + path)
    print("update %s installed: %d files" % (version, len(paths)))


def rollback(root, manifest):
    for path, had in zip(manifest["files"], manifest["existed"]):
        _remove(root + path + ".new")
        if _exists(root + path + ".bak"):
            os.rename(root + path + ".bak", root + path)
        elif not had:
            _remove(root + path)
    _remove(root + MANIFEST)


def boot_check(root):
    """Run before importing the app: None, 'trial' (the new code gets this boot) or 'rolled back'."""
    global last_result
    last_result = None
    manifest = read_manifest(root)
    if manifest is None:
        return None
    half_done = [p for p in manifest.get("files", []) if _exists(root + p + ".new")]
    manifest["tries"] = manifest.get("tries", 0) + 1
    if half_done or manifest["tries"] > MAX_TRIES:
        rollback(root, manifest)
        print("update %s rolled back" % manifest.get("version"))
        last_result = "update %s rolled back" % manifest.get("version")
        return "rolled back"
    _write_manifest(root, manifest)
    last_result = "trial"
    return "trial"


def confirm(root):
    """The new code works (it reached the broker): keep it. Returns the confirmed version or None."""
    manifest = read_manifest(root)
    if manifest is None:
        return None
    for path in manifest.get("files", []):
        _remove(root + path + ".bak")
    _remove(root + MANIFEST)
    return manifest.get("version")
