"""The firmware's copy of contract v1 agrees with the platform's (ijlucht/contract.py, ijlucht/quantities.py)."""

import ast
import importlib.util
from pathlib import Path

import pytest

from ijlucht import contract, quantities

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
NAMES = (
    "VERSION",
    "TOPIC_ROOT",
    "READINGS",
    "STATUS",
    "INFO",
    "CMD",
    "STATUS_ONLINE",
    "STATUS_OFFLINE",
    "MAX_READINGS_PER_MESSAGE",
)


def firmware_contract():
    spec = importlib.util.spec_from_file_location("firmware_contract", FIRMWARE / "kit" / "contract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_constant_has_the_same_value_on_device_and_platform(name: str) -> None:
    assert getattr(firmware_contract(), name) == getattr(contract, name)


def test_quantity_keys_are_the_catalogue_keys_in_order():
    assert firmware_contract().QUANTITY_KEYS == quantities.KEYS


def test_kit_topic_is_built_the_same_way():
    assert firmware_contract().topic("bev-042", "status") == contract.topic("bev-042", contract.STATUS)


@pytest.mark.parametrize(
    "kit_id",
    [
        "bev-042",
        "wijkaanzee-3",
        "abc",
        "a" * 32,
        "a" * 33,
        "ab",
        "-ab",
        "Bev-1",
        "bev_1",
        "bev 1",
        "0ab",
        "",
        "bev-01\n",
    ],
)
def test_kit_id_rule_agrees(kit_id: str) -> None:
    assert firmware_contract().is_valid_kit_id(kit_id) == contract.is_valid_kit_id(kit_id)


def test_firmware_version_is_written_in_one_place():
    tree = ast.parse((FIRMWARE / "kit" / "__init__.py").read_text())
    versions = [n.value.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "FW_VERSION"]
    assert versions == ["0.2.0"]
    holders = [p.relative_to(FIRMWARE).as_posix() for p in FIRMWARE.rglob("*.py") if '"0.2.0"' in p.read_text()]
    assert holders == ["kit/__init__.py"]


def test_the_version_file_accepts_exactly_the_versions_a_signed_update_may_carry() -> None:
    from ijlucht.flash import firmware_module

    assert set(firmware_module("version")._CHARS) == set(firmware_module("manifest").VERSION_CHARS)
