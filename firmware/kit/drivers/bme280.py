"""Bosch BME280 temperature, pressure and humidity on I2C (0x76, or 0x77 with SDO high).

compensate() uses the integer formulas of the BME280 datasheet (section 4.2.3, 64-bit pressure) with
arithmetic shifts as written there, so results are bit-exact on the ESP32's single-precision floats.
Calibration (all little-endian): T1 u16 @0x88, T2 T3 s16, P1 u16 @0x8E, P2..P9 s16, H1 u8 @0xA1;
H2 s16 @0xE1, H3 u8 @0xE3, H4 = (s8)E4*16 | E5[3:0], H5 = (s8)E6*16 | E5[7:4], H6 s8 @0xE7.
"""

import struct
import time

CHIP_ID = 0x60
ADDR = 0x76
REG_ID, REG_CTRL_HUM, REG_STATUS, REG_CTRL_MEAS, REG_CONFIG = 0xD0, 0xF2, 0xF3, 0xF4, 0xF5
REG_CALIB, REG_CALIB_H, REG_DATA = 0x88, 0xE1, 0xF7
# Forced mode, 1x oversampling for T, P and H, no filter: Bosch's weather-monitoring setting.
CTRL_HUM = 0x01
CTRL_MEAS = (1 << 5) | (1 << 2) | 0x01


def _trunc_div(a, b):
    """C integer division (toward zero); Python's // rounds toward minus infinity."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def calibration(calib, calib_h):
    if len(calib) != 26 or len(calib_h) != 7:
        raise ValueError("bme280: calibration must be 26 + 7 bytes, got %d + %d" % (len(calib), len(calib_h)))
    c = struct.unpack("<HhhHhhhhhhhhxB", calib)
    h2, h3, e4, e5, e6, h6 = struct.unpack("<hBbBbb", calib_h)
    return c + (h2, h3, (e4 * 16) | (e5 & 0x0F), (e6 * 16) | (e5 >> 4), h6)


def compensate(calib, calib_h, adc):
    """Raw registers -> {"t": degC, "p": hPa, "rh": %}; ValueError on wrong lengths."""
    if len(adc) != 8:
        raise ValueError("bme280: data must be 8 bytes (0xF7..0xFE), got %d" % len(adc))
    t1, t2, t3, p1, p2, p3, p4, p5, p6, p7, p8, p9, h1, h2, h3, h4, h5, h6 = calibration(calib, calib_h)
    adc_p = (adc[0] << 12) | (adc[1] << 4) | (adc[2] >> 4)
    adc_t = (adc[3] << 12) | (adc[4] << 4) | (adc[5] >> 4)
    adc_h = (adc[6] << 8) | adc[7]

    v1 = (((adc_t >> 3) - (t1 << 1)) * t2) >> 11
    v2 = (((((adc_t >> 4) - t1) * ((adc_t >> 4) - t1)) >> 12) * t3) >> 14
    t_fine = v1 + v2
    temp = (t_fine * 5 + 128) >> 8  # 0.01 degC

    v1 = t_fine - 128000
    v2 = v1 * v1 * p6 + ((v1 * p5) << 17) + (p4 << 35)
    v1 = ((v1 * v1 * p3) >> 8) + ((v1 * p2) << 12)
    v1 = (((1 << 47) + v1) * p1) >> 33
    if v1 == 0:
        press = 0  # avoid a division by zero (datasheet)
    else:
        p = 1048576 - adc_p
        p = _trunc_div(((p << 31) - v2) * 3125, v1)
        v1 = (p9 * (p >> 13) * (p >> 13)) >> 25
        v2 = (p8 * p) >> 19
        press = ((p + v1 + v2) >> 8) + (p7 << 4)  # Q24.8 Pa

    v = t_fine - 76800
    v = ((((adc_h << 14) - (h4 << 20) - (h5 * v)) + 16384) >> 15) * (
        ((((((v * h6) >> 10) * (((v * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14
    )
    v -= (((v >> 15) * (v >> 15)) >> 7) * h1 >> 4
    v = min(max(v, 0), 419430400)
    hum = v >> 12  # Q22.10 %RH
    return {"t": temp / 100, "p": press / 25600, "rh": hum / 1024}


class BME280:
    name = "bme280"
    warmup_s = 0
    laser = False

    def __init__(self, i2c, addr=ADDR):
        self.i2c = i2c
        self.addr = addr
        chip = self.i2c.readfrom_mem(addr, REG_ID, 1)[0]
        if chip != CHIP_ID:
            raise OSError("bme280: chip id 0x%02x at 0x%02x, expected 0x60 (a BMP280 has no humidity)" % (chip, addr))
        self.calib = bytes(self.i2c.readfrom_mem(addr, REG_CALIB, 26))
        self.calib_h = bytes(self.i2c.readfrom_mem(addr, REG_CALIB_H, 7))
        self.i2c.writeto_mem(addr, REG_CONFIG, b"\x00")

    def read(self):
        # ctrl_hum takes effect only after the next write to ctrl_meas, so write it first.
        self.i2c.writeto_mem(self.addr, REG_CTRL_HUM, bytes([CTRL_HUM]))
        self.i2c.writeto_mem(self.addr, REG_CTRL_MEAS, bytes([CTRL_MEAS]))
        for _ in range(10):  # 1x oversampling of T, P and H takes about 8 ms (datasheet 9.1)
            time.sleep_ms(5)
            if not self.i2c.readfrom_mem(self.addr, REG_STATUS, 1)[0] & 0x08:
                break
        else:
            raise OSError("bme280: measurement did not finish in 50 ms")
        return compensate(self.calib, self.calib_h, self.i2c.readfrom_mem(self.addr, REG_DATA, 8))
