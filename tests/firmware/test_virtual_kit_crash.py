"""A kit that cannot start writes its crash file and resets (on the virtual kit: exits with code 3)."""

import subprocess
from pathlib import Path

from virtualkit.launch import micropython_binary, write_kit_dir

RUN_KIT = Path(__file__).resolve().parents[2] / "virtualkit" / "run_kit.py"
RESET_EXIT_CODE = 3  # virtualkit/board/machine.py


def test_invalid_config_writes_crash_file_and_resets(tmp_path: Path) -> None:
    kit_dir = write_kit_dir(tmp_path / "kit", {"mqtt_host": "127.0.0.1"}, [(0, 1, 2, 3, 4, 5, 1000)])
    result = subprocess.run(
        [micropython_binary(), str(RUN_KIT), str(kit_dir)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == RESET_EXIT_CODE, result.stdout + result.stderr
    crash = (kit_dir / "crash.txt").read_text()
    assert "missing required field 'kit_id'" in crash and "Traceback" in crash
