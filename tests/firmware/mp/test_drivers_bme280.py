import struct

import mptest
import vectors as v
from fakebus import FakeI2C
from kit.drivers import bme280


def calib_bytes():
    return struct.pack("<HhhHhhhhhhhh", *(v.BME_T + v.BME_P)) + b"\x00" + bytes([v.BME_H[0]])


def calib_h_bytes():
    _h1, h2, h3, h4, h5, h6 = v.BME_H
    # E4 = H4[11:4], E5 = H5[3:0] << 4 | H4[3:0], E6 = H5[11:4] (datasheet table 16)
    return struct.pack("<hBBBBb", h2, h3, (h4 >> 4) & 0xFF, ((h5 & 0x0F) << 4) | (h4 & 0x0F), (h5 >> 4) & 0xFF, h6)


def adc_bytes(adc_p=v.BME_ADC_P, adc_t=v.BME_ADC_T, adc_h=v.BME_ADC_H):
    return bytes(
        [adc_p >> 12, (adc_p >> 4) & 0xFF, (adc_p & 0x0F) << 4, adc_t >> 12, (adc_t >> 4) & 0xFF, (adc_t & 0x0F) << 4]
    ) + struct.pack(">H", adc_h)


def test_calibration_unpacks_the_split_humidity_nibbles():
    cal = bme280.calibration(calib_bytes(), calib_h_bytes())
    assert cal[:12] == v.BME_T + v.BME_P
    assert cal[12:] == v.BME_H


def test_datasheet_example_gives_the_integer_temperature_and_pressure():
    out = bme280.compensate(calib_bytes(), calib_h_bytes(), adc_bytes())
    assert out["t"] == 25.08
    mptest.approx(out["p"], v.BME_EXPECTED_P_HPA, 1e-9)
    assert 0 < out["rh"] < 100


def test_humidity_is_clamped_at_100():
    out = bme280.compensate(calib_bytes(), calib_h_bytes(), adc_bytes(adc_h=65535))
    assert out["rh"] == 100.0


def test_wrong_lengths_are_rejected():
    mptest.raises(ValueError, bme280.compensate, calib_bytes()[:25], calib_h_bytes(), adc_bytes())
    mptest.raises(ValueError, bme280.compensate, calib_bytes(), calib_h_bytes(), adc_bytes()[:7])


def test_driver_checks_the_chip_id_and_reads_in_forced_mode():
    regs = {0xD0: b"\x60", 0x88: calib_bytes(), 0xE1: calib_h_bytes(), 0xF7: adc_bytes(), 0xF3: b"\x00"}
    i2c = FakeI2C(regs)
    out = bme280.BME280(i2c).read()
    assert out["t"] == 25.08
    assert (0x76, 0xF2, b"\x01") in i2c.writes and (0x76, 0xF4, b"\x25") in i2c.writes
    assert i2c.writes.index((0x76, 0xF2, b"\x01")) < i2c.writes.index((0x76, 0xF4, b"\x25"))


def test_a_bmp280_is_refused():
    assert "0x58" in str(mptest.raises(OSError, bme280.BME280, FakeI2C({0xD0: b"\x58"})))


mptest.run(globals())
