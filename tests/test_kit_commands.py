"""Platform → kit commands: built and checked before sending, and delivered only to the kit they are for.

What the firmware does with them is in tests/firmware/test_kit_commands.py (real firmware, same sender)."""

import base64
import hashlib
import json
import re
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from ijlucht import cli, contract, kitcommands, signing

FIRMWARE = Path(__file__).resolve().parents[1] / "firmware"


def test_interval_outside_what_the_firmware_accepts_is_refused_with_the_range():
    assert kitcommands.interval_command(30, "c-1") == {"cmd": "interval", "interval": 30, "id": "c-1"}
    for bad in (0, 86401, True, 2.5):
        with pytest.raises(ValueError, match="from 1 to 86400"):
            kitcommands.interval_command(bad)


def test_update_carries_each_file_with_its_sha256_and_refuses_paths_outside_the_firmware():
    cmd = kitcommands.update_command(FIRMWARE, ["kit/payload.py"], "0.2.1", "u-1")
    (entry,) = cmd["files"]
    data = base64.b64decode(entry["data"])
    assert data == (FIRMWARE / "kit" / "payload.py").read_bytes()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest() and cmd["version"] == "0.2.1"
    for bad, why in (("../pyproject.toml", "('..')"), ("/etc/passwd", "(absolute, or a backslash)")):
        with pytest.raises(ValueError, match=re.escape(f"update: bad path {bad!r} {why}")):
            kitcommands.file_entry(bad, b"x")
    with pytest.raises(ValueError, match=re.escape("update: main.py can only be changed over USB")):
        kitcommands.update_command(FIRMWARE, ["./main.py"], "0.2.1")
    with pytest.raises(ValueError, match="version must be 1-32 of"):
        kitcommands.update_command(FIRMWARE, ["kit/payload.py"], "0.2.1\nfile x kit/app.py")
    with pytest.raises(ValueError, match="not a file"):
        kitcommands.update_command(FIRMWARE, ["kit/nothing.py"], "0.2.1")


def test_signed_update_names_its_kit_and_counter_and_verifies_with_the_platform_key(tmp_path):
    private = signing.load_private_key(tmp_path)
    assert signing.key_path(tmp_path).stat().st_mode & 0o777 == 0o600
    assert signing.load_private_key(tmp_path).private_bytes_raw() == private.private_bytes_raw()  # made once
    cmd = signing.sign_update(private, kitcommands.update_command(FIRMWARE, ["kit/payload.py"], "0.2.1"), "bev-1", 7)
    assert cmd["kit"] == "bev-1" and cmd["counter"] == 7
    text = signing.manifest_text("bev-1", 7, "0.2.1", cmd["files"])
    sha = cmd["files"][0]["sha256"]
    assert text == f"ijlucht-update/1\nkit bev-1\ncounter 7\nversion 0.2.1\nfile {sha} kit/payload.py\n".encode()
    private.public_key().verify(base64.b64decode(cmd["sig"]), text)  # raises when it does not verify
    assert signing.new_counter() < signing.new_counter() + 1 and signing.new_counter() > 1_700_000_000_000


def test_a_signing_key_file_that_holds_no_key_is_an_error_naming_it(tmp_path):
    signing.key_path(tmp_path).write_text("not a key\n")
    with pytest.raises(ValueError, match=re.escape("update-signing.key does not hold an Ed25519 key")):
        signing.load_private_key(tmp_path)


def test_the_bootstrap_fits_one_message_and_avoids_what_old_firmware_protects():
    cmd = kitcommands.bootstrap_command(FIRMWARE, "ab" * 32, "0.2.0-key", "u-b")
    assert "sig" not in cmd and len(kitcommands.encode(cmd)) < kitcommands.MAX_COMMAND_BYTES
    paths = [f["path"] for f in cmd["files"]]
    assert paths == [*kitcommands.BOOTSTRAP_FILES, "update_key.py"]
    # firmware before signed updates refused only these (its kit/update.py PROTECTED)
    assert not set(paths) & {"main.py", "boot.py", "kit/update.py", "config.json"}
    key = base64.b64decode(cmd["files"][-1]["data"]).decode()
    assert key == 'KEY = "' + "ab" * 32 + '"\n'


