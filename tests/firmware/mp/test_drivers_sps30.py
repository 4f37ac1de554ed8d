import mptest
import vectors as v
from fakebus import FakeI2C, FakeUART
from kit.drivers import sps30


def assert_values(out):
    assert sorted(out) == sorted(sps30.KEYS)
    for i, key in enumerate(sps30.KEYS):
        mptest.approx(out[key], v.SPS_VALUES[i])


def test_uart_frame_with_stuffed_bytes_parses_to_ten_values():
    assert_values(sps30.parse_uart(v.SPS_UART_VALUES_FRAME))


def test_mosi_frames_match_sensirion_vectors():
    assert sps30.mosi_frame(0x00) == v.SHDLC_MOSI_EMPTY
    assert sps30.mosi_frame(0x7D, b"\x11\x12\x13\x14", adr=0x7E) == v.SHDLC_MOSI_STUFFED
    assert sps30.mosi_frame(0x00, b"\x01\x03") == v.SPS_START
    assert sps30.mosi_frame(0x03) == v.SPS_READ and sps30.mosi_frame(0x11) == v.SPS_WAKE


def test_miso_unstuffing_matches_sensirion_vector():
    body = sps30.unstuff(v.SHDLC_MISO_STUFFED[1:-1])
    assert body == b"\x7e\x7d\x11\x03\x12\x13\x14\xb7"
    assert sps30.checksum(body[:-1]) == body[-1]


def test_bad_uart_frames_are_rejected_with_a_reason():
    bad = bytearray(v.SPS_UART_VALUES_FRAME)
    bad[-2] ^= 1
    assert "checksum" in str(mptest.raises(ValueError, sps30.parse_uart, bytes(bad)))
    assert "0x43" in str(mptest.raises(ValueError, sps30.parse_uart, v.SPS_NOT_ALLOWED))
    assert "no new" in str(mptest.raises(ValueError, sps30.parse_uart, v.SPS_NO_DATA))
    assert "7e" in str(mptest.raises(ValueError, sps30.parse_uart, v.SPS_UART_VALUES_FRAME[1:]))
    assert "escape" in str(mptest.raises(ValueError, sps30.unstuff, b"\x00\x7d"))
    assert "escaped" in str(mptest.raises(ValueError, sps30.unstuff, b"\x7d\x00"))
    short = v.SPS_UART_VALUES_FRAME[:5] + v.SPS_UART_VALUES_FRAME[-2:]
    assert "length" in str(mptest.raises(ValueError, sps30.parse_uart, short))


def test_uart_driver_reads_after_garbage_and_split_chunks():
    frame = v.SPS_UART_VALUES_FRAME
    replies = {v.SPS_START: v.h("7e00000000ff7e"), v.SPS_READ: [b"\x00\x01", frame[:9], frame[9:30], frame[30:]]}
    uart = FakeUART(replies=replies)
    sensor = sps30.SPS30UART(uart, timeout_ms=300)
    assert_values(sensor.read())
    assert uart.written == [v.SPS_START, v.SPS_READ]


def test_i2c_values_parse_and_a_bad_crc_is_rejected():
    assert_values(sps30.parse_i2c(v.SPS_I2C_VALUES))
    bad = bytearray(v.SPS_I2C_VALUES)
    bad[5] ^= 1
    assert "CRC" in str(mptest.raises(ValueError, sps30.parse_i2c, bytes(bad)))


def test_i2c_driver_starts_checks_ready_and_reads():
    i2c = FakeI2C(answers=[b"\x00\x01\xb0", v.SPS_I2C_VALUES])
    sensor = sps30.SPS30I2C(i2c)
    assert_values(sensor.read())
    assert i2c.writes == [(0x69, v.SPS_I2C_START), (0x69, b"\x02\x02"), (0x69, b"\x03\x00")]


def test_i2c_driver_without_new_data_raises_oserror():
    sensor = sps30.SPS30I2C(FakeI2C(answers=[b"\x00\x00\x81"]))
    assert "no new" in str(mptest.raises(OSError, sensor.read))


mptest.run(globals())
