"""A virtual kit between readings uses next to no CPU (26 of them run at once in the demo fleet)."""

import os
import socket
import time
from pathlib import Path

from virtualkit.launch import start_kit, write_kit_dir


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_offline_kit_waiting_for_its_next_reading_stays_idle(tmp_path: Path) -> None:
    config = {
        "kit_id": "vk-idle-1",
        "mqtt_host": "127.0.0.1",
        "mqtt_port": closed_port(),
        "mqtt_password": "x",
        "wifi_ssid": "virtual",
        "sensors": ["replay"],
        "interval": 60,
        "replay_anchor": int(time.time()),
        "replay_period": 120,
    }
    kit_dir = write_kit_dir(tmp_path / "kit", config, [(0, 1, 2, 3, 4, 5, 1000), (60, 1, 2, 3, 4, 5, 1000)])
    proc = start_kit(kit_dir)
    try:
        deadline = time.monotonic() + 20
        while "cycle=1 " not in (kit_dir / "kit.log").read_text():
            assert time.monotonic() < deadline and proc.poll() is None, (kit_dir / "kit.log").read_text()
            time.sleep(0.1)
        before = cpu_seconds(proc.pid)
        time.sleep(5)  # reconnect attempts at 2 and 4 s fall in here too
        used = cpu_seconds(proc.pid) - before
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert used < 0.05, f"{used:.2f} s of CPU in 5 s of waiting"
