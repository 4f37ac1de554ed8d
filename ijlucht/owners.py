"""Residents and their own kits: self-service sign-up, the kit configuration they flash, owner tokens, approval.

A sign-up (api/routes/accounts.py) is checked here (pure: name, service area, sensors), stored with a hash of a
one-time token that is mailed to the address, and confirmed by following the link: that registers the kit through
ijlucht/kits.py (row and broker account together), gives it an owner token (stored hashed; it opens the owner page,
never the broker) and answers the kit configuration with the broker password, once. When the operator setting
`kits_need_approval` holds, the account is created disabled and `approve_kit` enables it.

The sensor names are the firmware's own list (firmware/kit/sensors.py, checked by firmware/kit/config.py): what the
platform accepts is exactly what the kit will boot with.
"""

import argparse
import hashlib
import secrets
import sys
from dataclasses import dataclass
from functools import cache

import psycopg
import psycopg.sql

from ijlucht import broker, contract, dynsec, geo, kits, signing
from ijlucht.flash import firmware_module
from ijlucht.settings import PlatformSettings

SIGNUP_VALID_S = 24 * 3600  # a confirmation link works for a day
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # secrets.token_urlsafe(32)


CONFIRM_PAGE = "/signup/confirm"  # the dashboard page the mailed link opens (dashboard/signup_page.py)


class SignupRefused(ValueError):
    """A sign-up the platform will not take, with the reason a resident can act on. `field` names the form field
    and `kind` the problem (kit_id_invalid, kit_id_reserved, outside_area, sensors), so a form can say it there."""

    def __init__(self, message: str, field: str, kind: str) -> None:
        super().__init__(message)
        self.field = field
        self.kind = kind


@dataclass(frozen=True)
class Signup:
    email: str
    kit_id: str  # the kit's name: also its broker account and client id
    name: str  # a label for the owner's own use
    lat: float
    lon: float
    indoor: bool
    sensors: tuple[str, ...]
    height_m: float | None = None


def supported_sensors() -> tuple[str, ...]:
    """The sensors a resident's kit may name: the firmware's hardware list (no virtual replay sensor)."""
    return tuple(sorted(firmware_module("sensors").HARDWARE))


@cache
def service_area() -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) around the municipalities the platform serves (data/geo outlines)."""
    boxes = [a.bbox for a in geo.areas("municipality")]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def check_signup(signup: Signup) -> None:
    """SignupRefused naming what to change: a malformed or reserved name, a place outside the service area, or
    sensors the firmware does not drive (unknown, twice, or two of a kind that cannot share a kit)."""
    if not contract.is_valid_kit_id(signup.kit_id):
        raise SignupRefused(
            f"the kit name {signup.kit_id!r} is not valid: use 3-32 of a-z, 0-9 and '-', "
            "starting with a letter or digit",
            "kit_id",
            "kit_id_invalid",
        )
    if reason := dynsec.reserved_reason(signup.kit_id):
        raise SignupRefused(f"{reason}; pick another name", "kit_id", "kit_id_reserved")
    x0, y0, x1, y1 = service_area()
    if not (x0 <= signup.lon <= x1 and y0 <= signup.lat <= y1):
        raise SignupRefused(
            f"the position {signup.lat}, {signup.lon} is outside the area IJlucht serves "
            f"(latitude {y0:.3f}..{y1:.3f}, longitude {x0:.3f}..{x1:.3f})",
            "position",
            "outside_area",
        )
    try:
        firmware_module("config").check_sensors(list(signup.sensors), hardware_only=True)
    except ValueError as exc:
        raise SignupRefused(str(exc).removeprefix("config: "), "sensors", "sensors") from None
    if not signup.sensors:
        raise SignupRefused(
            "name at least one sensor; the build guide (docs/build/) lists the combinations", "sensors", "sensors"
        )


def hash_token(token: str) -> str:
    """Tokens are 32 random bytes: a plain SHA-256 is enough to store them (as for API keys)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def kit_config(settings: PlatformSettings, kit_id: str, password: str, sensors: tuple[str, ...], indoor: bool) -> dict:
    """The kit's configuration as `ijlucht-flash --config` reads it: config.json keys plus the platform's update
    key and CA certificate; the resident adds the Wi-Fi at flash time."""
    return {
        "kit_id": kit_id,
        "mqtt_host": settings.kit_broker_host,
        "mqtt_port": settings.kit_broker_port,
        "mqtt_password": password,
        "tls": True,
        "sensors": list(sensors),
        "indoor": indoor,
        "update_key": signing.public_key_hex(signing.load_private_key(settings.secrets_dir)),
        "ca": settings.kit_ca_path.read_text(encoding="ascii"),
    }


@dataclass(frozen=True)
class Registered:
    config: dict
    owner_token: str
    approval_pending: bool


TAKE_SIGNUP = """
SELECT id, email, kit_id, name, lat, lon, height_m, indoor, sensors FROM kit_signups
WHERE token_hash = %s AND confirmed_at IS NULL AND expires_at > now()
FOR UPDATE
"""
# The exact position now lives in the kit's row only.
CONFIRM_SIGNUP = "UPDATE kit_signups SET confirmed_at = now(), lat = NULL, lon = NULL WHERE id = %s"
SET_OWNER = "UPDATE kits SET owner_token_hash = %s, approval_pending = %s WHERE kit_id = %s"


