"""Attacks on kit updates and kit set-up (issue 10, items 5 and 6), against a virtual kit (the real firmware under
MicroPython) through the real private Mosquitto. Anyone who can publish on a kit's cmd topic may try to install
code: each attempt gets the kit's exact answer (last_cmd in its info message), and the kit keeps its code and keeps
sending readings. TLS without a CA file and the set-up access point's password are checked at the flash tool and
on the kit."""

import base64
import hashlib
import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ijlucht import cli, contract, flash, kitcommands, signing
from ijlucht.dynsec import CMD_CLIENT_PREFIX, CMD_USER
from ijlucht.settings import PlatformSettings
from tests.firmware.kitbroker import MQTT_PORT, MQTT_TLS_PORT, Broker, Recorder, kit_config
from tests.firmware.test_virtual_kit_publishes import SERIES
from virtualkit.launch import micropython_binary, start_kit, write_kit_dir

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
KIT = "vk-hostile-upd"
RESET_EXIT_CODE = 3
BAD_SIGNATURE = "update: bad signature (not made with this kit's key, or changed after signing)"
RETAINED = "retained command ignored (commands must be sent with retain off)"


class KitUnderAttack:
    """One virtual kit with the platform's update key, its broker traffic and its firmware folder."""

    def __init__(self, broker: Broker, kit_dir: Path, recorder: Recorder) -> None:
        self.broker = broker
        self.kit_dir = kit_dir
        self.fw = kit_dir / "fw"
        self.recorder = recorder
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start_kit(self.kit_dir)

    def infos(self) -> list[dict]:
        return [json.loads(p) for p, _ in self.recorder.of("info")]

    def send(self, command: dict) -> dict:
        """Publish a command as the platform's account would (QoS 1, not retained); the kit's answer (last_cmd)."""
        kitcommands.send("127.0.0.1", MQTT_PORT, self.broker.cmd_password, KIT, json.dumps(command).encode())
        return self.answer(command["id"])

    def answer(self, cmd_id: str) -> dict:
        found = self.recorder.wait(
            lambda: [i for i in self.infos() if i.get("last_cmd", {}).get("id") == cmd_id], 20, f"answer to {cmd_id}"
        )
        return found[-1]["last_cmd"]

    def firmware_files(self) -> dict[str, str]:
        return {
            p.relative_to(self.fw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.fw.rglob("*"))
            if p.is_file()
        }

    def assert_unchanged_and_measuring(self, before: dict[str, str]) -> None:
        """Same firmware files, no update staged, still running, and new readings after the attack."""
        assert self.firmware_files() == before
        assert not (self.fw / "update.json").exists()
        count = len(self.recorder.of("readings"))
        self.recorder.wait(lambda: len(self.recorder.of("readings")) >= count + 2, 15, "readings after the attack")
        assert self.proc is not None and self.proc.poll() is None


def publish_retained(broker: Broker, kit_id: str, body: bytes) -> None:
    # the command account is the one account that may publish on a kit's cmd topic (a retained copy included)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=CMD_CLIENT_PREFIX + secrets.token_hex(4))
    client.username_pw_set(CMD_USER, broker.cmd_password)
    client.connect("127.0.0.1", MQTT_PORT)
    client.loop_start()
    try:
        client.publish(contract.topic(kit_id, contract.CMD), body, qos=1, retain=True).wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


@pytest.fixture(scope="module")
def kit(settings: PlatformSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KitUnderAttack]:
    broker = Broker(settings)
    password = secrets.token_urlsafe(16)
    broker.add_kit_account(KIT, password)
    # A retained reboot waits on the kit's cmd topic before it ever connects: it would restart it at every connect.
    publish_retained(broker, KIT, json.dumps({"cmd": "reboot", "id": "r-retained"}).encode())
    recorder = Recorder(broker, KIT)
    folder = tmp_path_factory.mktemp("hostile") / KIT
    kit_dir = write_kit_dir(folder, kit_config(KIT, password), SERIES, broker.update_key)
    under_attack = KitUnderAttack(broker, kit_dir, recorder)
    under_attack.start()
    recorder.wait(lambda: len(recorder.of("readings")) >= 1, 30, "the kit's first readings")
    yield under_attack
    publish_retained(broker, KIT, b"")  # clear it
    recorder.close()
    if under_attack.proc is not None and under_attack.proc.poll() is None:
        under_attack.proc.kill()
        under_attack.proc.wait(10)


def app_update(cmd_id: str, text: str = "raise SystemExit('attacker code')\n", version: str = "6.6.6") -> dict:
    files = [kitcommands.file_entry("kit/app.py", text.encode())]
    return {"cmd": "update", "id": cmd_id, "version": version, "files": files}


