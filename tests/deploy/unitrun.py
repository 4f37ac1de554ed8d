"""Run a program as a systemd unit would, without systemd: in a mount namespace whose / is read-only.

The production layout sits in a temporary root ROOT; in the namespace ROOT/etc, /opt, /var/lib, /var/log, /var/backups
and ROOT/run lie over the host's (read-only overlays), so the unit sees /etc/ijlucht/ijlucht.env and /opt/ijlucht
where production has them. Only the unit's declared writable paths (StateDirectory=, ReadWritePaths=, and a private
/tmp for PrivateTmp=) are bound writable from ROOT; a write anywhere else fails with EROFS, as under
ProtectSystem=strict. ProtectHome= hides /root and /home.
"""

import configparser
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SOCKETS = ("/run/postgresql",)  # Debian's PostgreSQL socket folder (pg_dump of the backup unit connects there)
OVERLAID = ("/etc", "/opt", "/var/lib", "/var/log", "/var/backups", "/run")


@dataclass
class Unit:
    name: str
    exec_start: str
    exec_start_pre: list[str] = field(default_factory=list)
    user: str = "root"
    group: str = ""
    environment_file: str = ""
    working_directory: str = "/"
    writable: list[str] = field(default_factory=list)
    state_mode: str = "0755"
    private_tmp: bool = False
    protect_home: bool = False


def parse_unit(path: Path) -> Unit:
    cp = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    cp.optionxform = str  # type: ignore[assignment, method-assign]
    cp.read_string(path.read_text())
    s = cp["Service"]
    pre = [line for line in s.get("ExecStartPre", "").splitlines() if line.strip()]
    writable = [f"/var/lib/{d}" for d in s.get("StateDirectory", "").split()]
    writable += s.get("ReadWritePaths", "").split()
    return Unit(
        name=path.stem,
        exec_start=s["ExecStart"],
        exec_start_pre=pre,
        user=s.get("User", "root"),
        group=s.get("Group", ""),
        environment_file=s.get("EnvironmentFile", ""),
        working_directory=s.get("WorkingDirectory", "/"),
        writable=writable,
        state_mode=s.get("StateDirectoryMode", "0755"),
        private_tmp=s.get("PrivateTmp", "false") == "true",
        protect_home=s.get("ProtectHome", "false") == "true",
    )


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd reads them (comments and blank lines skipped, whole-value quotes removed)."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def expand(command: str, env: dict[str, str]) -> list[str]:
    """ExecStart= with ${VAR} and $VAR replaced from the environment, split into words."""
    command = re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), command)
    return shlex.split(command.lstrip("-@+!"))


def namespace_script(root: Path, writable: list[str], private_tmp: bool, protect_home: bool) -> str:
    """Shell lines that build the unit's view of the file system (run as root inside `unshare -m`)."""
    lines = ["set -e", "mount --make-rprivate /"]
    for d in OVERLAID:
        if (root / d.lstrip("/")).is_dir():
            lines.append(f"mount -t overlay overlay -o lowerdir={root}{d}:{d} {d}")
    for w in writable:
        lines.append(f"mount --bind {root}{w} {w}")
    for d in SOCKETS:  # a socket seen through an overlay refuses connections: bind the real folder
        if (root / d.lstrip("/")).is_dir():
            lines.append(f"mount --bind {root}{d} {d}")
    keep = [*writable]
    if private_tmp:
        lines += ["mount -t tmpfs -o mode=1777 tmpfs /tmp", "mount -t tmpfs -o mode=1777 tmpfs /var/tmp"]
        keep += ["/tmp", "/var/tmp"]
    if protect_home:
        lines += [f"mount -t tmpfs -o ro,mode=755 tmpfs {d}" for d in ("/root", "/home")]
    # Everything else read-only: / and every other mount but the kernel's file systems.
    skip = "|".join(re.escape(k) for k in keep)
    lines.append(
        "awk '{print $5}' /proc/self/mountinfo | grep -vE '^/(proc|sys|dev)(/|$)' "
        f"| grep -vxE '{skip or '^$'}' | while read -r m; do mount -o remount,bind,ro \"$m\" 2>/dev/null || true; done"
    )
    return "\n".join(lines)


def prepare_writable(root: Path, unit: Unit) -> None:
    """What systemd does before the start: StateDirectory= made and owned by the unit's user."""
    for w in unit.writable:
        target = root / w.lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        if w.startswith("/var/lib/"):
            subprocess.run(["chown", f"{unit.user}:{unit.group or unit.user}", str(target)], check=True)
            target.chmod(int(unit.state_mode, 8))


def unit_env(root: Path, unit: Unit, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    if unit.user != "root":
        env.update(USER=unit.user, LOGNAME=unit.user, HOME="/var/lib/ijlucht", SHELL="/usr/sbin/nologin")
    if unit.environment_file:
        env.update(read_env_file(root / unit.environment_file.lstrip("-/")))
    env.update(extra or {})
    return env


def command_line(root: Path, unit: Unit, argv: list[str], env: dict[str, str]) -> list[str]:
    """`unshare -m` running `argv` as the unit's user in the unit's view of the file system."""
    as_user = []
    if unit.user != "root":
        as_user = ["setpriv", f"--reuid={unit.user}", f"--regid={unit.group or unit.user}", "--init-groups"]
    run = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), *as_user, *argv]
    script = namespace_script(root, unit.writable, unit.private_tmp, unit.protect_home)
    script += f"\ncd {shlex.quote(unit.working_directory)}\nexec {shlex.join(run)}"
    return ["unshare", "-m", "--propagation", "private", "bash", "-c", script]


def start(root: Path, unit: Unit, log: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """ExecStartPre= (each must succeed), then ExecStart= in the background; output in `log`."""
    prepare_writable(root, unit)
    env = unit_env(root, unit, extra_env)
    out = log.open("ab")
    for pre in unit.exec_start_pre:
        subprocess.run(command_line(root, unit, expand(pre, env), env), check=True, stdout=out, stderr=out)
    return subprocess.Popen(command_line(root, unit, expand(unit.exec_start, env), env), stdout=out, stderr=out)


def run(root: Path, unit: Unit, argv: list[str] | None = None, extra_env: dict[str, str] | None = None):
    """Run the unit's ExecStart (or `argv` in its view) to the end, as a oneshot unit; returns the finished process."""
    prepare_writable(root, unit)
    env = unit_env(root, unit, extra_env)
    argv = argv or expand(unit.exec_start, env)
    return subprocess.run(command_line(root, unit, argv, env), capture_output=True, text=True)


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
