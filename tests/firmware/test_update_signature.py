"""Signed updates, platform to kit: ijlucht/signing.py signs with `cryptography`, and the kit's own verifier
(firmware/kit/ed25519.py + sha512.py, plain MicroPython) decides, run under the MicroPython unix port with a heap
like the ESP32's. The attacks through a real broker are in tests/hostile/test_update_attacks.py."""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ijlucht import kitcommands, signing
from ijlucht.flash import firmware_module
from virtualkit.launch import micropython_binary

MP_DIR = Path(__file__).resolve().parent / "mp"
FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
KIT = "bev-042"
# The ESP32's MicroPython heap grows to about 110 KB; the unix port's 8-byte words need about twice the room of
# the ESP32's 4-byte ones, so a check that fits in this heap on the unix port fits in half of it on the ESP32.
HEAP = "100k"


def run_checks(tmp_path: Path, key_hex: str | None, cases: dict[str, dict], timed: dict | None = None, heap=HEAP):
    root = tmp_path / "fw"
    root.mkdir(exist_ok=True)
    if key_hex is not None:
        (root / "update_key.py").write_text(signing.key_file_text(key_hex))
    spec = {
        "root": str(root) + "/",
        "kit_id": KIT,
        "cases": [{"name": n, "cmd": c} for n, c in cases.items()],
        "timed": timed,
    }
    (tmp_path / "cases.json").write_text(json.dumps(spec))
    result = subprocess.run(
        [micropython_binary(), "-X", f"heapsize={heap}", "check_updates.py", str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=MP_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    answers = {}
    for line in lines:
        if line.startswith("{"):
            answer = json.loads(line)
            answers[answer.pop("name")] = answer
    return answers, [line for line in lines if line.startswith("verify_ms")]


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def app_update(version: str = "0.3.0") -> dict:
    return kitcommands.update_command(FIRMWARE, ["kit/payload.py"], version, "u-1")


def test_sha512_constants_follow_from_their_definition_and_the_digest_matches_hashlib():
    sha512 = firmware_module("sha512")

    def primes(n: int) -> list[int]:
        found: list[int] = []
        c = 2
        while len(found) < n:
            if all(c % p for p in found):
                found.append(c)
            c += 1
        return found

    def iroot(n: int, k: int) -> int:
        lo, hi = 0, 1 << (n.bit_length() // k + 1)
        while lo < hi - 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if mid**k <= n else (lo, mid)
        return lo

    mask = (1 << 64) - 1
    cube_roots = tuple(iroot(p << 192, 3) & mask for p in primes(80))
    square_roots = tuple(iroot(p << 128, 2) & mask for p in primes(8))
    constants = (sha512.K, sha512.H0)
    assert constants == (cube_roots, square_roots)
    for n in (0, 1, 111, 112, 127, 128, 129, 1000):
        data = os.urandom(n)
        assert sha512.digest(data) == hashlib.sha512(data).digest()


def test_manifest_signed_by_the_platform_verifies_on_the_kit_under_an_esp32_sized_heap(tmp_path, key, capsys):
    signed = signing.sign_update(key, app_update(), KIT, counter=17)
    answers, timing = run_checks(tmp_path, signing.public_key_hex(key), {"signed": signed}, timed=signed)
    assert answers["signed"] == {"files": 1, "key": False, "counter": 17}
    with capsys.disabled():  # a figure for docs, not an assertion (firmware/README.md "Resources")
        print(f"\nEd25519 verify of an update manifest, MicroPython unix port, heap {HEAP}: {timing[0]}")


def test_verification_still_fits_in_a_64k_heap(tmp_path, key):
    # 64k includes compiling the modules from source (~33 KB live after import on the unix port); 56k does not.
    signed = signing.sign_update(key, app_update(), KIT, counter=18)
    answers, _ = run_checks(tmp_path, signing.public_key_hex(key), {"signed": signed}, heap="64k")
    assert answers["signed"]["counter"] == 18


def test_every_forgery_is_refused_with_its_reason(tmp_path, key):
    public = signing.public_key_hex(key)
    good = signing.sign_update(key, app_update(), KIT, counter=50)
    other_key = signing.sign_update(Ed25519PrivateKey.generate(), app_update(), KIT, counter=50)
    newer_version = {**good, "version": "9.9.9"}
    moved = json.loads(json.dumps(good))
    moved["files"][0]["path"] = "kit/sampling.py"
    other_hash = json.loads(json.dumps(good))
    other_hash["files"][0]["sha256"] = hashlib.sha256(b"evil").hexdigest()
    unsigned = app_update()
    cases = {
        "unsigned": unsigned,
        "other key": other_key,
        "version changed": newer_version,
        "path changed": moved,
        "sha256 changed": other_hash,
        "counter changed": {**good, "counter": 51},
        "kit changed": {**good, "kit": "bev-043"},
        "garbage sig": {**good, "sig": "not base64!"},
        "good": good,
    }
    answers, _ = run_checks(tmp_path, public, cases)
    bad_sig = "update: bad signature (not made with this kit's key, or changed after signing)"
    assert answers == {
        "unsigned": {"error": "update: not signed; this kit installs only updates signed with its platform's key"},
        "other key": {"error": bad_sig},
        "version changed": {"error": bad_sig},
        "path changed": {"error": bad_sig},
        "sha256 changed": {"error": bad_sig},
        "counter changed": {"error": bad_sig},
        "kit changed": {"error": "update: signed for kit 'bev-043', not for this kit (bev-042)"},
        "garbage sig": {"error": bad_sig},
        "good": {"files": 1, "key": False, "counter": 50},
    }


def test_a_kit_without_a_key_takes_only_the_key_from_the_bootstrap(tmp_path, key):
    public = signing.public_key_hex(key)
    bootstrap = kitcommands.bootstrap_command(FIRMWARE, public, "0.2.0-key", "u-b")
    answers, _ = run_checks(
        tmp_path,
        None,
        {"bootstrap": bootstrap, "plain": app_update(), "signed": signing.sign_update(key, app_update(), KIT)},
    )
    no_key = "update: this kit has no update key yet; it accepts only the key bootstrap"
    assert answers == {
        "bootstrap": {"files": 0, "key": True, "counter": None},
        "plain": {"error": no_key},
        "signed": {"error": no_key},
    }
    answers, _ = run_checks(tmp_path, public, {"bootstrap again": bootstrap})
    assert answers == {"bootstrap again": {"error": "update: kit/paths.py can only be changed over USB"}}
