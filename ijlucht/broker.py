"""Accounts on the private Mosquitto: one per kit (username = kit id) and one for the ingest worker.

Passwords are hashed by mosquitto_passwd; the broker re-reads its password file on SIGHUP.
"""

import os
import secrets
import signal
import subprocess
from pathlib import Path


class BrokerAccountError(RuntimeError):
    pass


def new_password() -> str:
    return secrets.token_urlsafe(18)


def set_password(mosquitto_dir: Path, username: str, password: str) -> None:
    """Create or change an account, then tell a running broker to reload."""
    passwd = mosquitto_dir / "passwd"
    if not passwd.exists():
        raise BrokerAccountError(f"{passwd} does not exist: start the services first (make services)")
    result = subprocess.run(
        ["mosquitto_passwd", "-b", str(passwd), username, password], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BrokerAccountError(f"mosquitto_passwd failed for {username!r}: {result.stderr.strip()}")
    reload_broker(mosquitto_dir)


def reload_broker(mosquitto_dir: Path) -> bool:
    """SIGHUP the broker so it re-reads passwords and ACL; False when it is not running."""
    pid_file = mosquitto_dir / "mosquitto.pid"
    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
    return True


def delete_account(mosquitto_dir: Path, username: str) -> None:
    """Remove an account (a disabled kit can no longer log in), then tell a running broker to reload."""
    passwd = mosquitto_dir / "passwd"
    if not passwd.exists():
        raise BrokerAccountError(f"{passwd} does not exist: start the services first (make services)")
    result = subprocess.run(
        ["mosquitto_passwd", "-D", str(passwd), username], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 and "not found" not in result.stderr:  # already gone is fine: disabling is idempotent
        raise BrokerAccountError(f"mosquitto_passwd -D failed for {username!r}: {result.stderr.strip()}")
    reload_broker(mosquitto_dir)
