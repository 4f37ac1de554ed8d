import mptest
import vectors as v
from fakebus import FakeI2C
from kit.drivers import sensirion, sht


def test_crc8_matches_sensirion_vectors():
    for word, crc in v.CRC_VECTORS:
        assert sensirion.crc8(v.h(word)) == crc, word


def test_words_strip_crc_and_reject_a_bad_one():
    assert sensirion.words(v.h("01f433")) == [500]
    assert "CRC" in str(mptest.raises(ValueError, sensirion.words, v.h("01f434")))
    assert sensirion.word_bytes(0x0300) == v.h("0300ac")


def test_sht3x_and_sht4x_convert_the_same_frame_differently():
    a = sht.parse(v.SHT_FRAME, "sht3x")
    b = sht.parse(v.SHT_FRAME, "sht4x")
    mptest.approx(a["t"], 25.0027, 1e-4)
    mptest.approx(b["t"], 25.0027, 1e-4)
    mptest.approx(a["rh"], 37.0016, 1e-4)
    mptest.approx(b["rh"], 40.2520, 1e-4)


def test_sht4x_humidity_is_clamped_to_0_100():
    low = sensirion.word_bytes(0x6667) + sensirion.word_bytes(0x0000)
    high = sensirion.word_bytes(0x6667) + sensirion.word_bytes(0xFFFF)
    assert sht.parse(low, "sht4x")["rh"] == 0.0 and sht.parse(high, "sht4x")["rh"] == 100.0


def test_bad_sht_frames_are_rejected():
    bad = bytearray(v.SHT_FRAME)
    bad[2] ^= 1
    assert "CRC" in str(mptest.raises(ValueError, sht.parse, bytes(bad)))
    mptest.raises(ValueError, sht.parse, v.SHT_FRAME[:5])
    mptest.raises(ValueError, sht.parse, v.SHT_FRAME, "sht2x")


def test_drivers_send_the_measure_command_of_their_model():
    i2c = FakeI2C(answers=[v.SHT_FRAME, v.SHT_FRAME])
    mptest.approx(sht.SHT(i2c, "sht3x").read()["rh"], 37.0016, 1e-4)
    mptest.approx(sht.SHT(i2c, "sht4x", 0x45).read()["rh"], 40.2520, 1e-4)
    assert i2c.writes == [(0x44, b"\x24\x00"), (0x45, b"\xfd")]


mptest.run(globals())