def test_a_retained_reboot_is_ignored_and_the_kit_keeps_measuring(kit: KitUnderAttack) -> None:
    before = kit.firmware_files()
    assert kit.answer("r-retained") == {"ok": False, "cmd": "reboot", "id": "r-retained", "error": RETAINED}
    kit.assert_unchanged_and_measuring(before)
    assert [i["boot"] for i in kit.infos()] == [1] * len(kit.infos())  # never restarted


def test_an_unsigned_update_is_refused(kit: KitUnderAttack) -> None:
    before = kit.firmware_files()
    answer = kit.send(app_update("u-unsigned"))
    assert answer == {
        "ok": False,
        "cmd": "update",
        "id": "u-unsigned",
        "error": "update: not signed; this kit installs only updates signed with its platform's key",
    }
    kit.assert_unchanged_and_measuring(before)


def test_an_update_signed_with_another_key_is_refused(kit: KitUnderAttack) -> None:
    before = kit.firmware_files()
    forged = signing.sign_update(Ed25519PrivateKey.generate(), app_update("u-other-key"), KIT)
    assert kit.send(forged)["error"] == BAD_SIGNATURE
    kit.assert_unchanged_and_measuring(before)


def test_a_file_changed_after_signing_is_refused(kit: KitUnderAttack) -> None:
    before = kit.firmware_files()
    good = signing.sign_update(kit.broker.signing_key, app_update("u-tampered", "x = 1\n"), KIT)
    evil = b"raise SystemExit('attacker code')\n"
    # the data changed, its signed sha256 kept: the kit's sha256 check finds it
    data_only = json.loads(json.dumps(good))
    data_only["files"][0]["data"] = base64.b64encode(evil).decode()
    assert kit.send(data_only)["error"] == "update: sha256 of kit/app.py does not match"
    # data and sha256 changed together: the signature no longer matches
    both = json.loads(json.dumps(good))
    both["id"] = "u-tampered-2"
    both["files"][0].update(data=base64.b64encode(evil).decode(), sha256=hashlib.sha256(evil).hexdigest())
    assert kit.send(both)["error"] == BAD_SIGNATURE
    kit.assert_unchanged_and_measuring(before)


def test_an_update_signed_for_another_kit_is_refused(kit: KitUnderAttack) -> None:
    before = kit.firmware_files()
    for_other = signing.sign_update(kit.broker.signing_key, app_update("u-other-kit"), "vk-someone-else")
    assert kit.send(for_other)["error"] == f"update: signed for kit 'vk-someone-else', not for this kit ({KIT})"
    relabelled = {**for_other, "kit": KIT, "id": "u-other-kit-2"}  # claims to be for this kit: signature breaks
    assert kit.send(relabelled)["error"] == BAD_SIGNATURE
    kit.assert_unchanged_and_measuring(before)


def test_replaying_an_installed_or_older_update_is_refused(kit: KitUnderAttack) -> None:
    key = kit.broker.signing_key
    init = (FIRMWARE / "kit" / "__init__.py").read_text()
    entry = kitcommands.file_entry("kit/__init__.py", init.replace('"0.2.0"', '"0.2.0-h1"').encode())
    older = signing.sign_update(key, {"cmd": "update", "id": "u-old", "version": "0.2.0-h0", "files": [entry]}, KIT)
    time.sleep(0.01)  # the counter is the signing time in ms
    newer = signing.sign_update(key, {"cmd": "update", "id": "u-new", "version": "0.2.0-h1", "files": [entry]}, KIT)
    kitcommands.send("127.0.0.1", MQTT_PORT, kit.broker.cmd_password, KIT, json.dumps(newer).encode())
    assert kit.proc is not None and kit.proc.wait(timeout=20) == RESET_EXIT_CODE  # a real update: reboot
    kit.start()
    confirmed = kit.recorder.wait(lambda: [i for i in kit.infos() if i["fw"] == "0.2.0-h1"], 30, "the new version")
    assert confirmed[0]["last_cmd"] == {"cmd": "update", "ok": True, "version": "0.2.0-h1"}
    before = kit.firmware_files()
    counter = newer["counter"]
    replay = {**newer, "id": "u-new"}
    expected = f"update: counter {counter} is not above the last installed ({counter}): replayed or outdated"
    assert kit.send(replay)["error"] == expected
    expected = f"update: counter {older['counter']} is not above the last installed ({counter}): replayed or outdated"
    assert kit.send(older)["error"] == expected
    kit.assert_unchanged_and_measuring(before)


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("./main.py", "update: main.py can only be changed over USB"),
        ("kit/./update.py", "update: kit/update.py can only be changed over USB"),
        ("kit/update.mpy", "update: kit/update.mpy can only be changed over USB"),
        ("kit//update.py", "update: kit/update.py can only be changed over USB"),
        ("kit/update/__init__.py", "update: kit/update/__init__.py can only be changed over USB"),
        ("update_key.py", "update: update_key.py can only be changed over USB"),
        ("boot.mpy", "update: boot.mpy can only be changed over USB"),
        ("../x.py", "update: bad path '../x.py' ('..')"),
        ("/kit/app.py", "update: bad path '/kit/app.py' (absolute, or a backslash)"),
        ("kit\\update.py", "update: bad path 'kit\\\\update.py' (absolute, or a backslash)"),
        ("KIT/UPDATE.PY", "update: bad path 'KIT/UPDATE.PY' (names are a-z 0-9 _ - . only)"),
        ("config.json", "update: config.json is not a .py or .mpy file"),
    ],
)
def test_path_tricks_are_refused_even_in_a_signed_update(kit: KitUnderAttack, path: str, error: str) -> None:
    before = kit.firmware_files()
    data = b"print('attacker code')\n"
    entry = {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "data": base64.b64encode(data).decode()}
    cmd_id = "u-path-" + secrets.token_hex(3)
    command = signing.sign_update(
        kit.broker.signing_key, {"cmd": "update", "id": cmd_id, "version": "6.6.6", "files": [entry]}, KIT
    )
    assert kit.send(command)["error"] == error
    with pytest.raises(ValueError) as refused:  # the platform's own builder refuses it the same way
        kitcommands.file_entry(path, data)
    assert str(refused.value) == error
    assert kit.firmware_files() == before and not (kit.fw / "update.json").exists()


