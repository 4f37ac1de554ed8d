"""Kit registration: a row in `kits` and an account on the broker, so the kit can log in and be stored.

Row and account change together: the row is written in a transaction that commits only after the broker has taken
the account change (ijlucht/broker.py), so a broker failure leaves no kit without its account and no account change
half done. Registration is atomic: the primary key decides between two registrations of one id, not a check first.

At registration a kit also gets its municipality and district (ijlucht.geo) and its public position
(ijlucht.privacy); the exact position and the owner's contact stay in the row and reach only admin responses.
"""

from dataclasses import dataclass
from datetime import datetime

import psycopg

from ijlucht import broker, contract, dynsec, geo, privacy
from ijlucht.settings import PlatformSettings


@dataclass(frozen=True)
class NewKit:
    kit_id: str
    name: str
    lat: float | None
    lon: float | None
    municipality: str | None = None  # default: from the position (data/geo outlines)
    indoor: bool = False
    created_at: datetime | None = None  # default: now; readings before it are rejected
    height_m: float | None = None  # above ground
    owner_name: str | None = None
    owner_email: str | None = None
    sensors: tuple[str, ...] | None = None
    exact_location_public: bool = False  # the owner opts in to publishing the exact position


class KitExists(ValueError):
    def __init__(self, kit_id: str) -> None:
        super().__init__(f"kit {kit_id!r} exists; rotate its password or pick another id")
        self.kit_id = kit_id


class ReservedKitId(ValueError):
    """The id belongs to the platform's own accounts (ijlucht.dynsec.reserved_reason says which rule)."""


class KitNotFound(LookupError):
    def __init__(self, kit_id: str) -> None:
        super().__init__(f"no kit with id {kit_id!r}")
        self.kit_id = kit_id


def check_kit(kit: NewKit) -> None:
    if not contract.is_valid_kit_id(kit.kit_id):
        raise ValueError(
            f"kit id {kit.kit_id!r} is not valid: use 3-32 of a-z, 0-9 and '-', starting with a letter or digit"
        )
    if (kit.lat is None) != (kit.lon is None):
        raise ValueError("give both lat and lon, or neither")
    if reason := dynsec.reserved_reason(kit.kit_id):
        raise ReservedKitId(reason)
    if kit.lat is not None and not (-90 <= kit.lat <= 90 and -180 <= kit.lon <= 180):  # type: ignore[operator]
        raise ValueError(f"position {kit.lat}, {kit.lon} is not a valid WGS84 latitude/longitude")
    if kit.height_m is not None and not -10 <= kit.height_m <= 500:
        raise ValueError(f"height {kit.height_m} m is outside -10..500 m above ground")


UPSERT = """
        ON CONFLICT (kit_id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon,
            municipality = excluded.municipality, indoor = excluded.indoor,
            municipality_code = excluded.municipality_code, district_code = excluded.district_code,
            district = excluded.district, public_lat = excluded.public_lat, public_lon = excluded.public_lon,
            exact_location_public = excluded.exact_location_public,
            height_m = coalesce(excluded.height_m, kits.height_m),
            owner_name = coalesce(excluded.owner_name, kits.owner_name),
            owner_email = coalesce(excluded.owner_email, kits.owner_email),
            sensors = coalesce(excluded.sensors, kits.sensors),
            disabled_at = NULL, password_changed_at = now()
"""


