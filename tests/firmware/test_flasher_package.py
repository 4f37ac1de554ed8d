"""The resident's tool as a resident gets it: built from flasher/ and installed into a fresh venv (its
dependencies from the package index), run outside the checkout; the folder it stages is exactly what a kit's
flash holds, and a virtual kit booted from that folder alone connects over TLS and reports."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.firmware.kitbroker import MQTT_TLS_PORT, Broker, Recorder
from virtualkit.launch import start_flashed

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a new venv with ijlucht-flash installed from the folder (a wheel built by pip, as `pipx` does)."""
    venv = tmp_path_factory.mktemp("resident") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(ROOT / "flasher")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=str(venv.parent),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return venv / "bin"


def run_tool(tool: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(tool / "ijlucht-flash"), *args], capture_output=True, text=True, timeout=120, env=env, cwd=str(cwd)
    )


def test_the_tool_depends_on_esptool_and_mpremote_as_regular_dependencies(tool: Path) -> None:
    script = "import importlib.metadata as m; print('\\n'.join(m.requires('ijlucht-flash')))"
    requires = subprocess.run([str(tool / "python"), "-c", script], capture_output=True, text=True, check=True)
    names = {line.split(">")[0].split("<")[0].strip() for line in requires.stdout.splitlines()}
    assert names == {"esptool", "mpremote"} and "extra ==" not in requires.stdout
    for module in ("esptool", "mpremote"):
        subprocess.run([str(tool / "python"), "-c", f"import {module}"], check=True, timeout=60)


def test_a_staged_kit_boots_from_exactly_those_files_and_connects(
    tool: Path, broker: Broker, tmp_path: Path, kits: list
) -> None:
    kit_id, password = f"vk-resident-{secrets.token_hex(2)}", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    given = {"kit_id": kit_id, "mqtt_host": "localhost", "mqtt_port": MQTT_TLS_PORT, "mqtt_password": password}
    given |= {"indoor": True, "update_key": broker.update_key, "interval": 5}
    (tmp_path / "kit.json").write_text(json.dumps(given))
    ca = broker.state / "mosquitto" / "tls" / "ca.crt"
    out, store = tmp_path / "flash", tmp_path / "store"
    args = ["--store", str(store), "stage", "--config", str(tmp_path / "kit.json"), "--wifi-ssid", "virtual"]
    args += ["--sensors", "pms5003,bme280", "--ca-file", str(ca), "--out", str(out)]
    result = run_tool(tool, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    password_line = result.stdout.strip().splitlines()[-1]

    # Every firmware file, byte for byte from the package (no checkout was on the path), and nothing else.
    staged = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    device = {p.relative_to(FIRMWARE).as_posix() for p in [FIRMWARE / "boot.py", FIRMWARE / "main.py"]}
    device |= {p.relative_to(FIRMWARE).as_posix() for p in (FIRMWARE / "kit").rglob("*.py")}
    kit_files = {"config.json", "setup_password", "update_key.py", "update_counter", "version", "ca.pem"}
    assert staged == device | kit_files
    assert all((out / name).read_bytes() == (FIRMWARE / name).read_bytes() for name in device)
    cfg = json.loads((out / "config.json").read_text())
    assert cfg == {k: v for k, v in given.items() if k != "update_key"} | {
        "wifi_ssid": "virtual",
        "sensors": ["pms5003", "bme280"],
        "tls": True,
        "ca_file": "ca.pem",
    }
    assert (out / "ca.pem").read_bytes() == ca.read_bytes()
    assert (out / "setup_password").read_text().strip() == password_line.rsplit(": ", 1)[1]

    recorder = Recorder(broker, kit_id)
    try:
        kits.append(start_flashed(out))
        recorder.wait(lambda: recorder.of("info"), 60, "the info message of the kit booted from the staged files")
        status = recorder.wait(lambda: recorder.of("status"), 10, "its status")
        info = json.loads(recorder.of("info")[-1][0])
        # A PC has no PMS5003 or BME280 on a UART: the kit stays online and says so, no reset loop.
        assert status[-1][0] == b"online" and info["indoor"] == 1 and info["sensors"] == ["pms5003", "bme280"]
        assert info["fw"] == (out / "version").read_text().strip()
        recorder.wait(
            lambda: json.loads(recorder.of("info")[-1][0]).get("sensors_failing") == ["pms5003", "bme280"],
            60,
            "info naming the sensors that give nothing",
        )
        assert kits[-1].poll() is None, (out / "kit.log").read_text()
    finally:
        recorder.close()


def test_the_installed_tool_writes_with_its_own_python_and_keeps_the_label(tool: Path, tmp_path: Path) -> None:
    image = tmp_path / "ESP32_GENERIC.bin"
    image.write_bytes(b"\xe9" + bytes(64))
    args = ["--store", str(tmp_path / "store"), "write", "--kit-id", "bev-042", "--password", "p"]
    args += ["--mqtt-host", "h", "--wifi-ssid", "w", "--sensors", "sds011", "--update-key", "ab" * 32]
    args += ["--port", "COM3", "--image", str(image), "--dry-run"]
    first = run_tool(tool, *args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    python = str(tool / "python")
    assert lines[0] == f"would run: {python} -m esptool --chip esp32 --port COM3 erase-flash"
    assert (
        lines[1]
        == f"would run: {python} -m esptool --chip esp32 --port COM3 --baud 460800 write-flash -z 0x1000 {image}"
    )
    assert lines[-3].endswith(" reset") and f"{python} -m mpremote connect COM3" in lines[-3]
    again = run_tool(tool, *args, cwd=tmp_path)
    assert again.stdout.splitlines()[-1] == lines[-1] and "the label stays right" in again.stdout
