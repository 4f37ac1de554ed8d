"""Start, stop and inspect the platform's own background processes (ingest, API, dashboard, demo fleet).

Each runs in its own session with a pid file in <state>/run and a log in <state>/logs, so `ijlucht down` can stop
exactly what `ijlucht up` started, and nothing else.
"""

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


def _pid_file(state_dir: Path, name: str) -> Path:
    return state_dir / "run" / f"{name}.pid"


def log_file(state_dir: Path, name: str) -> Path:
    return state_dir / "logs" / f"{name}.log"


def running_pid(state_dir: Path, name: str) -> int | None:
    try:
        pid = int(_pid_file(state_dir, name).read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def start(state_dir: Path, name: str, argv: list[str], env: dict[str, str] | None = None) -> int:
    """Start `argv` in the background unless it already runs; returns its pid."""
    pid = running_pid(state_dir, name)
    if pid:
        return pid
    for sub in ("run", "logs"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    with log_file(state_dir, name).open("ab") as log:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    _pid_file(state_dir, name).write_text(str(proc.pid))
    return proc.pid


def stop(state_dir: Path, names: list[str], timeout: float = 15.0) -> list[str]:
    """SIGTERM the process groups together, SIGKILL what is left after `timeout`; returns those that ran."""
    pids = {}
    for name in names:
        pid = running_pid(state_dir, name)
        _pid_file(state_dir, name).unlink(missing_ok=True)
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
                pids[name] = pid
    deadline = time.monotonic() + timeout
    alive = dict(pids)
    while alive and time.monotonic() < deadline:
        for name, pid in list(alive.items()):
            if not _alive(pid):
                del alive[name]
        time.sleep(0.05)
    for pid in alive.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return list(pids)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_http_ok(url: str, timeout: float, alive: int | None = None) -> bool:
    """Poll `url` until it answers 200; gives up early when process `alive` has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if alive is not None:
            try:
                os.kill(alive, 0)
            except ProcessLookupError:
                return False
        time.sleep(0.2)
    return False