def test_cli_refuses_an_unconfirmed_bootstrap_and_unsigned_leftovers(capsys):
    for files, flags, error in (
        ([], ["--bootstrap-key"], cli.BOOTSTRAP_UNCONFIRMED),
        (["kit/app.py"], ["--bootstrap-key", "--i-understand-this-is-unsigned"], "sends its own files"),
        (["kit/app.py"], ["--i-understand-this-is-unsigned"], "goes with --bootstrap-key only"),
        ([], [], "name the files to send"),
    ):
        assert cli.main(["kits", "update", "bev-1", *files, "--version", "1.0", *flags]) == 2
        assert error in capsys.readouterr().err


def test_an_update_too_large_for_the_kit_is_refused_before_sending():
    big = {"cmd": "update", "id": "u", "files": [kitcommands.file_entry("kit/big.py", b"#" * 60_000)]}
    with pytest.raises(ValueError, match="at most 65,536"):
        kitcommands.encode(big)


def test_cli_command_reaches_the_kit_on_its_own_topic_and_not_another_kit(settings, make_kit, monkeypatch, capsys):
    kit, pw = make_kit("cmd")
    other, other_pw = make_kit("cmd")
    got: dict[str, list[dict]] = {kit: [], other: []}
    ready = threading.Barrier(3, timeout=10)
    granted: dict[str, list] = {}
    clients = []
    for kit_id, password in ((kit, pw), (other, other_pw)):
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit_id)
        c.username_pw_set(kit_id, password)
        c.on_message = lambda _c, _u, m, k=kit_id: got[k].append(json.loads(m.payload))
        # a kit may read only its own cmd topic: its subscription to all of them is refused, its own granted
        c.on_subscribe = lambda _c, _u, _m, codes, _p, k=kit_id: (granted.__setitem__(k, codes), ready.wait())
        c.on_connect = lambda cl, _u, _f, _r, _p, k=kit_id: cl.subscribe(
            [(contract.subscription(contract.CMD), 1), (contract.topic(k, contract.CMD), 1)]
        )
        c.connect(settings.mqtt_host, settings.mqtt_port)
        c.loop_start()
        clients.append(c)
    ready.wait()
    try:
        assert cli.main(["kits", "cmd", kit, "interval", "45"]) == 0
        assert "sent interval" in capsys.readouterr().out
        assert cli.main(["kits", "cmd", kit, "interval"]) == 2
        assert "needs the number of seconds" in capsys.readouterr().err
        deadline = threading.Event()
        for _ in range(50):
            if got[kit]:
                break
            deadline.wait(0.1)
        deadline.wait(0.5)
        assert [m["interval"] for m in got[kit]] == [45] and got[kit][0]["cmd"] == "interval"
        assert got[other] == []
        assert all([c.is_failure for c in codes] == [True, False] for codes in granted.values()), granted
    finally:
        for c in clients:
            c.disconnect()
            c.loop_stop()


def test_a_share_is_the_same_kits_first_and_grows_without_dropping_any():
    from ijlucht import kitupdates

    ids = [f"bev-{n:03d}" for n in range(1000)]
    tenth = {k for k in ids if kitupdates.in_share(k, "0.3.0", 10)}
    half = {k for k in ids if kitupdates.in_share(k, "0.3.0", 50)}
    assert tenth < half and 60 <= len(tenth) <= 140 and 440 <= len(half) <= 560  # a hash, not an exact count
    assert tenth == {k for k in ids if kitupdates.in_share(k, "0.3.0", 10)}  # deterministic
    assert tenth != {k for k in ids if kitupdates.in_share(k, "0.3.1", 10)}  # each version its own first tenth
    assert all(kitupdates.in_share(k, "0.3.0", 100) for k in ids)
    with pytest.raises(ValueError, match="percentage above 0 and at most 100"):
        kitupdates.in_share("bev-001", "0.3.0", 0)


