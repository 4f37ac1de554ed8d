"""Fixtures for the firmware tests; tests/firmware/mp holds MicroPython scripts (run by test_mp_scripts.py)."""

import subprocess
from collections.abc import Iterator

import pytest

from ijlucht.settings import PlatformSettings
from tests.firmware.kitbroker import Broker

collect_ignore = ["mp"]


@pytest.fixture(scope="module")
def broker(settings: PlatformSettings) -> Broker:
    """The session's private Mosquitto (tests/conftest.py), used with kit accounts of this module's own."""
    return Broker(settings)


@pytest.fixture
def kits() -> Iterator[list[subprocess.Popen]]:
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