def test_after_the_path_tricks_the_kit_still_measures(kit: KitUnderAttack) -> None:
    kit.assert_unchanged_and_measuring(kit.firmware_files())


FLASH = ["flash", "--kit-id", "bev-042", "--password", "pw-1", "--mqtt-host", "mqtt.example.nl"]
FLASH += ["--wifi-ssid", "thuis", "--sensors", "pms5003,bme280", "--dry-run"]


def test_flash_with_tls_but_no_ca_file_is_refused(capsys: pytest.CaptureFixture) -> None:
    assert cli.main([*FLASH, "--tls"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"ijlucht flash: {flash.TLS_NEEDS_CA}" and "would run" not in captured.out
    assert flash.TLS_NEEDS_CA == (
        "--tls needs --ca-file (the CA that signed the broker's certificate), or --insecure to skip the certificate "
        "check (anyone on the path could then pose as the broker; the kit warns at every boot)"
    )
    assert cli.main([*FLASH, "--tls", "--insecure"]) == 0
    assert "would run" in capsys.readouterr().out


def test_a_kit_flashed_insecure_warns_at_boot_and_flags_every_info(settings: PlatformSettings, tmp_path: Path) -> None:
    broker = Broker(settings)
    kit_id, password = "vk-hostile-tls", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    args = cli.build_parser().parse_args([*FLASH, "--kit-id", kit_id, f"--password={password}", "--insecure"])
    cfg = flash.build_config(args)
    assert cfg["tls"] is True and "ca_file" not in cfg
    cfg.update(kit_config(kit_id, password, mqtt_host="localhost", mqtt_port=MQTT_TLS_PORT))
    recorder = Recorder(broker, kit_id)
    proc = start_kit(write_kit_dir(tmp_path / kit_id, cfg, SERIES, broker.update_key))
    try:
        recorder.wait(lambda: len(recorder.of("readings")) >= 2, 30, "readings over TLS")
        assert json.loads(recorder.of("info")[-1][0])["tls_unverified"] == 1
        log = (tmp_path / kit_id / "kit.log").read_text()
        assert "WARNING: TLS without ca_file: the broker's certificate is not verified" in log
    finally:
        recorder.close()
        proc.kill()
        proc.wait(10)


def test_the_setup_access_point_never_uses_its_ssid_as_password(tmp_path: Path, capsys) -> None:
    assert cli.main(FLASH) == 0
    label = capsys.readouterr().out.strip().splitlines()[-1]
    password = label.rsplit(": ", 1)[1]
    assert label.startswith("kit bev-042: set-up Wi-Fi password (for the label): ") and len(password) == 16
    # On the kit: no password file, or one holding the SSID, gives a random one (never the SSID).
    stored = tmp_path / "setup_password"
    script = (
        f"import sys; sys.path[:0] = [{str(FIRMWARE)!r}, {str(FIRMWARE.parent / 'virtualkit' / 'board')!r}]\n"
        "import network\n"
        "from kit import setup\n"
        f"ap = setup.access_point(network, {str(stored)!r})\n"
        "print(ap.ap_config['essid'], ap.ap_config['password'], ap.ap_config['authmode'])\n"
    )
    for content in (None, "ijlucht-1d1e1f\n"):
        if content is not None:
            stored.write_text(content)
        out = subprocess.run([micropython_binary(), "-c", script], capture_output=True, text=True, timeout=30)
        essid, ap_password, authmode = out.stdout.strip().splitlines()[-1].split()
        assert essid == "ijlucht-1d1e1f" and authmode == "3"
        assert ap_password != essid and len(ap_password) == 16 and stored.read_text().strip() == ap_password
        stored.unlink()
