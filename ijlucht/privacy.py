"""Public positions: each kit's exact position moved once, deterministically, by 40–100 m.

The offset comes from an HMAC of the kit id and its exact position under a secret kept in the state folder, so the
same kit at the same place always gets the same public position (no averaging-out over repeated requests) and
nobody without the secret can undo it. Kits whose owner opted in keep their exact position; indoor kits are never
shown on public maps at all (the API filters them; see api/README.md).
"""

import hashlib
import hmac
import math
import secrets
from pathlib import Path

from ijlucht.secretfile import read_or_create_secret

MIN_OFFSET_M = 40.0
MAX_OFFSET_M = 100.0
SECRET_FILE = "position-jitter.key"


def jitter_secret(secrets_dir: Path) -> bytes:
    """The installation's jitter secret, created on first use (0600; processes starting together get the same)."""
    return bytes.fromhex(read_or_create_secret(secrets_dir / SECRET_FILE, lambda: secrets.token_hex(32)))


def jittered_position(secret: bytes, kit_id: str, lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) moved 40–100 m in a direction fixed by the secret, the kit id and the position; 5 decimals."""
    digest = hmac.new(secret, f"{kit_id}|{lat:.6f}|{lon:.6f}".encode(), hashlib.sha256).digest()
    u1 = int.from_bytes(digest[:8], "big") / 2**64
    u2 = int.from_bytes(digest[8:16], "big") / 2**64
    bearing = 2 * math.pi * u1
    distance = MIN_OFFSET_M + (MAX_OFFSET_M - MIN_OFFSET_M) * u2
    dlat = distance * math.cos(bearing) / 110_574.0
    dlon = distance * math.sin(bearing) / (111_320.0 * math.cos(math.radians(lat)))
    return round(max(-90.0, min(90.0, lat + dlat)), 5), round(((lon + dlon + 180.0) % 360.0) - 180.0, 5)


def public_position(
    secret: bytes, kit_id: str, lat: float | None, lon: float | None, exact_public: bool = False
) -> tuple[float | None, float | None]:
    """The position published for a kit: exact when the owner opted in, jittered otherwise, none without one."""
    if lat is None or lon is None:
        return None, None
    if exact_public:
        return lat, lon
    return jittered_position(secret, kit_id, lat, lon)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres (equirectangular; exact enough below a few km)."""
    kx = 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * 110_574.0)
