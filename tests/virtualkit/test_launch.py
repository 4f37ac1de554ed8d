"""A virtual kit's folder is written as the flash tool writes a kit: the password-holding config owner-only,
and a set-up password kept across re-writes (the label of a real kit stays right across re-flashes)."""

import json
import stat
from pathlib import Path

from virtualkit.launch import SETUP_PASSWORD, write_kit_dir

CONFIG = {"kit_id": "vk-label", "mqtt_host": "h", "mqtt_password": "secret-1", "wifi_ssid": "w", "sensors": ["replay"]}


def test_config_is_owner_only_and_the_set_up_password_survives_a_rewrite(tmp_path: Path) -> None:
    kit_dir = write_kit_dir(tmp_path / "kit", CONFIG, [(0, 1, 2, 3, 4, 5, 1000)])
    assert stat.S_IMODE((kit_dir / "config.json").stat().st_mode) == 0o600
    assert json.loads((kit_dir / "config.json").read_text())["mqtt_password"] == "secret-1"
    first = (kit_dir / SETUP_PASSWORD).read_text()
    assert len(first.strip()) == 16 and stat.S_IMODE((kit_dir / SETUP_PASSWORD).stat().st_mode) == 0o600
    write_kit_dir(kit_dir, CONFIG | {"mqtt_password": "secret-2"}, [(0, 1, 2, 3, 4, 5, 1000)])
    assert (kit_dir / SETUP_PASSWORD).read_text() == first
    assert json.loads((kit_dir / "config.json").read_text())["mqtt_password"] == "secret-2"
