import mptest
import vectors as v
from fakebus import FakeUART
from kit.drivers import pms5003


def test_frame_parses_to_atmospheric_cf1_and_counts():
    assert pms5003.parse(v.PMS_FRAME) == v.PMS_EXPECTED


def test_pms5003t_frame_gives_temperature_and_humidity_instead_of_the_last_counts():
    out = pms5003.parse(v.PMS5003T_FRAME, variant="pms5003t")
    mptest.approx(out["t"], -3.5)
    mptest.approx(out["rh"], 81.2)
    assert "n5_0" not in out and "n10" not in out and out["pm25"] == 13 and out["n2_5"] == 15


def test_bad_checksum_header_and_length_are_rejected_with_a_reason():
    bad = bytearray(v.PMS_FRAME)
    bad[31] ^= 1
    assert "checksum" in str(mptest.raises(ValueError, pms5003.parse, bytes(bad)))
    assert "header" in str(mptest.raises(ValueError, pms5003.parse, b"XM" + v.PMS_FRAME[2:]))
    assert "32" in str(mptest.raises(ValueError, pms5003.parse, v.PMS_FRAME[:31]))
    wrong_len = bytearray(v.PMS_FRAME)
    wrong_len[3] = 20
    assert "length" in str(mptest.raises(ValueError, pms5003.parse, bytes(wrong_len)))


def test_commands_match_the_datasheet_bytes():
    assert pms5003.PASSIVE_MODE == v.PMS_PASSIVE_MODE and pms5003.PASSIVE_READ == v.PMS_PASSIVE_READ
    assert pms5003.SLEEP == v.PMS_SLEEP and pms5003.WAKE == v.PMS_WAKE


def test_driver_resynchronises_after_garbage_a_split_frame_and_a_bad_checksum():
    corrupt = bytearray(v.PMS_FRAME)
    corrupt[10] ^= 0xFF
    # garbage with a false 'B', a frame with a bad checksum, then a good frame split in three chunks
    stream = [b"\x00\x42\x13BM\x00", bytes(corrupt), v.PMS_FRAME[:5], v.PMS_FRAME[5:20], v.PMS_FRAME[20:]]
    uart = FakeUART(stream)
    sensor = pms5003.PMS5003(uart, passive=False, timeout_ms=500)
    assert sensor.read() == v.PMS_EXPECTED
    assert uart.written == [pms5003.ACTIVE_MODE]


def test_passive_driver_asks_for_each_frame_and_discards_stale_bytes():
    uart = FakeUART([b"stale half frame"], replies={v.PMS_PASSIVE_READ: [v.PMS_FRAME[:7], v.PMS_FRAME[7:]]})
    sensor = pms5003.PMS5003(uart, timeout_ms=500)
    assert sensor.read()["pm25"] == 13
    assert uart.written == [v.PMS_PASSIVE_MODE, v.PMS_PASSIVE_READ]


def test_driver_gives_up_with_oserror_when_no_valid_frame_arrives():
    sensor = pms5003.PMS5003(FakeUART([b"\x00" * 50]), passive=False, timeout_ms=100)
    assert "no valid frame" in str(mptest.raises(OSError, sensor.read))


def test_sleep_and_wake_send_their_commands():
    uart = FakeUART()
    sensor = pms5003.PMS5003(uart)
    sensor.sleep()
    sensor.wake()
    assert uart.written[1:] == [v.PMS_SLEEP, v.PMS_WAKE, v.PMS_PASSIVE_MODE]


mptest.run(globals())
