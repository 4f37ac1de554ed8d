"""The platform's update signing key (Ed25519) and signed update manifests.

The private key lives in <state>/secrets/update-signing.key (hex of the 32-byte seed, mode 0600, written with
ijlucht/secretfile.py), never in the database. Kits carry the public key in update_key.py (written by
`ijlucht flash`, by virtualkit for virtual kits, or once by the unsigned key bootstrap) and install only updates
whose manifest it signed. The manifest text and the key file format come from the firmware itself
(firmware/kit/manifest.py), so platform and kit cannot disagree about what is signed.
"""

import base64
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ijlucht.flash import firmware_module
from ijlucht.secretfile import read_or_create_secret

KEY_FILE_NAME = "update-signing.key"


def key_path(secrets_dir: Path) -> Path:
    return secrets_dir / KEY_FILE_NAME


def load_private_key(secrets_dir: Path) -> Ed25519PrivateKey:
    """The platform's signing key; made at first use."""
    seed = read_or_create_secret(key_path(secrets_dir), lambda: Ed25519PrivateKey.generate().private_bytes_raw().hex())
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed))
    except ValueError as exc:
        raise ValueError(f"{key_path(secrets_dir)} does not hold an Ed25519 key (64 hex digits): {exc}") from exc


def public_key_hex(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def key_file_text(public_hex: str) -> str:
    """Contents of the kit's update_key.py."""
    if len(public_hex) != 64 or any(c not in "0123456789abcdef" for c in public_hex):
        raise ValueError(f"an update key is 64 lower-case hex digits, got {public_hex!r}")
    return firmware_module("manifest").key_file_text(public_hex)


def new_counter() -> int:
    """The signing time in ms: rises from one signed update to the next without any state on the platform."""
    return time.time_ns() // 1_000_000


def manifest_text(kit_id: str, counter: int, version: str, files: list[dict]) -> bytes:
    """What is signed: the firmware's own text (kit, counter, version, each file's sha256 and path)."""
    return firmware_module("manifest").text(kit_id, counter, version, files)


def sign_update(private: Ed25519PrivateKey, command: dict, kit_id: str, counter: int | None = None) -> dict:
    """The update command with kit, counter and the signature of its manifest added."""
    counter = new_counter() if counter is None else counter
    signed = {**command, "kit": kit_id, "counter": counter}
    text = manifest_text(kit_id, counter, signed["version"], signed["files"])
    signed["sig"] = base64.b64encode(private.sign(text)).decode()
    return signed
