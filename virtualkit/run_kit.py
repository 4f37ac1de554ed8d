"""Run the real kit firmware under the MicroPython unix port with simulated hardware.

    micropython virtualkit/run_kit.py <kit_dir>

<kit_dir> holds config.json (and the replay series); the kit's boot counter and crash file go there too.
virtualkit/board comes first on sys.path, so `import machine` finds the stand-in, then firmware/.
"""

import os
import sys


def _absolute(path):
    return path if path.startswith("/") else os.getcwd() + "/" + path


def _parent(path):
    cut = path.rstrip("/").rfind("/")
    return path[:cut] if cut > 0 else "/"


def main():
    if len(sys.argv) != 2:
        print("usage: micropython run_kit.py <kit_dir>")
        sys.exit(2)
    here = _parent(_absolute(__file__))
    kit_dir = _absolute(sys.argv[1])
    # The script's own folder (sys.path[0]) holds CPython helpers: keep it off the firmware's path.
    sys.path[:] = [here + "/board", _parent(here) + "/firmware"] + [p for p in sys.path if p != here]
    if "machine" in sys.modules:
        del sys.modules["machine"]
    os.chdir(kit_dir)  # relative paths in config.json (replay_file) are relative to the kit folder
    import main as firmware_main

    firmware_main.start(kit_dir + "/config.json", kit_dir + "/crash.txt", reset_delay_s=1)


main()
