# ruff: noqa: UP031, SIM105  (MicroPython script: no contextlib, %-formatting as in the firmware)
"""A tiny test runner for MicroPython scripts (the unix port has no unittest).

A script imports this module (which puts firmware/ and virtualkit/board/ on sys.path), defines test_*
functions and ends with mptest.run(globals()). Exit code 1 when a test fails.
"""

import os
import sys
import time


def _parent(path):
    cut = path.rstrip("/").rfind("/")
    return path[:cut] if cut > 0 else "."


_ROOT = _parent(_parent(_parent(_parent(__file__))))
sys.path.insert(1, _ROOT + "/firmware")
sys.path.insert(1, _ROOT + "/virtualkit/board")

ROOT = _ROOT


_temp_files = []


def temp_path(stem):
    """A fresh file name under /tmp, removed when the script's tests have run."""
    path = "/tmp/ijlucht-mp-%s-%d" % (stem, time.ticks_us())
    _temp_files.append(path)
    return path


def temp_dir(stem):
    """A fresh, empty folder under /tmp, removed with its files when the script's tests have run."""
    path = temp_path(stem)
    os.mkdir(path)
    return path


def _remove(path):
    try:
        names = os.listdir(path)
    except OSError:
        names = None
    if names is None:
        os.remove(path)
        return
    for name in names:
        _remove(path + "/" + name)
    os.rmdir(path)


def raises(exc_type, fn, *args, **kwargs):
    """The exception fn(*args, **kwargs) raised; AssertionError when it raised none of exc_type."""
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("%s did not raise %s" % (getattr(fn, "__name__", fn), exc_type.__name__))


def approx(a, b, tol=1e-6):
    assert abs(a - b) <= tol, "%r != %r (tolerance %r)" % (a, b, tol)


def run(namespace):
    names = sorted(name for name in namespace if name.startswith("test_"))
    failed = []
    for name in names:
        try:
            namespace[name]()
            print("PASS", name)
        except Exception as exc:
            failed.append(name)
            print("FAIL", name)
            sys.print_exception(exc)
    for path in _temp_files:
        try:
            _remove(path)
        except OSError:
            pass
    print("%d passed, %d failed" % (len(names) - len(failed), len(failed)))
    if not names:
        print("no tests found")
        sys.exit(1)
    sys.exit(1 if failed else 0)
