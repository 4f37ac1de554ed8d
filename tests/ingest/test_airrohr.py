import json

import pytest

from ingest.airrohr import convert

NOW = 1_764_355_200.0


def push(*values, **top):
    return json.dumps(
        {
            "software_version": "NRZ-2024-135",
            **top,
            "sensordatavalues": [{"value_type": t, "value": v} for t, v in values],
        }
    ).encode()


def test_sds011_and_bme280_push_becomes_one_v1_reading_timestamped_on_arrival():
    c = convert(
        push(
            ("SDS_P1", "12.40"),
            ("SDS_P2", "7.10"),
            ("BME280_temperature", "9.80"),
            ("BME280_humidity", "81.20"),
            ("BME280_pressure", "101320.00"),
            ("signal", "-67"),
        ),
        NOW,
    )
    assert c.message["v"] == 1 and c.firmware == "NRZ-2024-135"
    assert c.message["readings"] == [{"ts": int(NOW), "pm10": 12.4, "pm25": 7.1, "t": 9.8, "rh": 81.2, "p": 1013.2}]
    assert c.ignored == ["signal"]


def test_plain_and_dht22_value_types_are_understood():
    c = convert(push(("P1", "20"), ("P2", "10"), ("temperature", "4.5"), ("humidity", "99.9")), NOW)
    assert c.message["readings"][0] == {"ts": int(NOW), "pm10": 20.0, "pm25": 10.0, "t": 4.5, "rh": 99.9}


def test_with_two_pm_sensors_the_better_one_wins():
    c = convert(push(("SDS_P2", "9.0"), ("SPS30_P2", "7.0"), ("SPS30_P0", "5.0"), ("SPS30_P4", "8.0")), NOW)
    r = c.message["readings"][0]
    assert r["pm25"] == 7.0 and r["pm1"] == 5.0 and "SPS30_P4" in c.ignored


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b'{"x": 1}', "'sensordatavalues' list"),
        (push(("SDS_P1", "lots")), "is not a number"),
        (push(("signal", "-60")), "no PM, temperature"),
        (json.dumps({"sensordatavalues": [{"value": "1"}]}).encode(), "'value_type' string"),
        (b"{" * 20000, "more than"),
    ],
)
def test_bad_pushes_are_refused_with_a_reason(body, reason):
    with pytest.raises(ValueError, match=reason):
        convert(body, NOW)
