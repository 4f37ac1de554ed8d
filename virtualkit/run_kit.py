"""Run the real kit firmware under the MicroPython unix port with simulated hardware.

    micropython virtualkit/run_kit.py <kit_dir>
    micropython virtualkit/run_kit.py --flashed <folder staged by ijlucht-flash>

<kit_dir> holds config.json (and the replay series, and update_key.py, the public key updates are checked
against); the kit's boot counter, crash file and flash queue go there too. Like a device's flash, <kit_dir>/fw
holds the kit's own copy of the firmware (made from firmware/ at the first start, with update_key.py), so an
update over MQTT changes this kit only. virtualkit/board comes first on sys.path,
so `import machine` finds the stand-in, then <kit_dir>/fw.
"""

import os
import sys


def _absolute(path):
    return path if path.startswith("/") else os.getcwd() + "/" + path


def _parent(path):
    cut = path.rstrip("/").rfind("/")
    return path[:cut] if cut > 0 else "/"


def _is_dir(path):
    try:
        return os.stat(path)[0] & 0x4000 != 0
    except OSError:
        return False


def _copy_tree(src, dst):
    """Copy the .py files of src into dst (the virtual kit's 'flashing')."""
    os.mkdir(dst)
    for name in os.listdir(src):
        if _is_dir(src + "/" + name):
            if name != "__pycache__":
                _copy_tree(src + "/" + name, dst + "/" + name)
        elif name.endswith(".py"):
            _copy_file(src + "/" + name, dst + "/" + name)


def _copy_file(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(data)


def _flash(firmware, fw, key_file):
    """Give the kit its own firmware copy once (with its update key, if it has one), made under a temporary name
    so a kill leaves no half copy."""
    if _is_dir(fw):
        return
    tmp = fw + ".tmp"
    if _is_dir(tmp):
        _remove_tree(tmp)
    _copy_tree(firmware, tmp)
    try:  # noqa: SIM105  (MicroPython has no contextlib)
        _copy_file(key_file, tmp + "/update_key.py")
    except OSError:
        pass  # no key: a kit as flashed before signed updates
    os.rename(tmp, fw)


def _remove_tree(path):
    for name in os.listdir(path):
        if _is_dir(path + "/" + name):
            _remove_tree(path + "/" + name)
        else:
            os.remove(path + "/" + name)
    os.rmdir(path)


def boot_flashed(here, root):
    """Boot from a folder laid out as an ESP32's flash (what `ijlucht-flash stage` writes): code, config.json,
    update_key.py and the kit's own files all in `root`, as on the device."""
    sys.path[:] = [here + "/board", root] + [p for p in sys.path if p != here]
    if "machine" in sys.modules:
        del sys.modules["machine"]
    os.chdir(root)  # the device's working folder is its root: ca.pem is found there
    import main as firmware_main

    firmware_main.start(
        root + "/config.json", root + "/crash.txt", reset_delay_s=1, app_root=root + "/", button_window_ms=0
    )


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--flashed":
        boot_flashed(_parent(_absolute(__file__)), _absolute(sys.argv[2]).rstrip("/"))
        return
    if len(sys.argv) != 2:
        print("usage: micropython run_kit.py <kit_dir> | --flashed <staged folder>")
        sys.exit(2)
    here = _parent(_absolute(__file__))
    kit_dir = _absolute(sys.argv[1])
    # The script's own folder (sys.path[0]) holds CPython helpers: keep it off the firmware's path.
    fw = kit_dir + "/fw"
    _flash(_parent(here) + "/firmware", fw, kit_dir + "/update_key.py")
    sys.path[:] = [here + "/board", fw] + [p for p in sys.path if p != here]
    if "machine" in sys.modules:
        del sys.modules["machine"]
    os.chdir(kit_dir)  # relative paths in config.json (replay_file) are relative to the kit folder
    import main as firmware_main

    # Nobody presses a virtual kit's button: no pause for it at start-up.
    firmware_main.start(
        kit_dir + "/config.json", kit_dir + "/crash.txt", reset_delay_s=1, app_root=fw + "/", button_window_ms=0
    )


main()
