"""Kit registration: a row in `kits` and an account on the broker, so the kit can log in and be stored."""

from dataclasses import dataclass
from datetime import datetime

import psycopg

from ijlucht import broker, contract
from ijlucht.settings import PlatformSettings


@dataclass(frozen=True)
class NewKit:
    kit_id: str
    name: str
    lat: float | None
    lon: float | None
    municipality: str | None = None
    indoor: bool = False
    created_at: datetime | None = None  # default: now; readings before it are rejected


def check_kit(kit: NewKit) -> None:
    if not contract.is_valid_kit_id(kit.kit_id):
        raise ValueError(
            f"kit id {kit.kit_id!r} is not valid: use 3-32 of a-z, 0-9 and '-', starting with a letter or digit"
        )
    if (kit.lat is None) != (kit.lon is None):
        raise ValueError("give both lat and lon, or neither")
    if kit.lat is not None and not (-90 <= kit.lat <= 90 and -180 <= kit.lon <= 180):  # type: ignore[operator]
        raise ValueError(f"position {kit.lat}, {kit.lon} is not a valid WGS84 latitude/longitude")


def register_kit(conn: psycopg.Connection, settings: PlatformSettings, kit: NewKit, password: str | None = None) -> str:
    """Insert or update the kit and set its broker password; returns the password (new unless given)."""
    check_kit(kit)
    password = password or broker.new_password()
    conn.execute(
        """
        INSERT INTO kits (kit_id, name, lat, lon, municipality, indoor, created_at)
        VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s, now()))
        ON CONFLICT (kit_id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon,
            municipality = excluded.municipality, indoor = excluded.indoor
        """,
        (kit.kit_id, kit.name, kit.lat, kit.lon, kit.municipality, kit.indoor, kit.created_at),
    )
    broker.set_password(settings.mosquitto_dir, kit.kit_id, password)
    return password


def kit_ids(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT kit_id FROM kits ORDER BY kit_id")]