def register_kit(
    conn: psycopg.Connection,
    settings: PlatformSettings,
    kit: NewKit,
    password: str | None = None,
    replace: bool = True,
) -> str:
    """Insert (or, with `replace`, update) the kit and set its broker account; returns the password (new unless
    given). Without `replace` an existing id raises KitExists: of two registrations of one id exactly one wins."""
    check_kit(kit)
    password = password or broker.new_password()
    where = geo.locate(kit.lat, kit.lon)
    secret = privacy.jitter_secret(settings.secrets_dir)
    public_lat, public_lon = privacy.public_position(secret, kit.kit_id, kit.lat, kit.lon, kit.exact_location_public)
    sql = (
        """
        INSERT INTO kits (kit_id, name, lat, lon, municipality, indoor, created_at, municipality_code,
                          district_code, district, public_lat, public_lon, exact_location_public, height_m,
                          owner_name, owner_email, sensors, password_changed_at)
        VALUES (%(kit_id)s, %(name)s, %(lat)s, %(lon)s, %(municipality)s, %(indoor)s, coalesce(%(created_at)s, now()),
                %(municipality_code)s, %(district_code)s, %(district)s, %(public_lat)s, %(public_lon)s,
                %(exact)s, %(height_m)s, %(owner_name)s, %(owner_email)s, %(sensors)s, now())
        """
        + (UPSERT if replace else " ON CONFLICT (kit_id) DO NOTHING")
        + " RETURNING kit_id"
    )
    values = {
        "kit_id": kit.kit_id,
        "name": kit.name,
        "lat": kit.lat,
        "lon": kit.lon,
        "municipality": kit.municipality or where.municipality,
        "indoor": kit.indoor,
        "created_at": kit.created_at,
        "municipality_code": where.municipality_code,
        "district_code": where.district_code,
        "district": where.district,
        "public_lat": public_lat,
        "public_lon": public_lon,
        "exact": kit.exact_location_public,
        "height_m": kit.height_m,
        "owner_name": kit.owner_name,
        "owner_email": kit.owner_email,
        "sensors": list(kit.sensors) if kit.sensors is not None else None,
    }
    with conn.transaction():
        if conn.execute(sql, values).fetchone() is None:  # waits for a concurrent insert of the id, then loses
            raise KitExists(kit.kit_id)
        broker.set_kit_account(settings, kit.kit_id, password)  # raises: the row is rolled back
    return password


def _mark_disabled(conn: psycopg.Connection, kit_id: str) -> None:
    """Mark the row disabled inside the caller's transaction, which commits only once the broker has answered."""
    cur = conn.execute("UPDATE kits SET disabled_at = now(), online = false WHERE kit_id = %s", (kit_id,))
    if cur.rowcount == 0:
        raise KitNotFound(kit_id)


def disable_kit(conn: psycopg.Connection, settings: PlatformSettings, kit_id: str) -> None:
    """Disable the kit's broker account: its live session is closed at once and it cannot log in; data stay."""
    with conn.transaction():
        _mark_disabled(conn, kit_id)
        broker.disable_kit_account(settings, kit_id)


def delete_kit_account(conn: psycopg.Connection, settings: PlatformSettings, kit_id: str) -> None:
    """Remove the kit's broker account and role for good (session closed at once); its row and data stay, marked
    disabled. `rotate_password` creates a fresh account."""
    with conn.transaction():
        _mark_disabled(conn, kit_id)
        broker.delete_kit_account(settings, kit_id)


def rotate_password(conn: psycopg.Connection, settings: PlatformSettings, kit_id: str) -> str:
    """A new broker password for the kit: the old one stops working and its session is closed; re-enables a
    disabled kit (and re-creates a deleted account)."""
    password = broker.new_password()
    with conn.transaction():
        cur = conn.execute(
            "UPDATE kits SET password_changed_at = now(), disabled_at = NULL WHERE kit_id = %s", (kit_id,)
        )
        if cur.rowcount == 0:
            raise KitNotFound(kit_id)
        broker.rotate_kit_password(settings, kit_id, password)
    return password


def fill_public_fields(conn: psycopg.Connection, settings: PlatformSettings) -> int:
    """Give kits registered before migration 020 their area and public position; returns how many."""
    rows = conn.execute(
        "SELECT kit_id, lat, lon, exact_location_public FROM kits"
        " WHERE lat IS NOT NULL AND (public_lat IS NULL OR municipality_code IS NULL)"
    ).fetchall()
    secret = privacy.jitter_secret(settings.secrets_dir)
    for kit_id, lat, lon, exact in rows:
        where = geo.locate(lat, lon)
        plat, plon = privacy.public_position(secret, kit_id, lat, lon, exact)
        conn.execute(
            "UPDATE kits SET public_lat = %s, public_lon = %s, municipality_code = %s, district_code = %s,"
            " district = %s, municipality = coalesce(municipality, %s) WHERE kit_id = %s",
            (plat, plon, where.municipality_code, where.district_code, where.district, where.municipality, kit_id),
        )
    return len(rows)


def kit_ids(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT kit_id FROM kits ORDER BY kit_id")]
