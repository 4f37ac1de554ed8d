"""SQL of /v1/admin: exact kit data (position, owner, state). Synchronous: the admin routes run in a thread next
to the broker calls of ijlucht.kits."""

from typing import Any

import psycopg
from psycopg.rows import dict_row

ADMIN_KIT = """
SELECT kit_id, name, lat, lon, public_lat, public_lon, exact_location_public, height_m, indoor, public,
       municipality, municipality_code, district, district_code, owner_name, owner_email, sensors, firmware,
       online, last_seen, created_at, disabled_at, password_changed_at
FROM kits WHERE (%(kit_id)s::text IS NULL OR kit_id = %(kit_id)s) ORDER BY kit_id
"""


def admin_kits(conn: psycopg.Connection, kit_id: str | None) -> list[dict[str, Any]]:
    """All kits (kit_id None) or one, with exact position and owner."""
    return conn.cursor(row_factory=dict_row).execute(ADMIN_KIT, {"kit_id": kit_id}).fetchall()
