import mptest
import vectors as v
from fakebus import FakeUART
from kit.drivers import sds011


def test_data_frame_parses_little_endian_tenths():
    out = sds011.parse(v.SDS_FRAME)
    mptest.approx(out["pm25"], 123.6)
    mptest.approx(out["pm10"], 261.8)


def test_bad_frames_are_rejected_with_a_reason():
    bad = bytearray(v.SDS_FRAME)
    bad[8] ^= 1
    assert "checksum" in str(mptest.raises(ValueError, sds011.parse, bytes(bad)))
    assert "not a data frame" in str(mptest.raises(ValueError, sds011.parse, v.SDS_REPLY))
    assert "9 bytes" in str(mptest.raises(ValueError, sds011.parse, v.SDS_FRAME[:9]))
    assert "head/tail" in str(mptest.raises(ValueError, sds011.parse, v.SDS_FRAME[:9] + b"\x00"))


def test_commands_match_the_protocol_table():
    assert sds011.SLEEP == v.SDS_SLEEP and sds011.WORK == v.SDS_WORK
    assert sds011.QUERY_MODE == v.SDS_QUERY_MODE and sds011.QUERY == v.SDS_QUERY
    assert sds011.working_period(0) == v.SDS_PERIOD_0 and sds011.working_period(5) == v.SDS_PERIOD_5
    mptest.raises(ValueError, sds011.working_period, 31)


def test_driver_skips_command_replies_and_garbage_and_reads_a_split_frame():
    bad = bytearray(v.SDS_FRAME)
    bad[3] ^= 0x40
    answer = [b"\x01\x02", v.SDS_REPLY, bytes(bad), v.SDS_FRAME[:4], v.SDS_FRAME[4:]]
    uart = FakeUART([b"old"], replies={v.SDS_QUERY: answer})
    sensor = sds011.SDS011(uart, timeout_ms=500)
    mptest.approx(sensor.read()["pm10"], 261.8)
    assert uart.written == [v.SDS_PERIOD_0, v.SDS_QUERY_MODE, v.SDS_QUERY]


def test_sleep_and_wake_send_their_commands():
    uart = FakeUART()
    sensor = sds011.SDS011(uart)
    sensor.sleep()
    sensor.wake()
    assert uart.written[-2:] == [v.SDS_SLEEP, v.SDS_WORK]


def test_silent_sensor_raises_oserror():
    sensor = sds011.SDS011(FakeUART(), timeout_ms=50)
    mptest.raises(OSError, sensor.read)


mptest.run(globals())
