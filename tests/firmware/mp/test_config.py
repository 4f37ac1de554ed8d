import json

import mptest
from kit import config

MINIMAL = {
    "kit_id": "bev-042",
    "mqtt_host": "mqtt.example.nl",
    "mqtt_password": "s3cret",
    "wifi_ssid": "home",
    "sensors": ["replay"],
}


def with_(**changes):
    cfg = dict(MINIMAL)
    cfg.update(changes)
    return cfg


def without(key):
    cfg = dict(MINIMAL)
    del cfg[key]
    return cfg


def test_minimal_config_gets_defaults():
    cfg = config.validate(MINIMAL)
    assert cfg["interval"] == 60 and cfg["keepalive"] == 60 and cfg["batch_max"] == 60
    assert cfg["tls"] is False and cfg["mqtt_port"] == 1883 and cfg["mqtt_user"] == "bev-042"
    assert cfg["wifi_password"] == ""


def test_tls_defaults_to_port_8883():
    assert config.validate(with_(tls=True))["mqtt_port"] == 8883


def test_unknown_keys_are_kept_for_sensors():
    assert config.validate(with_(replay_file="s.csv"))["replay_file"] == "s.csv"


def test_missing_required_field_names_the_field():
    for key in ("kit_id", "mqtt_host", "mqtt_password", "wifi_ssid", "sensors"):
        exc = mptest.raises(ValueError, config.validate, without(key))
        assert key in str(exc), str(exc)


def test_wrong_types_are_rejected_with_the_field_name():
    for key, value in (
        ("interval", "60"),
        ("interval", True),
        ("tls", 1),
        ("sensors", "replay"),
        ("mqtt_port", 18.5),
        ("kit_id", 42),
    ):
        exc = mptest.raises(ValueError, config.validate, with_(**{key: value}))
        assert key in str(exc), str(exc)


def test_out_of_range_numbers_are_rejected():
    for key, value in (("interval", 0), ("batch_max", 0), ("batch_max", 1001), ("mqtt_port", 70000), ("keepalive", 5)):
        exc = mptest.raises(ValueError, config.validate, with_(**{key: value}))
        assert key in str(exc), str(exc)


def test_kit_id_must_follow_the_contract_and_match_the_user():
    assert "kit_id" in str(mptest.raises(ValueError, config.validate, with_(kit_id="Bev_1")))
    assert "kit_id" in str(mptest.raises(ValueError, config.validate, with_(kit_id="-ab")))
    assert "mqtt_user" in str(mptest.raises(ValueError, config.validate, with_(mqtt_user="ingest")))


def test_host_and_wifi_fields_are_checked_against_what_they_can_be():
    for change, why in (
        ({"mqtt_host": "https://mqtt.ijlucht.nl"}, "'mqtt_host' must be a host name"),
        ({"mqtt_host": "mqtt ijlucht"}, "'mqtt_host' must be a host name"),
        ({"wifi_ssid": "x" * 33}, "32 bytes"),
    ):
        raw = dict(MINIMAL)
        raw.update(change)
        assert why in str(mptest.raises(ValueError, config.validate, raw)), change
    ok = dict(MINIMAL)
    ok.update({"mqtt_host": "192.168.1.10", "wifi_password": "", "wifi_ssid": "Thuis 5G"})
    assert config.validate(ok)["mqtt_host"] == "192.168.1.10"


def test_empty_sensor_list_is_rejected():
    assert "sensors" in str(mptest.raises(ValueError, config.validate, with_(sensors=[])))


def test_load_reports_missing_file_and_bad_json():
    assert "cannot read" in str(mptest.raises(ValueError, config.load, "/nonexistent/config.json"))
    path = mptest.temp_path("config.json")
    with open(path, "w") as f:
        f.write("{not json")
    assert "not valid JSON" in str(mptest.raises(ValueError, config.load, path))
    with open(path, "w") as f:
        f.write(json.dumps(MINIMAL))
    assert config.load(path)["kit_id"] == "bev-042"


def test_state_files_live_next_to_the_config():
    assert config.state_path("/config.json", "boot_count") == "/boot_count"
    assert config.state_path("kits/a/config.json", "boot_count") == "kits/a/boot_count"
    assert config.state_path("config.json", "boot_count") == "boot_count"


mptest.run(globals())
