"""`ijlucht flash` builds a valid config and the right mpremote calls (checked with --dry-run, no device)."""

import json
from pathlib import Path

import pytest

from ijlucht import cli, flash

ARGS = ["flash", "--kit-id", "bev-042", "--password", "pw-1", "--mqtt-host", "mqtt.example.nl"]
ARGS += ["--wifi-ssid", "thuis", "--port", "/dev/ttyACM0"]


def test_dry_run_prints_the_mpremote_commands_in_order(capsys: pytest.CaptureFixture) -> None:
    assert cli.main([*ARGS, "--sensors", "sds011,sht3x", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    commands = [line.removeprefix("would run: ").split() for line in out if line.startswith("would run: ")]
    assert all(c[0].endswith("mpremote") and c[1:3] == ["connect", "/dev/ttyACM0"] for c in commands)
    steps = [c[3:] for c in commands]
    assert steps[0][:3] == ["fs", "cp", "-r"] and steps[0][3].endswith("/kit") and steps[0][4] == ":"
    assert [Path(p).name for p in steps[1][2:-1]] == ["boot.py", "main.py"] and steps[1][-1] == ":"
    assert steps[2][-1] == ":config.json" and steps[3][-1] == ":setup_password" and steps[-1] == ["reset"]
    assert "set-up Wi-Fi password" in out[-1]


def test_config_is_checked_by_the_firmware_validator() -> None:
    args = cli.build_parser().parse_args([*ARGS, "--sensors", "sps30_i2c, bme280", "--mqtt-port", "8883", "--tls"])
    cfg = flash.build_config(args)
    assert cfg["sensors"] == ["sps30_i2c", "bme280"] and cfg["mqtt_port"] == 8883 and cfg["tls"] is True
    assert json.loads(json.dumps(cfg)) == cfg


@pytest.mark.parametrize(
    ("change", "reason"),
    [(["--kit-id", "Bev 42"], "kit_id"), (["--sensors", "pms9000"], "pms9000"), (["--interval", "0"], "interval")],
)
def test_bad_options_stop_before_anything_is_written(change, reason, capsys: pytest.CaptureFixture) -> None:
    args = list(ARGS)
    for i in range(0, len(change), 2):
        if change[i] in args:
            args[args.index(change[i]) + 1] = change[i + 1]
        else:
            args += change[i : i + 2]
    assert cli.main([*args, "--dry-run"]) == 2
    captured = capsys.readouterr()
    assert reason in captured.err and "would run" not in captured.out


def test_staged_firmware_holds_only_device_python_files(tmp_path: Path) -> None:
    copies = flash.stage_firmware(tmp_path)
    names = {c.relative_to(tmp_path).as_posix() for c in copies}
    assert {"main.py", "boot.py", "kit/app.py", "kit/drivers/pms5003.py"} <= names
    assert all(n.endswith(".py") and "__pycache__" not in n for n in names)


def test_ca_file_is_copied_and_turns_tls_on(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    assert cli.main([*ARGS, "--ca-file", str(ca), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"{ca} :ca.pem" in out
