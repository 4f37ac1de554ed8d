"""The build guide (docs/build/, English and Dutch) names exactly what the firmware supports: one source of truth.

Sensor names, bus and supply come from firmware/kit/sensors.py; pins and I2C addresses from the defaults in
firmware/kit/config.py; the set-up button's timing from firmware/kit/setup.py and kit/app.py."""

import re
from pathlib import Path

import pytest

from ijlucht.flash import firmware_module

BUILD = Path(__file__).resolve().parents[2] / "docs" / "build"
# A fixed list, not a glob: a missing guide fails every test below instead of leaving them without parameters.
GUIDES = [BUILD / "en.md", BUILD / "nl.md"]
sensors, config, setup = (firmware_module(m) for m in ("sensors", "config", "setup"))
PIN_KEYS = ("uart_tx", "uart_rx", "i2c_scl", "i2c_sda")
ADDRESS_KEYS = ("sht_addr", "bme280_addr")


def app_constant(name: str) -> int:
    """A constant of kit/app.py (which imports `machine`, so it is read, not imported, on CPython)."""
    source = (Path(__file__).resolve().parents[2] / "firmware" / "kit" / "app.py").read_text()
    return eval(re.search(rf"^{name} = (.+?)(?:  #.*)?$", source, re.M).group(1))


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]


def test_there_is_a_guide_in_english_and_in_dutch() -> None:
    assert sorted(g.name for g in BUILD.glob("??.md")) == ["en.md", "nl.md"]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_the_sensor_table_is_the_firmwares_list_with_its_bus_and_supply(guide: Path) -> None:
    rows = [r for r in table_rows(guide.read_text()) if re.fullmatch(r"`[a-z0-9_]+`", r[0]) and len(r) == 5]
    named = {r[0].strip("`"): r for r in rows}
    assert set(named) == set(sensors.HARDWARE)
    for name, (_, _, bus, supply, _) in named.items():
        assert bus == ("UART" if name in sensors.UART else "I2C"), name
        assert supply.replace(",", ".") == ("5 V" if name in sensors.SUPPLY_5V else "3.3 V"), name


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_sensor_name_and_combination_in_the_guide_is_one_the_firmware_takes(guide: Path) -> None:
    text = guide.read_text()
    words = set(re.findall(r"`([a-z0-9_]+)`", text)) - set(PIN_KEYS + ADDRESS_KEYS)
    looks_like_sensor = {w for w in words if re.match(r"(pms|sds|sps|sht|bme|bmp)", w)}
    assert looks_like_sensor == set(sensors.HARDWARE)
    combinations = [r[0] for r in table_rows(text) if r[0].startswith("`") and (" + " in r[0] or r[0] == "`pms5003t`")]
    assert len(combinations) >= 5
    for combination in combinations:
        config.check_sensors([n.strip("` ") for n in combination.split("+")], hardware_only=True)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_pin_and_address_in_the_guide_is_the_firmwares_default(guide: Path) -> None:
    text = guide.read_text()
    for key in PIN_KEYS:
        rows = [r for r in table_rows(text) if r[-1] == f"`{key}`"]
        assert rows and all(r[1] == f"GPIO{config.default(key)}" for r in rows), key
    for key in ADDRESS_KEYS:
        rows = [r for r in table_rows(text) if r[-1] == f"`{key}`"]
        assert rows and all(r[1] == f"0x{config.default(key):02x}" for r in rows), key
    named_gpios = {int(n) for n in re.findall(r"GPIO(\d+)", text)}
    assert named_gpios == {config.default(k) for k in PIN_KEYS} | {setup.BUTTON_PIN}


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_the_set_up_button_is_pressed_after_power_up_with_the_firmwares_timing(guide: Path) -> None:
    text = guide.read_text()
    assert f"{setup.PRESS_WINDOW_MS // 1000} s" in text and f"{setup.HOLD_MS // 1000} s" in text
    assert f"{app_constant('SETUP_AFTER_WIFI_FAIL_MS') // 60000} min" in text and "GPIO0" in text


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_siting_rules_name_their_source(guide: Path) -> None:
    text = guide.read_text()
    assert "2008/50/" in text and "III" in text and "Sensor.Community" in text
    for fact in ("1,5" if guide.name == "nl.md" else "1.5", "270°", "0,5" if guide.name == "nl.md" else "0.5", "25 m"):
        assert fact in text, fact
