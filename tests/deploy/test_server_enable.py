"""`install.sh enable` (the one step that needs a running systemd) starts exactly the units the layout installs.

systemd is not PID 1 on these machines, so `systemctl` is replaced by a recorder on PATH; the step runs in its own
mount namespace with a throw-away /etc/nginx/sites-enabled, so removing Debian's welcome site touches nothing real.
"""

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT

SERVER = ROOT / "deploy" / "server"


def run_enable(tmp_path: Path) -> list[list[str]]:
    shims = tmp_path / "bin"
    shims.mkdir()
    calls = tmp_path / "calls"
    (shims / "systemctl").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {calls}\n')
    (shims / "systemctl").chmod(0o755)
    script = (
        "mount -t tmpfs ijlucht-test /etc/nginx/sites-enabled"
        " && ln -s /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default"
        f" && bash {SERVER / 'install.sh'} enable"
        f" && ls -A /etc/nginx/sites-enabled > {tmp_path / 'sites'}"
    )
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}"}
    env.pop("IJLUCHT_SERVER_ROOT", None)
    done = subprocess.run(["unshare", "-m", "bash", "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "sites").read_text().strip() == "", "Debian's welcome site must be disabled"
    return [line.split() for line in calls.read_text().splitlines()]


def test_enable_starts_every_installed_service_and_the_backup_timer(tmp_path):
    calls = run_enable(tmp_path)
    assert calls[0] == ["daemon-reload"]  # before anything starts: systemd must read the new unit files
    assert ["restart", "mosquitto", "nginx"] in calls
    assert any(c[0] == "restart" and c[1].startswith("postgresql@") and c[1].endswith("-main") for c in calls)
    enabled = next(c[2:] for c in calls if c[:2] == ["enable", "--now"])
    shipped = {p.name for p in (SERVER / "units").iterdir()}
    # Every long-running service the layout ships is started; the backup service runs from its timer only.
    services = {name for name in shipped if name.endswith(".service")} - {"ijlucht-backup.service"}
    assert set(enabled) == services | {"ijlucht-backup.timer"}
    assert {name for name in shipped if name.endswith(".timer")} == {"ijlucht-backup.timer"}
