"""The virtual kit (real firmware under `micropython`, replay sensor) against a real private Mosquitto.

The broker is the test session's private Mosquitto (tests/conftest.py).
"""

import json
import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest

from tests.firmware.kitbroker import MQTT_TLS_PORT, Broker, Recorder, kit_config
from virtualkit.launch import start_kit, write_kit_dir

QUANTITIES = ("pm1", "pm25", "pm10", "t", "rh")
# Constant values so every interpolated reading is known; p is missing throughout.
SERIES = [(0, 4.0, 7.1, 12.4, 9.8, 81.2, None), (60, 4.0, 7.1, 12.4, 9.8, 81.2, None)]
EXPECTED = dict(zip(QUANTITIES, SERIES[0][1:6], strict=True))


def assert_v1_readings_message(payload: bytes) -> dict:
    msg = json.loads(payload)
    assert msg["v"] == 1 and msg["fw"] == "0.2.0"
    assert isinstance(msg["seq"], int) and msg["seq"] >= 0
    assert 1 <= len(msg["readings"]) <= 1000
    for reading in msg["readings"]:
        assert isinstance(reading["ts"], int) and abs(reading["ts"] - time.time()) < 60
        for key, value in EXPECTED.items():
            assert reading[key] == pytest.approx(value, abs=0.051), (key, reading)
        assert "p" not in reading and "ns" not in reading
    return msg


def test_virtual_kit_publishes_online_info_and_v1_readings_then_broker_says_offline_when_killed(
    broker: Broker, tmp_path: Path, kits: list
) -> None:
    kit_id, password = "vk-publish-1", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    recorder = Recorder(broker, kit_id)
    try:
        proc = start_kit(write_kit_dir(tmp_path / kit_id, kit_config(kit_id, password), SERIES))
        kits.append(proc)
        recorder.wait(lambda: len(recorder.of("readings")) >= 3, 30, "three readings messages")
        assert (b"online", False) in recorder.of("status") or (b"online", True) in recorder.of("status")
        info = json.loads(recorder.of("info")[-1][0])
        v1 = {k: info[k] for k in ("v", "fw", "sensors", "boot", "interval")}
        assert v1 == {"v": 1, "fw": "0.2.0", "sensors": ["replay"], "boot": 1, "interval": 1}
        # Health figures ride along (contract v1 lets info carry more keys).
        assert info["reset_cause"] == "power-on" and info["rssi"] == -60 and info["mem_free"] > 0
        messages = [assert_v1_readings_message(p) for p, _ in recorder.of("readings")]
        seqs = [m["seq"] for m in messages]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))

        # A subscriber arriving later gets both retained: that is how the platform learns the kit's state.
        late = Recorder(broker, kit_id)
        late.wait(lambda: late.of("status") and late.of("info"), 10, "retained status and info")
        assert late.of("status")[0] == (b"online", True)
        assert late.of("info")[0][1] is True
        late.close()

        proc.kill()
        proc.wait(timeout=10)
        recorder.wait(lambda: recorder.of("status")[-1][0] == b"offline", 15, "last will 'offline'")
        after = Recorder(broker, kit_id)
        after.wait(lambda: after.of("status"), 10, "retained status after the kill")
        assert after.of("status")[0] == (b"offline", True)
        after.close()
    finally:
        recorder.close()


def test_virtual_kit_verifies_the_broker_certificate_over_tls(broker: Broker, tmp_path: Path, kits: list) -> None:
    kit_id, password = "vk-tls-1", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    recorder = Recorder(broker, kit_id)
    try:
        ca = broker.state / "mosquitto" / "tls" / "ca.crt"
        cfg = kit_config(kit_id, password, mqtt_host="localhost", mqtt_port=MQTT_TLS_PORT, tls=True, ca_file=str(ca))
        kits.append(start_kit(write_kit_dir(tmp_path / kit_id, cfg, SERIES)))
        recorder.wait(lambda: recorder.of("readings"), 30, "a readings message over TLS")
        assert_v1_readings_message(recorder.of("readings")[0][0])
    finally:
        recorder.close()


def test_virtual_kit_with_an_untrusted_ca_refuses_the_broker_and_keeps_measuring(
    broker: Broker, tmp_path: Path, kits: list
) -> None:
    kit_id, password = "vk-tls-2", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    other = tmp_path / "other-ca"
    other.mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=other",
            "-keyout",
            str(other / "ca.key"),
            "-out",
            str(other / "ca.crt"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    cfg = kit_config(
        kit_id, password, mqtt_host="localhost", mqtt_port=MQTT_TLS_PORT, tls=True, ca_file=str(other / "ca.crt")
    )
    kit_dir = write_kit_dir(tmp_path / kit_id, cfg, SERIES)
    proc = start_kit(kit_dir)
    kits.append(proc)
    log = kit_dir / "kit.log"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "cycle=3 " not in log.read_text():
        time.sleep(0.2)
    text = log.read_text()
    assert "not correctly signed" in text and "cycle=3 online=0 backlog=3" in text, text
    assert proc.poll() is None


def test_virtual_kit_with_a_wrong_password_reports_it_and_keeps_running(
    broker: Broker, tmp_path: Path, kits: list
) -> None:
    kit_id = "vk-badpw-1"
    broker.add_kit_account(kit_id, "right-" + secrets.token_hex(8))
    kit_dir = write_kit_dir(tmp_path / kit_id, kit_config(kit_id, "wrong"), SERIES)
    proc = start_kit(kit_dir)
    kits.append(proc)
    log = kit_dir / "kit.log"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "cycle=2 " not in log.read_text():
        time.sleep(0.2)
    text = log.read_text()
    assert "connection refused: not authorised" in text or "bad user name or password" in text, text
    assert "cycle=2 online=0" in text and proc.poll() is None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_virtual_kit_idles_between_readings_and_stops_at_once_on_sigterm(
    broker: Broker, tmp_path: Path, kits: list
) -> None:
    kit_id, password = "vk-idle-1", secrets.token_urlsafe(16)
    broker.add_kit_account(kit_id, password)
    recorder = Recorder(broker, kit_id)
    try:
        proc = start_kit(write_kit_dir(tmp_path / kit_id, kit_config(kit_id, password, interval=2), SERIES))
        kits.append(proc)
        recorder.wait(lambda: recorder.of("readings"), 30, "the first readings message")
        before = cpu_seconds(proc.pid)
        time.sleep(6)
        used = cpu_seconds(proc.pid) - before
        assert used < 0.3, f"the kit used {used:.2f} s of CPU in 6 s"
        assert len(recorder.of("readings")) >= 3  # it kept publishing meanwhile
        started = time.monotonic()
        proc.terminate()
        proc.wait(timeout=5)
        assert time.monotonic() - started < 2
        recorder.wait(lambda: recorder.of("status")[-1][0] == b"offline", 15, "last will 'offline'")
    finally:
        recorder.close()
