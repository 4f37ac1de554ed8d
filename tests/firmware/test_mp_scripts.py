"""Run the firmware unit tests in tests/firmware/mp under the real MicroPython unix port."""

import subprocess
from pathlib import Path

import pytest

from virtualkit.launch import micropython_binary

MP_DIR = Path(__file__).resolve().parent / "mp"
SCRIPTS = sorted(MP_DIR.glob("test_*.py"))


def test_there_are_micropython_test_scripts():
    assert len(SCRIPTS) >= 8


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_firmware_script_passes_under_micropython(script: Path) -> None:
    result = subprocess.run(
        [micropython_binary(), str(script)], capture_output=True, text=True, timeout=120, cwd=MP_DIR
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{script.name} failed under micropython:\n{output}"
    assert " passed, 0 failed" in output
