"""The drivers' pure parsers under CPython (the same vectors as the MicroPython scripts in mp/)."""

import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_PATHS = [str(ROOT / "firmware"), str(ROOT / "tests" / "firmware" / "mp")]
sys.path[:0] = _PATHS
try:
    import vectors as v
    from kit.drivers import bme280, pms5003, sds011, sensirion, sht, sps30
    from kit.sampling import median, robust_average
finally:
    for _p in _PATHS:
        sys.path.remove(_p)


def test_pms_frame_parses_on_cpython():
    assert pms5003.parse(v.PMS_FRAME) == v.PMS_EXPECTED
    t = pms5003.parse(v.PMS5003T_FRAME, variant="pms5003t")
    assert t["t"] == pytest.approx(-3.5) and t["rh"] == pytest.approx(81.2)


def test_pms_bad_checksum_raises_value_error():
    bad = bytearray(v.PMS_FRAME)
    bad[-1] ^= 0x10
    with pytest.raises(ValueError, match="checksum"):
        pms5003.parse(bytes(bad))


def test_sds011_frame_and_commands_on_cpython():
    assert sds011.parse(v.SDS_FRAME) == pytest.approx({"pm25": 123.6, "pm10": 261.8})
    assert sds011.SLEEP == v.SDS_SLEEP and sds011.working_period(5) == v.SDS_PERIOD_5
    with pytest.raises(ValueError, match="not a data frame"):
        sds011.parse(v.SDS_REPLY)


def test_sps30_uart_and_i2c_give_the_same_values():
    uart = sps30.parse_uart(v.SPS_UART_VALUES_FRAME)
    i2c = sps30.parse_i2c(v.SPS_I2C_VALUES)
    assert uart == i2c == pytest.approx(dict(zip(sps30.KEYS, v.SPS_VALUES, strict=True)))
    assert sps30.mosi_frame(0x7D, b"\x11\x12\x13\x14", adr=0x7E) == v.SHDLC_MOSI_STUFFED


def test_sps30_stuffing_round_trips_every_byte_value():
    data = bytes(range(256))
    assert sps30.unstuff(sps30.stuff(data)) == data
    assert 0x7E not in sps30.stuff(data)


@pytest.mark.parametrize(("word", "crc"), v.CRC_VECTORS)
def test_sensirion_crc8_vectors(word: str, crc: int) -> None:
    assert sensirion.crc8(v.h(word)) == crc


def test_sht_vectors_on_cpython():
    assert sht.parse(v.SHT_FRAME, "sht3x") == pytest.approx({"t": 25.0027, "rh": 37.0016}, abs=1e-4)
    assert sht.parse(v.SHT_FRAME, "sht4x") == pytest.approx({"t": 25.0027, "rh": 40.2520}, abs=1e-4)


def _bosch_double(t, p, h, adc_t, adc_p, adc_h):
    """Bosch's floating-point compensation (BME280 datasheet 8.1), for comparison with the integer path."""
    t1, t2, t3 = t
    p1, p2, p3, p4, p5, p6, p7, p8, p9 = p
    h1, h2, h3, h4, h5, h6 = h
    v1 = (adc_t / 16384.0 - t1 / 1024.0) * t2
    v2 = ((adc_t / 131072.0 - t1 / 8192.0) ** 2) * t3
    t_fine = int(v1 + v2)
    v1 = t_fine / 2.0 - 64000.0
    v2 = v1 * v1 * p6 / 32768.0 + v1 * p5 * 2.0
    v2 = v2 / 4.0 + p4 * 65536.0
    v1 = (p3 * v1 * v1 / 524288.0 + p2 * v1) / 524288.0
    v1 = (1.0 + v1 / 32768.0) * p1
    press = 1048576.0 - adc_p
    press = (press - v2 / 4096.0) * 6250.0 / v1
    v1 = p9 * press * press / 2147483648.0
    v2 = press * p8 / 32768.0
    press = press + (v1 + v2 + p7) / 16.0
    hv = t_fine - 76800.0
    hv = (adc_h - (h4 * 64.0 + h5 / 16384.0 * hv)) * (
        h2 / 65536.0 * (1.0 + h6 / 67108864.0 * hv * (1.0 + h3 / 67108864.0 * hv))
    )
    hv = hv * (1.0 - h1 * hv / 524288.0)
    return {"t": t_fine * 5 / 25600, "p": press / 100, "rh": min(max(hv, 0.0), 100.0)}


def test_bme280_integer_path_matches_the_datasheet_and_bosch_double_formulas():
    h1, h2, h3, h4, h5, h6 = v.BME_H
    calib = struct.pack("<HhhHhhhhhhhh", *(v.BME_T + v.BME_P)) + b"\x00" + bytes([h1])
    calib_h = struct.pack("<hBBBBb", h2, h3, h4 >> 4, ((h5 & 0xF) << 4) | (h4 & 0xF), h5 >> 4, h6)
    a_p, a_t = v.BME_ADC_P, v.BME_ADC_T
    adc = bytes([a_p >> 12, (a_p >> 4) & 0xFF, (a_p & 0xF) << 4, a_t >> 12, (a_t >> 4) & 0xFF, (a_t & 0xF) << 4])
    out = bme280.compensate(calib, calib_h, adc + struct.pack(">H", v.BME_ADC_H))
    assert out["t"] == 25.08 and out["p"] == v.BME_EXPECTED_P_HPA
    ref = _bosch_double(v.BME_T, v.BME_P, v.BME_H, a_t, a_p, v.BME_ADC_H)
    assert out["p"] == pytest.approx(ref["p"], abs=0.01)
    assert out["rh"] == pytest.approx(ref["rh"], abs=0.01)


def test_median_and_robust_average_ignore_one_wild_sample():
    assert median([3, 1, 2]) == 2 and median([4, 1, 3, 2]) == 2.5
    samples = [{"pm25": 10.0, "rh": 80.0}, {"pm25": 11.0}, {"pm25": 900.0, "rh": 81.0}, {"pm25": 12.0, "rh": None}]
    assert robust_average(samples) == {"pm25": 11.5, "rh": 80.5}
