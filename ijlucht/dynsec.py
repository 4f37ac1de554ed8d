"""Broker accounts as Mosquitto's dynamic security plugin keeps them: names, roles, reserved ids, the config file.

Pure except for `prepare` (run by deploy/local/services.sh while the broker is stopped): the platform's own
accounts, the roles (topic rights) of the worker, the command sender, the admin and each kit, and the rule that
decides which kit ids are reserved. Accounts change at run time only through the running broker (ijlucht/broker.py).

Mosquitto 2.0.11's plugin cannot substitute the username in an ACL (no %u), so every kit has a role of its own
(`kit-<id>`) granting its own topics, and its client id is fixed to its kit id: nobody can connect with a kit's
or a platform client's id under another account, so nobody can take over another session.

Run as `python -m ijlucht.dynsec prepare CONFIG SECRETS_DIR [PASSWORD_FILE]` (stdlib only: services.sh may run it
before the Python environment exists).
"""

import base64
import hashlib
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from ijlucht.secretfile import read_or_create_secret

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = CONTROL_TOPIC + "/response"
KITS_ROOT = "ijlucht/kits"  # ijlucht.contract.TOPIC_ROOT (not imported: this module must run without packages)
ITERATIONS = 101  # what mosquitto_passwd and the plugin use in 2.0
SALT_BYTES = 12  # the plugin refuses any other salt length

# The platform's own accounts: username -> (secret file in <state>/secrets, role, client id prefix).
ADMIN_USER = "ijlucht-admin"  # changes accounts through the plugin
INGEST_USER = "ingest"  # the ingest worker (name kept from the password-file days: existing secrets still work)
CMD_USER = "ijlucht-cmd"  # sends commands to kits (ijlucht kits cmd/update)
ADMIN_CLIENT_PREFIX = "ijlucht-admin-"
INGEST_CLIENT_PREFIX = "ijlucht-ingest"
CMD_CLIENT_PREFIX = "ijlucht-cmd-"
SERVICE_ACCOUNTS = {
    ADMIN_USER: ("mqtt-admin.pass", "ijlucht-admin"),
    INGEST_USER: ("mqtt-ingest.pass", "ijlucht-ingest"),
    CMD_USER: ("mqtt-cmd.pass", "ijlucht-cmd"),
}

# Kit ids nobody may register: the platform's accounts, client ids and roles, and names that would look like them.
RESERVED_IDS = frozenset({"admin", "ingest", "root", "mosquitto", "broker", "anonymous", "cmd", "push"})
RESERVED_PREFIXES = ("ijlucht", "admin-", "ingest-", "mosquitto-", "$")


def reserved_reason(kit_id: str) -> str | None:
    """Why `kit_id` cannot be a kit's id (its account name and client id), or None when it can."""
    if kit_id in RESERVED_IDS or kit_id in SERVICE_ACCOUNTS:
        return f"kit id {kit_id!r} is reserved: it names one of the platform's own broker accounts"
    for prefix in RESERVED_PREFIXES:
        if kit_id.startswith(prefix):
            return (
                f"kit id {kit_id!r} is reserved: ids starting with {prefix!r} belong to the platform's own "
                "accounts and client ids"
            )
    return None


def kit_role(kit_id: str) -> str:
    return f"kit-{kit_id}"


def _acl(kind: str, topic: str) -> dict[str, Any]:
    return {"acltype": kind, "topic": topic, "priority": 0, "allow": True}


def kit_acls(kit_id: str) -> list[dict[str, Any]]:
    """A kit writes its readings, status and info and reads its commands (docs/mqtt-contract.md)."""
    own = f"{KITS_ROOT}/{kit_id}"
    return [
        *(_acl("publishClientSend", f"{own}/{kind}") for kind in ("readings", "status", "info")),
        _acl("subscribeLiteral", f"{own}/cmd"),
        _acl("publishClientReceive", f"{own}/cmd"),
    ]


def service_acls(role: str) -> list[dict[str, Any]]:
    if role == "ijlucht-admin":
        return [
            _acl("publishClientSend", CONTROL_TOPIC),
            _acl("subscribeLiteral", RESPONSE_TOPIC),
            _acl("publishClientReceive", RESPONSE_TOPIC),
        ]
    if role == "ijlucht-ingest":  # every kit's messages, also as a member of a shared subscription
        return [
            _acl("subscribePattern", f"{KITS_ROOT}/#"),
            _acl("subscribePattern", f"$share/+/{KITS_ROOT}/#"),
            _acl("publishClientReceive", f"{KITS_ROOT}/#"),
        ]
    if role == "ijlucht-cmd":
        return [_acl("publishClientSend", f"{KITS_ROOT}/+/cmd")]
    raise ValueError(f"no such platform role {role!r}")


