# ruff: noqa: UP031  (MicroPython script: %-formatting as in the firmware)
import binascii
import hashlib
import os

import mptest
from kit import update


def entry(path, text, sha=None):
    data = text.encode()
    digest = sha or binascii.hexlify(hashlib.sha256(data).digest()).decode()
    return {"path": path, "sha256": digest, "data": binascii.b2a_base64(data).decode().strip()}


def app_root():
    root = mptest.temp_dir("root") + "/"
    os.mkdir(root + "kit")
    with open(root + "kit/app.py", "w") as f:
        f.write("old app")
    return root


def read(path):
    with open(path) as f:
        return f.read()


def test_wrong_sha256_changes_nothing():
    root = app_root()
    files = [entry("kit/new.py", "fine"), entry("kit/app.py", "new app", sha="00" * 32)]
    exc = mptest.raises(ValueError, update.install, root, files, "9.9")
    assert "sha256 of kit/app.py" in str(exc)
    assert read(root + "kit/app.py") == "old app" and sorted(os.listdir(root + "kit")) == ["app.py"]
    assert update.read_manifest(root) is None


def test_protected_and_unsafe_paths_are_refused():
    for path in ("main.py", "kit/update.py", "/kit/app.py", "../x.py", "config.json", "kit/notes.txt"):
        mptest.raises(ValueError, update.verify, [entry(path, "x")])


def test_paths_are_normalised_before_the_protected_check():
    usb_only = {
        "./main.py": "main.py",
        "kit/./update.py": "kit/update.py",
        "kit/update.mpy": "kit/update.mpy",
        "kit//update.py": "kit/update.py",
        "kit/update/__init__.py": "kit/update/__init__.py",
        "./kit/paths.mpy": "kit/paths.mpy",
        "update_key.py": "update_key.py",
        "boot.mpy": "boot.mpy",
    }
    for path, clean in usb_only.items():
        exc = mptest.raises(ValueError, update.verify, [entry(path, "x")])
        assert str(exc) == "update: %s can only be changed over USB" % clean, str(exc)
    refused = {
        "../x.py": "('..')",
        "kit/../main.py": "('..')",
        "/main.py": "(absolute, or a backslash)",
        "kit\\update.py": "(absolute, or a backslash)",
        "KIT/UPDATE.PY": "(names are a-z 0-9 _ - . only)",
        "kit/app.py\n": "(names are a-z 0-9 _ - . only)",
    }
    for path, why in refused.items():
        exc = mptest.raises(ValueError, update.verify, [entry(path, "x")])
        assert str(exc) == "update: bad path %r %s" % (path, why), str(exc)


def test_a_path_given_twice_is_refused_before_anything_is_written():
    root = app_root()
    exc = mptest.raises(ValueError, update.install, root, [entry("kit/app.py", "a"), entry("kit//app.py", "b")], "1")
    assert str(exc) == "update: kit/app.py appears twice"
    assert read(root + "kit/app.py") == "old app" and sorted(os.listdir(root + "kit")) == ["app.py"]


def test_a_normalised_path_is_written_at_its_normal_place():
    root = app_root()
    update.install(root, [entry("./kit//app.py", "new app")], "0.3.3")
    assert read(root + "kit/app.py") == "new app" and update.read_manifest(root)["files"] == ["kit/app.py", "version"]


def test_update_then_confirm_keeps_the_new_files():
    root = app_root()
    update.install(root, [entry("kit/app.py", "new app"), entry("kit/extra.py", "extra")], "0.3.0")
    assert read(root + "kit/app.py") == "new app" and read(root + "kit/app.py.bak") == "old app"
    assert update.boot_check(root) == "trial"
    assert update.confirm(root) == "0.3.0"
    assert sorted(os.listdir(root + "kit")) == ["app.py", "extra.py"] and update.read_manifest(root) is None
    assert "version.bak" not in os.listdir(root)
    assert update.boot_check(root) is None


def test_the_version_file_comes_and_goes_with_the_update_so_the_kit_reports_what_it_runs():
    from kit import FW_VERSION, version

    root = app_root()
    assert version.running(root) == FW_VERSION  # as flashed
    update.install(root, [entry("kit/app.py", "new app")], "0.3.5")
    assert version.running(root) == "0.3.5" and read(root + "version") == "0.3.5"
    assert update.boot_check(root) == "trial" and update.boot_check(root) == "rolled back"
    assert version.running(root) == FW_VERSION  # no version file before: none after the rollback
    update.install(root, [entry("kit/app.py", "new app")], "0.3.6")
    update.boot_check(root)
    assert update.confirm(root) == "0.3.6" and version.running(root) == "0.3.6"
    update.install(root, [entry("kit/app.py", "newer app")], "0.3.7")
    update.boot_check(root)
    update.boot_check(root)  # rolled back: the version before it comes back
    assert version.running(root) == "0.3.6" and read(root + "kit/app.py") == "new app"


def test_a_damaged_version_file_falls_back_to_the_flashed_version():
    from kit import FW_VERSION, version

    root = app_root()
    with open(root + "version", "w") as f:
        f.write("0.3 <script>\n")
    assert version.running(root) == FW_VERSION


def test_new_code_that_never_comes_up_is_rolled_back_on_the_next_boot():
    root = app_root()
    update.install(root, [entry("kit/app.py", "broken app"), entry("kit/extra.py", "extra")], "0.3.1")
    assert update.boot_check(root) == "trial"  # first boot with the new code: it crashes before confirm()
    assert update.boot_check(root) == "rolled back"
    assert read(root + "kit/app.py") == "old app" and sorted(os.listdir(root + "kit")) == ["app.py"]
    assert update.read_manifest(root) is None


def test_power_cut_in_the_middle_of_the_swap_is_rolled_back():
    root = app_root()
    update.install(root, [entry("kit/app.py", "new app")], "0.3.2")
    # Undo the last rename by hand, as if the power failed between the two renames.
    os.rename(root + "kit/app.py", root + "kit/app.py.new")
    assert update.boot_check(root) == "rolled back"
    assert read(root + "kit/app.py") == "old app" and sorted(os.listdir(root + "kit")) == ["app.py"]


def test_second_update_waits_for_the_first_to_be_confirmed():
    root = app_root()
    update.install(root, [entry("kit/app.py", "new app")], "0.4.0")
    assert "not confirmed" in str(mptest.raises(ValueError, update.install, root, [entry("kit/a.py", "a")], "0.5"))


mptest.run(globals())
