"""Commands on ijlucht/kits/{kit_id}/cmd, sent through the real private Mosquitto to a virtual kit running the
real firmware: change the interval, update application files (signed, sha256-checked), roll back a broken update,
bootstrap the key of a kit that has none. Forged updates: tests/hostile/test_update_attacks.py."""

import hashlib
import json
import secrets
import time
from pathlib import Path

from ijlucht import cli, kitcommands, signing
from tests.firmware.kitbroker import MQTT_PORT, Recorder, kit_config
from tests.firmware.test_virtual_kit_publishes import SERIES
from virtualkit.launch import start_kit, write_kit_dir

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
RESET_EXIT_CODE = 3


def send_command(broker, kit_id: str, command: dict) -> None:
    # the platform's own sender (ijlucht kits cmd / update), as the ingest account
    kitcommands.send("127.0.0.1", MQTT_PORT, broker.cmd_password, kit_id, kitcommands.encode(command))


def file_entry(path: str, text: str) -> dict:
    return kitcommands.file_entry(path, text.encode())


def infos(recorder: Recorder) -> list[dict]:
    return [json.loads(p) for p, _ in recorder.of("info")]


def signed(broker, kit_id: str, command: dict) -> dict:
    return signing.sign_update(broker.signing_key, command, kit_id)


def start(broker, tmp_path: Path, kit_id: str, kits: list, with_key: bool = True):
    password = secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    recorder = Recorder(broker, kit_id)
    key = broker.update_key if with_key else None
    kit_dir = write_kit_dir(tmp_path / kit_id, kit_config(kit_id, password), SERIES, key)
    kits.append(start_kit(kit_dir))
    recorder.wait(lambda: recorder.of("info"), 30, "the kit's info message")
    time.sleep(0.5)  # the kit subscribes to its cmd topic right after the info message
    return recorder, kit_dir


def test_interval_command_changes_the_interval_and_is_reported_in_info(broker, tmp_path: Path, kits: list) -> None:
    recorder, kit_dir = start(broker, tmp_path, "vk-cmd-interval", kits)
    try:
        send_command(broker, "vk-cmd-interval", {"cmd": "interval", "interval": 5, "id": "c-1"})
        info = recorder.wait(lambda: [i for i in infos(recorder) if i["interval"] == 5], 20, "info with interval 5")
        assert info[-1]["last_cmd"] == {"ok": True, "cmd": "interval", "id": "c-1"}
        assert json.loads((kit_dir / "config.json").read_text())["interval"] == 5
        send_command(broker, "vk-cmd-interval", {"cmd": "interval", "interval": -1, "id": "c-2"})
        bad = recorder.wait(
            lambda: [i for i in infos(recorder) if i.get("last_cmd", {}).get("id") == "c-2"], 20, "refusal"
        )
        assert bad[-1]["last_cmd"]["ok"] is False and bad[-1]["interval"] == 5
    finally:
        recorder.close()


def test_verified_update_is_installed_and_confirmed_after_the_reboot(broker, tmp_path: Path, kits: list) -> None:
    recorder, kit_dir = start(broker, tmp_path, "vk-cmd-update", kits)
    try:
        init = (FIRMWARE / "kit" / "__init__.py").read_text().replace('"0.2.0"', '"0.2.0-ota"')
        update = {"cmd": "update", "id": "u-1", "version": "0.2.0-ota", "files": [file_entry("kit/__init__.py", init)]}
        send_command(broker, "vk-cmd-update", signed(broker, "vk-cmd-update", update))
        assert kits[-1].wait(timeout=20) == RESET_EXIT_CODE  # the kit reboots into the new code
        assert (kit_dir / "fw" / "update.json").exists()
        kits.append(start_kit(kit_dir))
        info = recorder.wait(lambda: [i for i in infos(recorder) if i["fw"] == "0.2.0-ota"], 30, "info from 0.2.0-ota")
        assert info[-1]["last_cmd"] == {"cmd": "update", "ok": True, "version": "0.2.0-ota"}
        assert (
            not (kit_dir / "fw" / "update.json").exists() and not (kit_dir / "fw" / "kit" / "__init__.py.bak").exists()
        )
    finally:
        recorder.close()