def hash_password(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> dict[str, Any]:
    """The plugin's stored form of a password: PBKDF2-SHA512, base64 salt and hash."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return {
        "password": base64.b64encode(digest).decode(),
        "salt": base64.b64encode(salt).decode(),
        "iterations": iterations,
    }


def password_matches(client: dict[str, Any], password: str) -> bool:
    try:
        salt = base64.b64decode(client["salt"])
        return hash_password(password, salt, int(client["iterations"]))["password"] == client["password"]
    except (KeyError, ValueError):
        return False


def passwd_hashes(text: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Accounts of a mosquitto_passwd file the plugin can take over unchanged, and the names it cannot.

    Mosquitto 2.0 writes `user:$7$<iterations>$<salt>$<hash>` (PBKDF2-SHA512, 12-byte salt): the same hash the
    plugin stores. Older `$6$` lines (one SHA512 round) cannot be converted: those kits need a new password.
    """
    taken: dict[str, dict[str, Any]] = {}
    left: list[str] = []
    for line in text.splitlines():
        user, sep, stored = line.strip().partition(":")
        if not sep:
            continue
        parts = stored.split("$")  # ['', '7', iterations, salt, hash]
        try:
            if len(parts) == 5 and parts[1] == "7" and len(base64.b64decode(parts[3])) == SALT_BYTES:
                taken[user] = {"password": parts[4], "salt": parts[3], "iterations": int(parts[2])}
                continue
        except ValueError:
            pass
        left.append(user)
    return taken, left


def kit_client(kit_id: str, stored: dict[str, Any]) -> dict[str, Any]:
    return {"username": kit_id, "clientid": kit_id, **stored, "roles": [{"rolename": kit_role(kit_id)}]}


def empty_config() -> dict[str, Any]:
    return {
        "defaultACLAccess": {
            "publishClientSend": False,
            "publishClientReceive": False,
            "subscribe": False,
            "unsubscribe": True,
        },
        "clients": [],
        "groups": [],
        "roles": [],
    }


def with_service_accounts(config: dict[str, Any], passwords: dict[str, str]) -> dict[str, Any]:
    """The config with the platform's accounts and roles as they must be; a stored hash is kept while it matches."""
    clients = {c["username"]: c for c in config.get("clients", [])}
    roles = {r["rolename"]: r for r in config.get("roles", [])}
    for user, (_, role) in SERVICE_ACCOUNTS.items():
        roles[role] = {"rolename": role, "acls": service_acls(role)}
        old = clients.get(user, {})
        stored = old if password_matches(old, passwords[user]) else hash_password(passwords[user])
        clients[user] = {
            "username": user,
            "password": stored["password"],
            "salt": stored["salt"],
            "iterations": stored["iterations"],
            "roles": [{"rolename": role}],
        }
    return {**config, "clients": list(clients.values()), "roles": list(roles.values())}


def with_imported_kits(config: dict[str, Any], hashes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Kits of an old password file, with their hashes, roles and fixed client ids (existing entries win)."""
    clients = {c["username"]: c for c in config.get("clients", [])}
    roles = {r["rolename"]: r for r in config.get("roles", [])}
    for user, stored in hashes.items():
        if user in clients or user in SERVICE_ACCOUNTS or reserved_reason(user):
            continue
        clients[user] = kit_client(user, stored)
        roles[kit_role(user)] = {"rolename": kit_role(user), "acls": kit_acls(user)}
    return {**config, "clients": list(clients.values()), "roles": list(roles.values())}


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def prepare(config_file: Path, secrets_dir: Path, password_file: Path | None = None) -> list[str]:
    """Create or update the plugin's config while the broker is stopped; returns what it did, one line each.

    The platform's accounts get their passwords from <secrets_dir> (created when missing). Kits of an old
    password file are imported with their hashes, and the file is renamed, so it is imported once.
    """
    done = []
    config = json.loads(config_file.read_text()) if config_file.exists() else empty_config()
    if not config_file.exists():
        done.append(f"created {config_file}")
    passwords = {
        user: read_or_create_secret(secrets_dir / file, lambda: secrets.token_urlsafe(18))
        for user, (file, _) in SERVICE_ACCOUNTS.items()
    }
    config = with_service_accounts(config, passwords)
    if password_file is not None and password_file.exists():
        hashes, left = passwd_hashes(password_file.read_text())
        config = with_imported_kits(config, hashes)
        imported = sorted(u for u in hashes if u not in SERVICE_ACCOUNTS and not reserved_reason(u))
        done.append(f"imported {len(imported)} kit account(s) from {password_file} with their passwords")
        if left:
            done.append(f"could not import (old hash format), run `ijlucht kits rotate` for: {', '.join(left)}")
        password_file.rename(password_file.with_name(password_file.name + ".imported"))
    _write_json(config_file, config)
    return done


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4) or argv[0] != "prepare":
        print("usage: python -m ijlucht.dynsec prepare CONFIG SECRETS_DIR [PASSWORD_FILE]", file=sys.stderr)
        return 2
    for line in prepare(Path(argv[1]), Path(argv[2]), Path(argv[3]) if len(argv) == 4 else None):
        print(f"[services] {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
