"""Sensirion CRC-8 for I2C words (SHT3x, SHT4x, SPS30 I2C, SCD4x).

Polynomial 0x31 (x^8 + x^5 + x^4 + 1), init 0xFF, no reflection, no final XOR, computed over each 16-bit
word and sent after it (Sensirion datasheets; official vector crc8(BE EF) = 0x92).
"""

import struct


def crc8(data, crc=0xFF):
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def word_bytes(word):
    """A 16-bit word as sent to the sensor: big-endian bytes plus their CRC."""
    data = struct.pack(">H", word)
    return data + bytes([crc8(data)])


def words(data, name="sensirion"):
    """Check and strip the CRC of each 3-byte group: list of 16-bit words; ValueError on a bad CRC."""
    if len(data) % 3:
        raise ValueError("%s: %d bytes is not a whole number of words with CRC" % (name, len(data)))
    out = []
    for i in range(0, len(data), 3):
        if crc8(data[i : i + 2]) != data[i + 2]:
            raise ValueError(
                "%s: CRC mismatch in word %d (got 0x%02x, expected 0x%02x)"
                % (name, i // 3, data[i + 2], crc8(data[i : i + 2]))
            )
        out.append((data[i] << 8) | data[i + 1])
    return out


def strip_crc(data, name="sensirion"):
    """The payload bytes of CRC-checked words, CRC bytes removed (for values spanning several words)."""
    return b"".join(struct.pack(">H", w) for w in words(data, name))