def test_update_with_a_wrong_sha256_is_refused_and_a_broken_one_rolled_back(broker, tmp_path: Path, kits: list) -> None:
    recorder, kit_dir = start(broker, tmp_path, "vk-cmd-rollback", kits)
    app_py = kit_dir / "fw" / "kit" / "app.py"
    original = app_py.read_text()
    try:
        tampered = file_entry("kit/app.py", "raise ValueError('broken update')\n")
        tampered["sha256"] = hashlib.sha256(b"something else").hexdigest()
        bad = {"cmd": "update", "id": "u-bad", "version": "9.9.8", "files": [tampered]}
        send_command(broker, "vk-cmd-rollback", signed(broker, "vk-cmd-rollback", bad))
        refused = recorder.wait(
            lambda: [i for i in infos(recorder) if i.get("last_cmd", {}).get("id") == "u-bad"], 20, "refusal"
        )
        assert "sha256" in refused[-1]["last_cmd"]["error"] and app_py.read_text() == original

        broken = file_entry("kit/app.py", "raise ValueError('broken update')\n")
        update = {"cmd": "update", "id": "u-2", "version": "9.9.9", "files": [broken]}
        send_command(broker, "vk-cmd-rollback", signed(broker, "vk-cmd-rollback", update))
        assert kits[-1].wait(timeout=20) == RESET_EXIT_CODE
        kits.append(start_kit(kit_dir))  # first boot of the new code: it crashes and resets
        assert kits[-1].wait(timeout=20) == RESET_EXIT_CODE
        assert "broken update" in (kit_dir / "crash.txt").read_text()
        kits.append(start_kit(kit_dir))  # second boot: the old code is back
        back = recorder.wait(
            lambda: [i for i in infos(recorder) if "rolled back" in i.get("last_cmd", {}).get("error", "")],
            30,
            "info after the rollback",
        )
        assert back[-1]["fw"] == "0.2.0" and app_py.read_text() == original
    finally:
        recorder.close()


def test_a_kit_without_a_key_takes_the_confirmed_bootstrap_then_only_signed_updates(
    broker, tmp_path: Path, kits: list, capsys
) -> None:
    kit_id = "vk-cmd-bootstrap"
    recorder, kit_dir = start(broker, tmp_path, kit_id, kits, with_key=False)
    try:
        assert cli.main(["kits", "update", kit_id, "--version", "0.2.0-key", "--bootstrap-key"]) == 2
        assert cli.BOOTSTRAP_UNCONFIRMED in capsys.readouterr().err
        plain = {"cmd": "update", "id": "u-plain", "version": "1.0", "files": [file_entry("kit/x.py", "x = 1\n")]}
        send_command(broker, kit_id, plain)
        refused = recorder.wait(
            lambda: [i for i in infos(recorder) if i.get("last_cmd", {}).get("id") == "u-plain"], 20, "refusal"
        )
        no_key = "update: this kit has no update key yet; it accepts only the key bootstrap"
        assert refused[-1]["last_cmd"]["error"] == no_key
        args = ["kits", "update", kit_id, "--version", "0.2.0-key"]
        args += ["--bootstrap-key", "--i-understand-this-is-unsigned"]
        assert cli.main(args) == 0
        assert "unsigned key bootstrap sent" in capsys.readouterr().out
        took = recorder.wait(
            lambda: (
                [i for i in infos(recorder) if i.get("last_cmd", {}).get("cmd") == "update" and i["last_cmd"]["ok"]]
                or None
            ),
            20,
            "the bootstrap taken",
        )
        assert kits[-1].poll() is None and took[-1]["fw"] == "0.2.0"  # only the key: no files, no reboot
        assert (kit_dir / "fw" / "update_key.py").read_text() == signing.key_file_text(broker.update_key)
        send_command(broker, kit_id, {**plain, "id": "u-plain-2"})
        refused = recorder.wait(
            lambda: [i for i in infos(recorder) if i.get("last_cmd", {}).get("id") == "u-plain-2"], 20, "refusal"
        )
        assert refused[-1]["last_cmd"]["error"].startswith("update: not signed")
        assert not (kit_dir / "fw" / "kit" / "x.py").exists()
    finally:
        recorder.close()
