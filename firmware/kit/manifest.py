"""Signed updates: an update is installed only when its manifest carries a valid Ed25519 signature by the key
the kit was flashed with (update_key.py), names this kit and has a counter above the last one installed.

The signed text (built the same way by the platform, ijlucht/signing.py, from this module):

    ijlucht-update/1
    kit bev-042
    counter 1764355200123
    version 0.3.0
    file <sha256 hex> kit/app.py          one line per file, in the order of the command

It covers everything that decides what is installed: which kit, which files at which paths with which content
(the sha256 of each file, checked against the data by kit/update.py), and the version. The counter (the
platform's signing time in ms) must rise: an update signed for another kit, or an old one sent again to roll a
kit back, is refused. The counter is kept in `update_counter` next to the key, written once an update is staged.

A kit without a key accepts one unsigned update, and only the key from it: the platform's "bootstrap"
(`ijlucht kits update KIT --bootstrap-key --i-understand-this-is-unsigned`). Firmware from before signed
updates installs the bootstrap's files (this firmware's checks) together with the key; see firmware/README.md.
"""

import binascii
import hashlib
import os

from kit import ed25519, paths

MAGIC = "ijlucht-update/1"
COUNTER_FILE = "update_counter"
VERSION_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+_-"
_HEX = "0123456789abcdef"


def check_version(version):
    if not isinstance(version, str) or not 1 <= len(version) <= 32 or any(c not in VERSION_CHARS for c in version):
        raise ValueError("update: version must be 1-32 of A-Z a-z 0-9 . + _ -, got %r" % (version,))
    return version


def _is_sha256(text):
    return isinstance(text, str) and len(text) == 64 and all(c in _HEX for c in text)


def text(kit_id, counter, version, files):
    """The bytes that are signed. `files`: dicts with path and sha256, as sent (paths as the sender wrote them)."""
    lines = [MAGIC, "kit " + kit_id, "counter %d" % counter, "version " + version]
    for entry in files:
        lines.append("file %s %s" % (entry["sha256"], entry["path"]))
    return ("\n".join(lines) + "\n").encode()


def key_file_text(public_key_hex):
    """What update_key.py holds: a Python file, so that firmware from before signed updates can install it."""
    return 'KEY = "%s"\n' % public_key_hex


def parse_key_file(data):
    """32 key bytes from update_key.py's contents; ValueError when it is not exactly key_file_text(...)."""
    text_ = data.decode() if isinstance(data, bytes) else data
    text_ = text_.strip()
    hexkey = text_[7:-1]
    if not (text_.startswith('KEY = "') and text_.endswith('"') and len(hexkey) == 64) or any(
        c not in _HEX for c in hexkey
    ):
        raise ValueError("update: the key file %s is damaged; flash the kit again" % paths.KEY_FILE)
    return binascii.unhexlify(hexkey)


def load_key(root):
    """The kit's public key (32 bytes), or None when it has none."""
    try:
        with open(root + paths.KEY_FILE) as f:
            data = f.read()
    except OSError:
        return None
    return parse_key_file(data)


def last_counter(root):
    try:
        with open(root + COUNTER_FILE) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return 0


def save_counter(root, counter):
    with open(root + COUNTER_FILE + ".tmp", "w") as f:
        f.write("%d\n" % counter)
    os.rename(root + COUNTER_FILE + ".tmp", root + COUNTER_FILE)


def _entries(files):
    """Check the shape of every file entry and its path before any signature work."""
    for entry in files:
        if not isinstance(entry, dict):
            raise ValueError("update: each file must be an object with path, sha256, data")
        clean = paths.check(entry.get("path"))
        if not _is_sha256(entry.get("sha256")):
            raise ValueError("update: sha256 of %s must be 64 lower-case hex digits" % clean)


def _key_entry(files):
    """The entry that carries update_key.py, or None."""
    for entry in files:
        try:
            if isinstance(entry, dict) and paths.normal(entry.get("path")) == paths.KEY_FILE:
                if _is_sha256(entry.get("sha256")):
                    return entry
        except ValueError:
            pass
    return None


def check(cmd, kit_id, root):
    """Decide whether the update command may be installed on this kit; ValueError with the reason if not.

    Returns (files to install with kit.update, key entry to write or None, counter to save or None).
    """
    version = check_version(cmd.get("version"))
    files = cmd["files"]
    key = load_key(root)
    if key is None:
        # The bootstrap: only its key is taken. Its files are for firmware from before signed updates (which
        # installs them as an ordinary update); this firmware already checks signatures once it has the key.
        key_entry = _key_entry(files)
        if key_entry is None:
            raise ValueError("update: this kit has no update key yet; it accepts only the key bootstrap")
        return [], key_entry, None
    _entries(files)
    sig = cmd.get("sig")
    if not sig:
        raise ValueError("update: not signed; this kit installs only updates signed with its platform's key")
    if cmd.get("kit") != kit_id:
        raise ValueError("update: signed for kit %r, not for this kit (%s)" % (cmd.get("kit"), kit_id))
    counter = cmd.get("counter")
    if not isinstance(counter, int) or counter is True or counter is False or counter < 1:
        raise ValueError("update: counter must be a positive integer")
    try:
        raw_sig = binascii.a2b_base64(sig)
    except (ValueError, TypeError):
        raw_sig = b""
    if not ed25519.verify(key, text(kit_id, counter, version, files), raw_sig):
        raise ValueError("update: bad signature (not made with this kit's key, or changed after signing)")
    last = last_counter(root)
    if counter <= last:
        raise ValueError(
            "update: counter %d is not above the last installed (%d): replayed or outdated" % (counter, last)
        )
    return files, None, counter


def write_key(root, entry):
    """Write the key file of a bootstrap after checking its sha256 and contents (a temporary file, then a rename)."""
    try:
        data = binascii.a2b_base64(entry.get("data") or "")
    except (ValueError, TypeError):
        raise ValueError("update: %s data is not base64" % paths.KEY_FILE)
    if binascii.hexlify(hashlib.sha256(data).digest()).decode() != entry["sha256"]:
        raise ValueError("update: sha256 of %s does not match" % paths.KEY_FILE)
    parse_key_file(data)
    with open(root + paths.KEY_FILE + ".tmp", "wb") as f:
        f.write(data)
    os.rename(root + paths.KEY_FILE + ".tmp", root + paths.KEY_FILE)
