"""A kit that cannot start writes its crash file and resets (on the virtual kit: exits with code 3); a config it
cannot use opens set-up instead (tests/firmware/mp/test_setup.py), so a bad form entry never loops resets."""

import subprocess
from pathlib import Path

from virtualkit.launch import micropython_binary, write_kit_dir

RUN_KIT = Path(__file__).resolve().parents[2] / "virtualkit" / "run_kit.py"
RESET_EXIT_CODE = 3  # virtualkit/board/machine.py


def test_a_kit_that_crashes_at_start_writes_its_crash_file_and_resets(tmp_path: Path) -> None:
    config = {"kit_id": "vk-crash", "mqtt_host": "127.0.0.1", "mqtt_password": "p", "wifi_ssid": "w"}
    config |= {"sensors": ["replay"], "tls": True, "ca_file": str(tmp_path / "missing-ca.pem")}
    kit_dir = write_kit_dir(tmp_path / "kit", config, [(0, 1, 2, 3, 4, 5, 1000)])
    result = subprocess.run(
        [micropython_binary(), str(RUN_KIT), str(kit_dir)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == RESET_EXIT_CODE, result.stdout + result.stderr
    crash = (kit_dir / "crash.txt").read_text()
    assert "missing-ca.pem" in crash or "ENOENT" in crash, crash
    assert "Traceback" in crash