def test_a_rollout_step_sends_only_to_online_kits_that_still_need_it():
    from ijlucht.kitupdates import FleetKit, choose

    fleet = [
        FleetKit("a-01", True, "0.3.0"),  # runs it
        FleetKit("a-02", True, "0.2.0", "sent"),  # waiting for it
        FleetKit("a-03", True, "0.2.0", "failed"),  # rolled it back: not again
        FleetKit("a-04", False, "0.2.0"),  # offline: next time
        FleetKit("a-05", True, "0.2.0"),
    ]
    plan = choose(fleet, "0.3.0", None, None)
    assert plan == {
        "send": ["a-05"],
        "done": ["a-01"],
        "pending": ["a-02"],
        "failed": ["a-03"],
        "offline": ["a-04"],
        "unknown": [],
    }
    assert choose(fleet, "0.3.0", None, ["a-05", "zz-9"])["unknown"] == ["zz-9"]


def test_a_share_of_a_list_takes_that_share_of_the_listed_kits_only():
    from ijlucht.kitupdates import FleetKit, choose, in_share

    fleet = [FleetKit(f"b-{n:02}", True, "0.2.0") for n in range(40)]
    listed = [k.kit_id for k in fleet[:20]]
    plan = choose(fleet, "0.3.0", 50, listed)
    assert plan["send"] == [k for k in listed if in_share(k, "0.3.0", 50)]
    assert 0 < len(plan["send"]) < 20  # a share, and never a kit outside the list


def test_the_state_of_a_kits_update_comes_from_what_the_kit_reports():
    from ijlucht.kitupdates import state

    assert state("0.3.0", "u-1", "0.3.0", {"cmd": "update", "ok": True, "version": "0.3.0"}) == ("took", "")
    assert state("0.3.0", "u-1", "0.2.0", None) == ("sent", "")
    refused = {"cmd": "update", "id": "u-1", "ok": False, "error": "update: bad signature (…)"}
    assert state("0.3.0", "u-1", "0.2.0", refused) == ("failed", "update: bad signature (…)")
    rolled = {"cmd": "update", "ok": False, "error": "update 0.3.0 rolled back"}
    assert state("0.3.0", "u-1", "0.2.0", rolled) == ("failed", "update 0.3.0 rolled back")
    assert state("0.3.0", "u-2", "0.2.0", dict(refused, id="u-1"))[0] == "sent"  # an older command's answer
    confirmed = {"cmd": "update", "ok": True, "version": "0.3.0"}
    assert state("0.3.0", "u-1", "0.2.0", confirmed) == ("mismatch", "confirmed 0.3.0 but reports 0.2.0")


def test_an_update_whose_kit_init_names_another_version_is_refused(tmp_path):
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / "__init__.py").write_text('"""x"""\n\nFW_VERSION = "0.2.0"\n')
    with pytest.raises(ValueError, match=re.escape("FW_VERSION = '0.2.0' but the update is --version 0.3.0")):
        kitcommands.update_command(tmp_path, ["kit/__init__.py"], "0.3.0")
    assert kitcommands.update_command(tmp_path, ["kit/__init__.py"], "0.2.0")["version"] == "0.2.0"


def test_a_rollout_must_say_which_kits_and_a_share_of_all_is_said_once(capsys):
    from ijlucht import cli

    assert cli.main(["kits", "rollout", "kit/health.py", "--version", "0.3.0"]) == 2
    assert "--share PERCENT, --kits A,B" in capsys.readouterr().err
    assert cli.main(["kits", "rollout", "kit/health.py", "--version", "0.3.0", "--share", "10", "--all"]) == 2
    assert "exclude each other" in capsys.readouterr().err
