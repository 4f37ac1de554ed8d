"""`ijlucht flash` builds a valid config and the right mpremote calls (checked with --dry-run, no device)."""

import json
import secrets
import subprocess
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
    steps = [c[3:] for c in commands][1:]  # the first removes the old kit/ (tested below)
    assert steps[0][:3] == ["fs", "cp", "-r"] and steps[0][3].endswith("/kit") and steps[0][4] == ":"
    assert [Path(p).name for p in steps[1][2:-1]] == ["boot.py", "main.py"] and steps[1][-1] == ":"
    assert steps[2][-1] == ":config.json" and steps[3][-1] == ":setup_password" and steps[-1] == ["reset"]
    assert steps[4][-1] == ":update_key.py" and Path(steps[4][-2]).name == "update_key.py"
    assert steps[5][-1] == ":update_counter" and Path(steps[5][-2]).name == "update_counter"


def test_the_flashed_counter_is_now_so_older_signed_updates_cannot_be_replayed(tmp_path: Path) -> None:
    from ijlucht import signing

    before = signing.new_counter()
    password = flash.stage_kit_files(tmp_path, {"kit_id": "bev-042"}, 'KEY = "…"\n')
    assert before <= int((tmp_path / "update_counter").read_text()) <= signing.new_counter()
    assert (tmp_path / "setup_password").read_text() == password + "\n" and len(password) == 16
    assert json.loads((tmp_path / "config.json").read_text()) == {"kit_id": "bev-042"}


def test_the_kit_gets_the_platforms_update_key_or_the_one_given() -> None:
    from ijlucht import signing
    from ijlucht.settings import PlatformSettings

    platform = signing.public_key_hex(signing.load_private_key(PlatformSettings().secrets_dir))
    args = cli.build_parser().parse_args(ARGS)
    assert flash.update_key_text(args) == f'KEY = "{platform}"\n'
    args = cli.build_parser().parse_args([*ARGS, "--update-key", "AB" * 32])
    assert flash.update_key_text(args) == f'KEY = "{"ab" * 32}"\n'
    with pytest.raises(ValueError, match="an update key is 64 lower-case hex digits"):
        flash.update_key_text(cli.build_parser().parse_args([*ARGS, "--update-key", "abc"]))


def test_insecure_and_a_ca_file_exclude_each_other(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    assert cli.main([*ARGS, "--ca-file", str(ca), "--insecure", "--dry-run"]) == 2
    assert "--insecure and --ca-file exclude each other" in capsys.readouterr().err


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


def test_flashing_starts_from_an_empty_kit_folder(tmp_path: Path) -> None:
    from virtualkit.launch import micropython_binary

    old = tmp_path / "kit"
    (old / "drivers").mkdir(parents=True)
    for name in ("app.py", "app.mpy", "drivers/pms5003.py"):
        (old / name).write_text("# an earlier firmware\n")
    keep = tmp_path / "config.json"
    keep.write_text("{}")
    for _ in range(2):  # the second run finds nothing to remove and must not fail
        result = subprocess.run(
            [micropython_binary(), "-c", flash.remove_tree_script(str(old))], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    assert not old.exists() and keep.exists()


def test_a_kit_flashed_with_mpy_runs_from_bytecode_and_publishes(broker, tmp_path: Path, kits: list) -> None:
    from tests.firmware.kitbroker import Recorder, kit_config
    from tests.firmware.test_virtual_kit_publishes import SERIES, assert_v1_readings_message
    from virtualkit.launch import start_kit, write_kit_dir

    kit_id, password = "vk-mpy-1", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    kit_dir = write_kit_dir(tmp_path / kit_id, kit_config(kit_id, password), SERIES)
    staged = flash.stage_firmware(kit_dir / "fw", mpy=True)  # the virtual kit's flash, as mpremote would fill it
    names = {p.relative_to(kit_dir / "fw").as_posix() for p in staged}
    assert {"boot.py", "main.py", "kit/app.mpy", "kit/drivers/pms5003.mpy"} <= names
    assert not list((kit_dir / "fw" / "kit").rglob("*.py"))
    recorder = Recorder(broker, kit_id)
    try:
        kits.append(start_kit(kit_dir))
        recorder.wait(lambda: len(recorder.of("readings")) >= 2, 30, "readings from the bytecode firmware")
        assert_v1_readings_message(recorder.of("readings")[0][0])
        print("\nmem_alloc after boot from .mpy:", json.loads(recorder.of("info")[-1][0])["mem_alloc"])
    finally:
        recorder.close()


def test_a_file_that_does_not_compile_stops_the_flash_with_its_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def broken(:\n")
    with pytest.raises(ValueError, match="does not compile for the ESP32"):
        flash.compile_mpy(bad, tmp_path / "bad.mpy")
