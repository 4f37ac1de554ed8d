"""Sensirion SHT3x and SHT4x temperature/humidity sensors on I2C (0x44 default, SHT3x also 0x45).

Answer: T_hi T_lo CRC RH_hi RH_lo CRC. T = -45 + 175 S/65535 for both; RH = 100 S/65535 on the SHT3x
and -6 + 125 S/65535 (clamped to 0..100) on the SHT4x (Sensirion datasheets; python-i2c-sht).
"""

import time

from kit.drivers import sensirion

MODELS = ("sht3x", "sht4x")
ADDR = 0x44
SHT3X_MEASURE = b"\x24\x00"  # single shot, high repeatability, no clock stretching: 15.5 ms max
SHT4X_MEASURE = b"\xfd"  # high precision: 8.3 ms max


def parse(data, model="sht3x"):
    """6 bytes -> {"t": degC, "rh": %}; ValueError on a wrong length or CRC."""
    if model not in MODELS:
        raise ValueError("sht: unknown model %r (known: %s)" % (model, ", ".join(MODELS)))
    if len(data) != 6:
        raise ValueError("sht: %d bytes, expected 6" % len(data))
    raw_t, raw_rh = sensirion.words(data, model)
    t = -45 + 175 * raw_t / 65535
    if model == "sht3x":
        rh = 100 * raw_rh / 65535
    else:
        rh = min(max(-6 + 125 * raw_rh / 65535, 0.0), 100.0)
    return {"t": t, "rh": rh}


class SHT:
    warmup_s = 0
    laser = False

    def __init__(self, i2c, model="sht3x", addr=ADDR):
        if model not in MODELS:
            raise ValueError("sht: unknown model %r" % model)
        self.i2c = i2c
        self.model = model
        self.name = model
        self.addr = addr

    def read(self):
        if self.model == "sht3x":
            self.i2c.writeto(self.addr, SHT3X_MEASURE)
            time.sleep_ms(20)
        else:
            self.i2c.writeto(self.addr, SHT4X_MEASURE)
            time.sleep_ms(10)
        return parse(self.i2c.readfrom(self.addr, 6), self.model)
