"""Kit history: a kit's position, height, indoor/outdoor and sensors as versions with the time each became valid
(migration 052). Moving a kit adds a version and never overwrites one, so the past keeps the place it had then;
`kits` holds the current values.

    ijlucht kits move KIT --lat 52.46 --lon 4.62 [--height-m 4] [--indoor|--outdoor] [--sensors a,b] [--from TIME]
    ijlucht kits history KIT
"""

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from ijlucht import geo, kits, privacy
from ijlucht.settings import PlatformSettings


@dataclass(frozen=True)
class Version:
    valid_from: datetime
    valid_to: datetime | None  # None: the current version
    lat: float | None
    lon: float | None
    municipality_code: str | None
    district_code: str | None
    height_m: float | None
    indoor: bool
    sensors: list[str] | None


HISTORY = """
SELECT valid_from, CASE WHEN valid_to = 'infinity' THEN NULL ELSE valid_to END, lat, lon, municipality_code,
       district_code, height_m, indoor, sensors
FROM kit_version_spans WHERE kit_id = %s ORDER BY valid_from
"""

CURRENT = """
SELECT k.height_m, k.indoor, k.sensors, k.exact_location_public,
       (SELECT max(valid_from) FROM kit_versions v WHERE v.kit_id = k.kit_id)
FROM kits k WHERE k.kit_id = %s FOR UPDATE
"""

INSERT_VERSION = """
INSERT INTO kit_versions (kit_id, valid_from, lat, lon, public_lat, public_lon, municipality, municipality_code,
                          district_code, district, height_m, indoor, sensors)
VALUES (%(kit_id)s, %(valid_from)s, %(lat)s, %(lon)s, %(public_lat)s, %(public_lon)s, %(municipality)s,
        %(municipality_code)s, %(district_code)s, %(district)s, %(height_m)s, %(indoor)s, %(sensors)s)
"""

UPDATE_KIT = """
UPDATE kits SET lat = %(lat)s, lon = %(lon)s, public_lat = %(public_lat)s, public_lon = %(public_lon)s,
       municipality = %(municipality)s, municipality_code = %(municipality_code)s, district_code = %(district_code)s,
       district = %(district)s, height_m = %(height_m)s, indoor = %(indoor)s, sensors = %(sensors)s
WHERE kit_id = %(kit_id)s
"""


def history(conn: psycopg.Connection, kit_id: str) -> list[Version]:
    return [Version(*row) for row in conn.execute(HISTORY, (kit_id,))]


def move_kit(
    conn: psycopg.Connection,
    settings: PlatformSettings,
    kit_id: str,
    lat: float,
    lon: float,
    height_m: float | None = None,
    indoor: bool | None = None,
    sensors: tuple[str, ...] | None = None,
    valid_from: datetime | None = None,
) -> Version:
    """A new version of the kit from `valid_from` (default now; after the latest version, not in the future).
    Height, indoor and sensors not given stay as they are. KitNotFound or ValueError naming the problem."""
    kits.check_kit(kits.NewKit(kit_id, kit_id, lat, lon, height_m=height_m))
    now = datetime.now(UTC)
    when = valid_from or now
    if when.tzinfo is None:
        raise ValueError(f"the time {when.isoformat()} needs a zone (Z or +01:00)")
    where = geo.locate(lat, lon)
    with conn.transaction():
        row = conn.execute(CURRENT, (kit_id,)).fetchone()
        if row is None:
            raise kits.KitNotFound(kit_id)
        old_height, old_indoor, old_sensors, exact_public, latest = row
        if when > now:
            raise ValueError(f"a move cannot start in the future ({when.isoformat()})")
        if latest is not None and when <= latest:
            raise ValueError(
                f"a move must start after the kit's latest version ({latest.isoformat()}); history is never rewritten"
            )
        public_lat, public_lon = privacy.public_position(
            privacy.jitter_secret(settings.secrets_dir), kit_id, lat, lon, exact_public
        )
        values = {
            "kit_id": kit_id,
            "valid_from": when,
            "lat": lat,
            "lon": lon,
            "public_lat": public_lat,
            "public_lon": public_lon,
            "municipality": where.municipality,
            "municipality_code": where.municipality_code,
            "district_code": where.district_code,
            "district": where.district,
            "height_m": old_height if height_m is None else round(height_m, 2),
            "indoor": old_indoor if indoor is None else indoor,
            "sensors": old_sensors if sensors is None else list(sensors),
        }
        conn.execute(INSERT_VERSION, values)
        conn.execute(UPDATE_KIT, values)  # the trigger finds this version already written
    return history(conn, kit_id)[-1]


def add_parsers(ksub: "argparse._SubParsersAction") -> None:
    move = ksub.add_parser("move", help="move a kit: adds a version from now (or --from); history stays")
    move.add_argument("kit_id")
    move.add_argument("--lat", type=float, required=True)
    move.add_argument("--lon", type=float, required=True)
    move.add_argument("--height-m", type=float)
    where = move.add_mutually_exclusive_group()
    where.add_argument("--indoor", action="store_true", default=None)
    where.add_argument("--outdoor", dest="indoor", action="store_false")
    move.add_argument("--sensors", help="comma-separated; default: unchanged")
    move.add_argument("--from", dest="valid_from", type=datetime.fromisoformat, help="RFC 3339 time; default now")
    ksub.add_parser("history", help="a kit's versions: position, height, indoor, sensors").add_argument("kit_id")


def run(settings: PlatformSettings, args: argparse.Namespace) -> int:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        if args.kits_cmd == "move":
            sensors = tuple(s.strip() for s in args.sensors.split(",")) if args.sensors else None
            try:
                v = move_kit(
                    conn,
                    settings,
                    args.kit_id,
                    args.lat,
                    args.lon,
                    args.height_m,
                    args.indoor,
                    sensors,
                    args.valid_from,
                )
            except (ValueError, kits.KitNotFound) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"kit {args.kit_id} moved from {v.valid_from.isoformat()} to {v.municipality_code or 'no area'}")
            return 0
        for v in history(conn, args.kit_id):
            until = v.valid_to.isoformat() if v.valid_to else "now"
            place = f"{v.lat}, {v.lon} ({v.municipality_code or '-'}/{v.district_code or '-'})"
            print(
                f"{v.valid_from.isoformat()} .. {until}  {place}  height {v.height_m} m  "
                f"{'indoor' if v.indoor else 'outdoor'}  {','.join(v.sensors or [])}"
            )
    return 0
