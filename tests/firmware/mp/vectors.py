"""Protocol test vectors shared by the MicroPython scripts and the CPython tests (import-safe on both).

Sources (see /work/shared/reference/sensor-protocols.md): Sensirion's official CRC and SHDLC vectors, the
SDS011 command table, the BMP280 datasheet compensation example; PMS frames were built by hand from the
Plantower frame layout with the values of the reference's example reading.
"""

import binascii


def h(text):
    return binascii.unhexlify(text.replace(" ", ""))


# PMS5003: CF=1 5/13/22, ATM 5/13/22, counts 765 252 29 15 6 6, reserved 97 00, checksum 0x03c5.
PMS_FRAME = h("424d001c0005000d00160005000d001602fd00fc001d000f00060006970003c5")
PMS_EXPECTED = {
    "pm1_cf1": 5,
    "pm25_cf1": 13,
    "pm10_cf1": 22,
    "pm1": 5,
    "pm25": 13,
    "pm10": 22,
    "n0_3": 765,
    "n0_5": 252,
    "n1_0": 29,
    "n2_5": 15,
    "n5_0": 6,
    "n10": 6,
}
# PMS5003T: the last two counts replaced by t = -3.5 degC (int16 -35) and rh = 81.2 % (812).
PMS5003T_FRAME = h("424d001c0005000d00160005000d001602fd00fc001d000fffdd032c9a0005c7")
PMS_PASSIVE_MODE = h("424de100000170")
PMS_PASSIVE_READ = h("424de200000171")
PMS_SLEEP = h("424de400000173")
PMS_WAKE = h("424de400010174")

# SDS011 data frame: PM2.5 0x04d4 = 123.6, PM10 0x0a3a = 261.8, device a160, checksum 0x1d.
SDS_FRAME = h("aac0d4043a0aa1601dab")
SDS_REPLY = h("aac50601 0000a16008ab")  # answer to 'set sleep' (C5): not a reading
SDS_SLEEP = h("aab406010000000000000000000000ffff05ab")
SDS_WORK = h("aab406010100000000000000000000ffff06ab")
SDS_QUERY_MODE = h("aab402010100000000000000000000ffff02ab")
SDS_QUERY = h("aab404000000000000000000000000ffff02ab")
SDS_PERIOD_0 = h("aab408010000000000000000000000ffff07ab")
SDS_PERIOD_5 = h("aab408010500000000000000000000ffff0cab")

# SHDLC (Sensirion python-shdlc-driver tests): MOSI and MISO frames with byte stuffing.
SHDLC_MOSI_EMPTY = h("7e000000ff7e")
SHDLC_MOSI_STUFFED = h("7e7d5e7d5d047d31127d3314b67e")  # adr 7E cmd 7D data 11 12 13 14
SHDLC_MISO_STUFFED = h("7e7d5e7d5d7d3103127d3314b77e")  # adr 7E cmd 7D state 11 data 12 13 14
SPS_START = h("7e0000020103f97e")
SPS_READ = h("7e000300fc7e")
SPS_WAKE = h("7e007d3100ee7e")
SPS_NOT_ALLOWED = h("7e00004300bc7e")  # state 0x43
SPS_NO_DATA = h("7e00030000fc7e")
SPS_I2C_START = h("00100300ac")
# Read-measured-values answers (built by hand from the SHDLC rules and the float layout): pm10 = 63.5 is
# 427e0000 and n0_5 = 9.0625 is 41110000, so the UART frame carries stuffed 7d 5e and 7d 31.
SPS_VALUES = (1.5, 2.5, 3.0, 63.5, 9.0625, 12.5, 13.0, 13.5, 14.0, 0.0625)
SPS_UART_VALUES_FRAME = h(
    "7e000300283fc000004020000040400000427d5e0000417d310000414800004150000041580000416000003d800000d27e"
)
SPS_I2C_VALUES = h(
    "3fc0ed00008140208e000081404035000081427e3600008141118e00008141487800008141508200008141583b0000814160470000813d8009000081"
)

# Sensirion CRC-8 (word -> crc); BE EF -> 92 is Sensirion's official vector.
CRC_VECTORS = (
    ("beef", 0x92),
    ("01f4", 0x33),
    ("6667", 0xA2),
    ("5eb9", 0x3C),
    ("0300", 0xAC),
    ("0000", 0x81),
    ("8000", 0xA2),
    ("", 0xFF),
)
SHT_FRAME = h("6667a25eb93c")  # t 25.0027, SHT3x rh 37.0016, SHT4x rh 40.2520

# BMP280 datasheet example: T1..T3, P1..P9, adc_T 519888, adc_P 415148 -> T 25.08 degC, P 25767233/256 Pa.
BME_T = (27504, 26435, -1000)
BME_P = (36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000)
BME_ADC_T = 519888
BME_ADC_P = 415148
BME_EXPECTED_P_HPA = 25767233 / 256 / 100
# A typical BME280's humidity calibration (H1..H6) and a raw humidity value.
BME_H = (75, 362, 0, 313, 50, 30)
BME_ADC_H = 30000