def confirm_signup(conn: psycopg.Connection, settings: PlatformSettings, token: str) -> Registered | None:
    """Register the kit of the sign-up with this token; None when the token is unknown, used or expired.
    Raises kits.KitExists (the name was taken meanwhile), broker.BrokerAccountError and OSError (the CA file for
    kits cannot be read); then nothing changed."""
    with conn.transaction():
        row = conn.execute(TAKE_SIGNUP, (hash_token(token),)).fetchone()
        if row is None:
            return None
        signup_id, email, kit_id, name, lat, lon, height_m, indoor, sensors = row
        new = kits.NewKit(
            kit_id, name, lat, lon, indoor=indoor, height_m=height_m, owner_email=email, sensors=tuple(sensors)
        )
        password = kits.register_kit(conn, settings, new, replace=False)
        owner_token = new_token()
        pending = settings.kits_need_approval
        conn.execute(SET_OWNER, (hash_token(owner_token), pending, kit_id))
        conn.execute(CONFIRM_SIGNUP, (signup_id,))
        # Made before the commit: without it (no CA file, say) the password would be shown to nobody.
        config = kit_config(settings, kit_id, password, tuple(sensors), indoor)
        if pending:  # the account exists, but no kit logs in with it before an admin approves
            conn.execute("UPDATE kits SET disabled_at = now() WHERE kit_id = %s", (kit_id,))
            broker.disable_kit_account(settings, kit_id)
    return Registered(config, owner_token, pending)


def approve_kit(conn: psycopg.Connection, settings: PlatformSettings, kit_id: str) -> bool:
    """Let a kit that waits for approval log in with the password its owner has; False if it was not waiting."""
    with conn.transaction():
        cur = conn.execute(
            "UPDATE kits SET approval_pending = false, disabled_at = NULL WHERE kit_id = %s AND approval_pending",
            (kit_id,),
        )
        if cur.rowcount == 0:
            if conn.execute("SELECT 1 FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() is None:
                raise kits.KitNotFound(kit_id)
            return False
        broker.enable_kit_account(settings, kit_id)
    return True


SIGNUP_RETENTION_S = 7 * 86400  # sign-ups (with their address) are kept a week: the rate limits look back a day


def expire_signups(conn: psycopg.Connection, older_than_s: float = SIGNUP_RETENTION_S) -> int:
    """Delete sign-ups older than the retention (docs/privacy.md); returns how many. Run by the ingest worker."""
    cur = conn.execute("DELETE FROM kit_signups WHERE created_at < now() - make_interval(secs => %s)", (older_than_s,))
    return cur.rowcount


def run(settings: PlatformSettings, args: argparse.Namespace) -> int:
    """`ijlucht kits approve KIT`."""
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        try:
            waited = approve_kit(conn, settings, args.kit_id)
        except kits.KitNotFound as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except broker.BrokerAccountError as exc:
            print(f"error: nothing changed: {exc}", file=sys.stderr)
            return 1
    print(f"kit {args.kit_id} approved: it can log in" if waited else f"kit {args.kit_id} was not waiting for approval")
    return 0


# What the owner chooses between before deleting a kit (shown on the owner page and in the API's description).
DELETE_CHOICES = {
    "keep": "Your e-mail address and the exact position are removed and the kit is switched off; its measurements "
    "stay in the open data under the kit's name and public (shifted) position, with nothing that points to you.",
    "delete": "Your e-mail address, the exact position, the kit and every measurement it made are removed for good.",
}

# Every table of the platform that holds a kit's rows (readings, rollups, rejects, versions, sign-ups, ...).
KIT_TABLES = """
SELECT c.table_name FROM information_schema.columns c
JOIN information_schema.tables t USING (table_schema, table_name)
WHERE c.table_schema = 'public' AND c.column_name = 'kit_id' AND t.table_type = 'BASE TABLE'
  AND c.table_name <> 'kits'
ORDER BY 1
"""

FORGET_OWNER = """
UPDATE kits SET owner_email = NULL, owner_name = NULL, lat = NULL, lon = NULL, owner_token_hash = NULL,
       exact_location_public = false, disabled_at = now(), online = false
WHERE kit_id = %s
"""


def delete_kit(conn: psycopg.Connection, settings: PlatformSettings, kit_id: str, measurements: str) -> None:
    """The owner deletes the kit: its broker account goes, with the e-mail address and the exact position (also in
    its history and sign-ups); `measurements` 'keep' keeps the readings anonymously, 'delete' removes them too.
    All or nothing: the transaction commits only once the broker has removed the account."""
    if measurements not in DELETE_CHOICES:
        raise ValueError(f"measurements must be one of {', '.join(DELETE_CHOICES)}, got {measurements!r}")
    with conn.transaction():
        if conn.execute("SELECT 1 FROM kits WHERE kit_id = %s FOR UPDATE", (kit_id,)).fetchone() is None:
            raise kits.KitNotFound(kit_id)
        if measurements == "delete":
            for (table,) in conn.execute(KIT_TABLES).fetchall():
                conn.execute(
                    psycopg.sql.SQL("DELETE FROM {} WHERE kit_id = %s").format(psycopg.sql.Identifier(table)), (kit_id,)
                )
            conn.execute("DELETE FROM kits WHERE kit_id = %s", (kit_id,))
        else:
            conn.execute(FORGET_OWNER, (kit_id,))
            conn.execute("UPDATE kit_versions SET lat = NULL, lon = NULL WHERE kit_id = %s", (kit_id,))
            conn.execute("DELETE FROM kit_signups WHERE kit_id = %s", (kit_id,))
        broker.delete_kit_account(settings, kit_id)
