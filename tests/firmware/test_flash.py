"""`ijlucht flash` and the resident's `ijlucht-flash` (flasher/, one code path): the configuration checks, the
staged files, the set-up password that outlives a re-flash, MicroPython's image and the exact esptool and
mpremote command lines (run by a Runner faked where it would touch the serial port)."""

import hashlib
import http.server
import json
import secrets
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ijlucht import cli, flash
from ijlucht.settings import PlatformSettings
from ijlucht_flash import image, setuppass, staging, steps
from ijlucht_flash.device import firmware_module

ARGS = ["flash", "--kit-id", "bev-042", "--password", "pw-1", "--mqtt-host", "mqtt.example.nl"]
ARGS += ["--wifi-ssid", "thuis", "--port", "/dev/ttyACM0", "--sensors", "pms5003,bme280"]
KEY = "ab" * 32


class SerialPort(steps.Runner):
    """Stands in for the kit at the end of the USB cable: records each command line, answers `code`."""

    def __init__(self, code: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.code = code
        self.staged: dict[str, bytes] = {}

    def run(self, argv: list[str]) -> int:
        self.calls.append(argv)
        for arg in argv:  # what mpremote would copy, read while the temporary staging folder still exists
            if Path(arg).is_file():
                self.staged[Path(arg).name] = Path(arg).read_bytes()
        return self.code


def flash_with(argv: list[str], port: SerialPort) -> int:
    return flash.run(cli.build_parser().parse_args(argv), runner=port)


def test_the_kit_is_written_with_these_exact_mpremote_command_lines() -> None:
    port = SerialPort()
    assert flash_with([*ARGS, "--sensors", "sds011,sht3x", "--update-key", KEY], port) == 0
    mpremote = [sys.executable, "-m", "mpremote", "connect", "/dev/ttyACM0"]
    assert all(call[:5] == mpremote for call in port.calls)
    steps_run = [call[5:] for call in port.calls]
    assert steps_run[0] == ["exec", steps.remove_tree_script("kit", "update.json")]
    assert steps_run[1][:3] == ["fs", "cp", "-r"] and steps_run[1][3].endswith("kit") and steps_run[1][4] == ":kit"
    files = ["boot.py", "main.py", "config.json", "setup_password", "update_counter", "update_key.py", "version"]
    assert [(s[:2], Path(s[2]).name, s[3]) for s in steps_run[2:-1]] == [(["fs", "cp"], n, ":" + n) for n in files]
    assert steps_run[-1] == ["reset"] and len(steps_run) == 10
    assert json.loads(port.staged["config.json"])["sensors"] == ["sds011", "sht3x"]
    assert port.staged["version"].decode().strip() == firmware_module("version").FW_VERSION


def test_an_image_is_written_first_with_these_exact_esptool_command_lines(tmp_path: Path) -> None:
    bin_file = tmp_path / "ESP32_GENERIC-test.bin"
    bin_file.write_bytes(b"\xe9" + bytes(1000))
    port = SerialPort()
    assert flash_with([*ARGS, "--update-key", KEY, "--image", str(bin_file)], port) == 0
    esptool = [sys.executable, "-m", "esptool", "--chip", "esp32", "--port", "/dev/ttyACM0"]
    assert port.calls[0] == [*esptool, "erase-flash"]
    assert port.calls[1] == [*esptool, "--baud", "460800", "write-flash", "-z", "0x1000", str(bin_file)]
    assert port.calls[2][2] == "mpremote" and len(port.calls) == 12


def test_a_failing_step_stops_the_rest_and_says_where_to_look(capsys: pytest.CaptureFixture) -> None:
    port = SerialPort(code=1)
    assert flash_with([*ARGS, "--update-key", KEY], port) == 1
    assert len(port.calls) == 1 and "is the kit on /dev/ttyACM0" in capsys.readouterr().err


def test_a_file_that_is_no_esp32_image_is_refused_before_the_kit_is_touched(tmp_path: Path, capsys) -> None:
    text = tmp_path / "firmware.bin"
    text.write_text("<html>not found</html>")
    port = SerialPort()
    assert flash_with([*ARGS, "--update-key", KEY, "--image", str(text)], port) == 2
    assert port.calls == [] and "is not an ESP32 firmware image" in capsys.readouterr().err


def test_the_set_up_password_outlives_a_re_flash_unless_rotated(capsys: pytest.CaptureFixture) -> None:
    kit = ["--kit-id", f"vk-label-{secrets.token_hex(3)}", "--update-key", KEY]

    def flash_once(*extra: str) -> tuple[str, str]:
        port = SerialPort()
        assert flash_with([*ARGS, *kit, *extra], port) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert port.staged["setup_password"].decode().strip() == lines[-1].rsplit(": ", 1)[1]
        return lines[-2], lines[-1].rsplit(": ", 1)[1]

    first = flash_once()
    assert first[0] == "set-up password new for this kit: print its label" and len(first[1]) == 16
    again = flash_once()
    assert again == ("set-up password the same as at the last flash: the label stays right", first[1])
    rotated = flash_once("--rotate-setup-password")
    assert rotated[0].startswith("set-up password new") and rotated[1] != first[1]
    stored = PlatformSettings().secrets_dir / "setup-passwords" / kit[1]
    assert stored.read_text().strip() == rotated[1] and stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_staged_files_are_the_kits_flash_with_secrets_owner_only(tmp_path: Path) -> None:
    from ijlucht import signing

    cfg = staging.build_config(
        {"kit_id": "bev-042", "mqtt_host": "h", "mqtt_password": "p", "wifi_ssid": "w"} | {"sensors": "PMS5003, bme280"}
    )
    files = staging.stage(tmp_path / "kit", cfg, KEY.upper(), "label-password-1")
    names = {f.relative_to(tmp_path / "kit").as_posix() for f in files}
    assert {"boot.py", "main.py", "kit/app.py", "kit/drivers/pms5003.py", "config.json", "setup_password"} <= names
    assert {"update_key.py", "update_counter", "version"} <= names and not any("__pycache__" in n for n in names)
    root = tmp_path / "kit"
    assert json.loads((root / "config.json").read_text())["sensors"] == ["pms5003", "bme280"]
    assert (root / "update_key.py").read_text() == signing.key_file_text(KEY)
    for secret in ("config.json", "setup_password"):
        assert stat.S_IMODE((root / secret).stat().st_mode) == 0o600
    with pytest.raises(ValueError, match="is not empty"):
        staging.stage(root, cfg, KEY, "label-password-1")


def test_the_flashed_counter_is_now_so_older_signed_updates_cannot_be_replayed() -> None:
    from ijlucht import signing

    before = signing.new_counter()
    port = SerialPort()
    assert flash_with([*ARGS, "--update-key", KEY], port) == 0
    assert before <= int(port.staged["update_counter"]) <= signing.new_counter()


def test_the_kit_gets_the_platforms_update_key_or_the_one_given() -> None:
    from ijlucht import signing

    platform = signing.public_key_hex(signing.load_private_key(PlatformSettings().secrets_dir))
    port = SerialPort()
    assert flash_with(ARGS, port) == 0
    assert port.staged["update_key.py"].decode() == f'KEY = "{platform}"\n'
    port = SerialPort()
    assert flash_with([*ARGS, "--update-key", "AB" * 32], port) == 0
    assert port.staged["update_key.py"].decode() == f'KEY = "{"ab" * 32}"\n'


def test_a_bad_update_key_stops_the_flash(capsys: pytest.CaptureFixture) -> None:
    assert flash_with([*ARGS, "--update-key", "abc"], SerialPort()) == 2
    assert "an update key is 64 lower-case hex digits" in capsys.readouterr().err


def test_insecure_and_a_ca_file_exclude_each_other(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    assert cli.main([*ARGS, "--ca-file", str(ca), "--insecure", "--dry-run"]) == 2
    assert "--insecure and --ca-file exclude each other" in capsys.readouterr().err


def test_a_ca_file_is_copied_next_to_the_config_and_turns_tls_on(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    port = SerialPort()
    assert flash_with([*ARGS, "--update-key", KEY, "--ca-file", str(ca)], port) == 0
    cfg = json.loads(port.staged["config.json"])
    assert cfg["tls"] is True and cfg["ca_file"] == "ca.pem" and port.staged["ca.pem"] == ca.read_bytes()
    assert [call[-1] for call in port.calls].count(":ca.pem") == 1
    ca.write_text("not a certificate")
    assert flash_with([*ARGS, "--update-key", KEY, "--ca-file", str(ca)], SerialPort()) == 2


def test_config_is_checked_by_the_firmware_validator() -> None:
    args = cli.build_parser().parse_args([*ARGS, "--sensors", "sps30_i2c, bme280", "--mqtt-port", "8883", "--insecure"])
    cfg = flash.build_config(args)
    assert cfg["sensors"] == ["sps30_i2c", "bme280"] and cfg["mqtt_port"] == 8883 and cfg["tls"] is True
    assert json.loads(json.dumps(cfg)) == cfg


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (["--kit-id", "Bev 42"], "kit_id"),
        (["--sensors", "pms9000"], "unknown sensor 'pms9000'"),
        (["--sensors", "replay"], "unknown sensor 'replay'"),
        (["--sensors", "pms5003,sds011"], "pms5003 and sds011 are both particle sensors"),
        (["--sensors", "sps30_i2c,sht3x,sht4x"], "sht3x and sht4x are both SHT sensors"),
        (["--interval", "0"], "interval"),
    ],
)
def test_bad_options_stop_before_anything_is_written(change, reason, capsys: pytest.CaptureFixture) -> None:
    args = list(ARGS)
    for i in range(0, len(change), 2):
        if change[i] in args:
            args[args.index(change[i]) + 1] = change[i + 1]
        else:
            args += change[i : i + 2]
    port = SerialPort()
    assert flash_with(args, port) == 2
    assert reason in capsys.readouterr().err and port.calls == []


def test_a_configuration_file_from_the_platform_gives_the_kit_its_settings(tmp_path: Path, capsys) -> None:
    given = {"kit_id": "bev-077", "mqtt_host": "mqtt.ijlucht.nl", "mqtt_port": 8883, "mqtt_password": "pw-9"}
    given |= {"sensors": ["sds011", "bme280"], "indoor": True, "update_key": "cd" * 32}
    given |= {"ca": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}
    (tmp_path / "kit.json").write_text(json.dumps(given))
    port = SerialPort()
    argv = ["flash", "--config", str(tmp_path / "kit.json"), "--wifi-ssid", "thuis", "--port", "COM3"]
    assert flash_with(argv, port) == 0
    cfg = json.loads(port.staged["config.json"])
    assert cfg["kit_id"] == "bev-077" and cfg["indoor"] is True and cfg["tls"] is True and cfg["ca_file"] == "ca.pem"
    assert (
        "update_key" not in cfg and "ca" not in cfg and port.staged["update_key.py"] == b'KEY = "' + b"cd" * 32 + b'"\n'
    )
    assert port.calls[0][4] == "COM3"


def test_flashing_starts_from_an_empty_kit_folder_without_a_pending_update(tmp_path: Path) -> None:
    from virtualkit.launch import micropython_binary

    old = tmp_path / "kit"
    (old / "drivers").mkdir(parents=True)
    for name in ("app.py", "app.mpy", "drivers/pms5003.py"):
        (old / name).write_text("# an earlier firmware\n")
    (tmp_path / "update.json").write_text('{"files": ["kit/app.py"]}')
    keep = tmp_path / "config.json"
    keep.write_text("{}")
    script = steps.remove_tree_script(str(old), str(tmp_path / "update.json"))
    for _ in range(2):  # the second run finds nothing to remove and must not fail
        result = subprocess.run([micropython_binary(), "-c", script], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert not old.exists() and not (tmp_path / "update.json").exists() and keep.exists()


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


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def image_server(tmp_path: Path):
    """A local HTTP server standing in for micropython.org's download folder."""
    served = tmp_path / "served"
    served.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Files(*a, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_downloaded_image_is_used_only_with_the_expected_sha256(image_server, tmp_path: Path) -> None:
    served, url = image_server
    data = b"\xe9" + secrets.token_bytes(4000)
    (served / "ESP32_GENERIC.bin").write_bytes(data)
    good = hashlib.sha256(data).hexdigest()
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="not the expected"):
        image.fetch(f"{url}/ESP32_GENERIC.bin", "0" * 64, cache)
    assert list(cache.iterdir()) == []  # nothing of the refused download stays
    got = image.fetch(f"{url}/ESP32_GENERIC.bin", good, cache)
    assert got.read_bytes() == data and got.parent == cache
    (served / "ESP32_GENERIC.bin").unlink()
    assert image.fetch(f"{url}/ESP32_GENERIC.bin", good, cache) == got  # from the cache now


def test_the_flash_downloads_the_image_it_was_told_to_and_writes_that_file(
    image_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served, url = image_server
    data = b"\xe9" + secrets.token_bytes(2000)
    (served / "mp.bin").write_bytes(data)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    port = SerialPort()
    digest = hashlib.sha256(data).hexdigest()
    argv = [*ARGS, "--update-key", KEY, "--image-url", f"{url}/mp.bin", "--image-sha256", digest]
    assert flash_with(argv, port) == 0
    written = Path(port.calls[1][-1])
    assert written.read_bytes() == data and written.is_relative_to(tmp_path / "cache" / "ijlucht-flash")


def test_an_unpinned_micropython_version_is_refused_with_what_to_do(capsys: pytest.CaptureFixture) -> None:
    assert flash_with([*ARGS, "--update-key", KEY, "--micropython", "9.9.9"], SerialPort()) == 2
    err = capsys.readouterr().err
    assert "MicroPython 9.9.9 has no pinned sha256" in err and "--image FILE" in err
    with pytest.raises(ValueError, match="needs --image-sha256"):
        from ijlucht_flash import cli as flash_cli

        flash_cli.image_for(cli.build_parser().parse_args([*ARGS, "--image-url", "http://x/y.bin"]))


def test_set_up_passwords_live_in_a_per_user_folder_on_every_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", r"C:\Users\anna\AppData\Roaming")
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\anna\AppData\Local")
    assert setuppass.user_store() == Path(r"C:\Users\anna\AppData\Roaming") / "ijlucht-flash"
    assert image.cache_dir() == Path(r"C:\Users\anna\AppData\Local") / "ijlucht-flash"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert setuppass.user_store() == Path.home() / "Library" / "Application Support" / "ijlucht-flash"
    assert image.cache_dir() == Path.home() / "Library" / "Caches" / "ijlucht-flash"
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", "/home/anna/.data")
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/anna/.cache2")
    assert setuppass.user_store() == Path("/home/anna/.data/ijlucht-flash")
    assert image.cache_dir() == Path("/home/anna/.cache2/ijlucht-flash")


def test_the_platform_installs_what_the_flash_tool_needs_with_the_same_pins() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[2]
    tool = tomllib.loads((root / "flasher" / "pyproject.toml").read_text())["project"]["dependencies"]
    platform = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert set(tool) <= set(platform["dependencies"]) and {"esptool>=5,<6", "mpremote>=1.23,<2"} == set(tool)
    assert not any(d.startswith(("esptool", "mpremote")) for d in platform["optional-dependencies"]["dev"])


def test_secret_files_are_written_where_folders_cannot_be_synced(tmp_path: Path, monkeypatch) -> None:
    import os

    from ijlucht.secretfile import read_or_create_secret

    monkeypatch.delattr(os, "O_DIRECTORY")  # as on Windows, where a resident may run the flash tool
    password, made = setuppass.setup_password(tmp_path, "bev-042")
    assert made and password == read_or_create_secret(tmp_path / "setup-passwords" / "bev-042", str)


def test_a_port_where_nothing_answers_ends_the_flash_with_a_clear_message(capsys: pytest.CaptureFixture) -> None:
    import os

    controller, device = os.openpty()  # a serial port with nothing behind it: mpremote would wait for ever
    try:
        port = os.ttyname(device)
        args = cli.build_parser().parse_args([*ARGS, "--update-key", KEY, "--port", port])
        assert flash.run(args, runner=steps.Runner(timeout_s=3)) == 1
    finally:
        os.close(controller)
        os.close(device)
    err = capsys.readouterr().err
    assert "no answer from the kit within 3 s" in err and f"is the kit on {port}" in err


def test_mpremote_writes_the_kit_over_a_serial_port_and_the_kit_boots_from_what_it_wrote(
    broker, tmp_path: Path, kits: list, capsys: pytest.CaptureFixture
) -> None:
    """The whole flash through real mpremote to MicroPython behind a serial port (tests/firmware/serialkit.py),
    old firmware files and a pending update on the board first; then the board's files boot and connect."""
    from tests.firmware.kitbroker import MQTT_PORT, Recorder
    from tests.firmware.serialkit import SerialKit
    from virtualkit.launch import start_flashed

    board = tmp_path / "board"
    (board / "kit").mkdir(parents=True)
    (board / "kit" / "old_module.py").write_text("# left by an earlier firmware\n")
    (board / "update.json").write_text('{"files": ["kit/app.py"], "existed": [true], "tries": 0}')
    kit_id, password = f"vk-serial-{secrets.token_hex(2)}", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    # `--password=…`: a random password may begin with "-", which argparse would read as an option after a space
    argv = ["flash", "--kit-id", kit_id, f"--password={password}", "--mqtt-host", "127.0.0.1"]
    argv += ["--mqtt-port", str(MQTT_PORT), "--wifi-ssid", "virtual", "--sensors", "sds011,sht4x"]
    argv += ["--update-key", broker.update_key]
    serial = SerialKit(board)
    try:
        assert flash.run(cli.build_parser().parse_args([*argv, "--port", serial.port]), steps.Runner(60)) == 0
    finally:
        serial.close()
    out = capsys.readouterr().out
    assert out.count("running: ") == 10 and serial.boots >= 2  # every step ran; mpremote's resets were seen
    assert not (board / "kit" / "old_module.py").exists() and not (board / "update.json").exists()
    firmware = Path(__file__).resolve().parents[2] / "firmware"
    assert (board / "kit" / "drivers" / "sds011.py").read_bytes() == (firmware / "kit/drivers/sds011.py").read_bytes()
    assert json.loads((board / "config.json").read_text())["kit_id"] == kit_id
    recorder = Recorder(broker, kit_id)
    try:
        kits.append(start_flashed(board))
        info = recorder.wait(lambda: recorder.of("info"), 60, "info from the kit mpremote wrote")
        assert json.loads(info[-1][0])["sensors"] == ["sds011", "sht4x"]
        assert recorder.wait(lambda: recorder.of("status"), 10, "status")[-1][0] == b"online"
    finally:
        recorder.close()
