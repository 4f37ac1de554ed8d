"""API keys: created here or by `ijlucht apikeys create`, stored only as a SHA-256 hash.

A key reads `ijl_<prefix>_<secret>`; the prefix names it in lists and logs, the secret part is 32 random bytes, so
a plain SHA-256 is enough (no password stretching needed for high-entropy keys). Roles: `admin` (register and
disable kits, exact positions and owners) and `reader` (public data with a higher rate limit). The CLI makes reader
keys unless told `--role admin`; researchers get reader keys themselves by confirming their address
(api/routes/keys.py).
"""

import argparse
import hashlib
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime

import psycopg

from ijlucht.settings import PlatformSettings

ROLES = ("admin", "reader")
KEY_PREFIX = "ijl_"


@dataclass(frozen=True)
class ApiKey:
    id: int
    prefix: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_plain_key() -> tuple[str, str]:
    """(prefix, plain text) of a fresh key."""
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


INSERT_KEY = (
    "INSERT INTO api_keys (prefix, key_hash, name, role) VALUES (%s, %s, %s, %s)"
    " RETURNING id, prefix, name, role, created_at, revoked_at"
)


def create_key(conn: psycopg.Connection, name: str, role: str = "reader") -> tuple[ApiKey, str]:
    """A new key; returns it and its plain text, which is shown once and never stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    prefix, plain = new_plain_key()
    row = conn.execute(INSERT_KEY, (prefix, hash_key(plain), name, role)).fetchone()
    assert row is not None
    return ApiKey(*row), plain


SELECT_BY_HASH = "SELECT id, prefix, name, role, created_at, revoked_at FROM api_keys WHERE key_hash = %s"


def list_keys(conn: psycopg.Connection) -> list[ApiKey]:
    rows = conn.execute("SELECT id, prefix, name, role, created_at, revoked_at FROM api_keys ORDER BY id").fetchall()
    return [ApiKey(*r) for r in rows]


def revoke_key(conn: psycopg.Connection, prefix: str) -> bool:
    cur = conn.execute("UPDATE api_keys SET revoked_at = now() WHERE prefix = %s AND revoked_at IS NULL", (prefix,))
    return cur.rowcount > 0


def add_parser(sub: "argparse._SubParsersAction") -> None:
    """The `ijlucht apikeys` subcommand."""
    p = sub.add_parser("apikeys", help="API keys (the first admin key is made here)")
    ksub = p.add_subparsers(dest="apikeys_cmd", required=True)
    create = ksub.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="who or what uses the key")
    create.add_argument("--role", choices=ROLES, default="reader", help="reader (default) or admin")
    ksub.add_parser("list", help="list keys (prefixes only)")
    revoke = ksub.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")


def run(settings: PlatformSettings, args: argparse.Namespace) -> int:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        if args.apikeys_cmd == "create":
            key, plain = create_key(conn, args.name, args.role)
            print(f"{key.role} key {key.prefix} for {key.name!r} (shown once, store it now):\n{plain}")
        elif args.apikeys_cmd == "list":
            for k in list_keys(conn):
                state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
                print(f"{k.prefix}  {k.role:<6}  {state:<18}  {k.name}")
        elif not revoke_key(conn, args.prefix):
            print(f"error: no active key with prefix {args.prefix!r}", file=sys.stderr)
            return 2
    return 0
