import json

from ijlucht import contract, quality
from ingest.validate import info_uptime, parse_info, parse_readings_message, parse_status

NOW = 1_764_355_200.0
REGISTERED = NOW - 86400 * 30


def message(*readings, **top):
    return json.dumps({"v": 1, "seq": 7, "fw": "0.1.0", "readings": list(readings), **top}).encode()


def parse(payload: bytes):
    return parse_readings_message("bev-01", payload, received=NOW, not_before=REGISTERED)


def test_valid_message_gives_one_row_per_reading_with_values_and_seq():
    out = parse(message({"ts": NOW - 60, "pm25": 7.1, "pm10": 12.4}, {"ts": NOW, "pm25": 8, "t": 9.8}))
    assert out.rejections == []
    assert [r.values["pm25"] for r in out.rows] == [7.1, 8.0]
    assert out.rows[1].values["pm10"] is None and out.rows[1].values["t"] == 9.8
    assert out.rows[0].seq == 7 and out.rows[0].kit_id == "bev-01"
    assert out.rows[0].ts == NOW - 60


def test_not_json_is_rejected_with_reason():
    out = parse(b"\x00\xffnot json")
    assert out.rows == [] and "not valid JSON" in out.rejections[0].reason


def test_wrong_version_and_shape_are_rejected_with_reason():
    assert "unsupported contract version" in parse(message({"ts": NOW, "pm25": 1}, v=2)).rejections[0].reason
    assert "must be a JSON object" in parse(b"[1,2]").rejections[0].reason
    assert "'readings' must be a non-empty list" in parse(message()).rejections[0].reason
    assert "'seq' must be a non-negative integer" in parse(message({"ts": NOW}, seq=-1)).rejections[0].reason


def test_future_timestamp_is_rejected_with_reason_and_valid_neighbours_kept():
    out = parse(message({"ts": NOW - 60, "pm25": 5}, {"ts": NOW + 3 * 86400, "pm25": 5}, {"ts": NOW, "pm25": 6}))
    assert [r.values["pm25"] for r in out.rows] == [5.0, 6.0]
    assert len(out.rejections) == 1
    assert out.rejections[0].reason == "reading 1: 'ts' is 3.0 days in the future"
    assert '"ts"' in out.rejections[0].excerpt  # the reading itself, as JSON


def test_missing_or_non_numeric_ts_is_rejected():
    out = parse(message({"pm25": 5}, {"ts": "yesterday", "pm25": 5}, {"ts": True, "pm25": 5}))
    assert out.rows == []
    assert "no 'ts'" in out.rejections[0].reason
    assert all("must be Unix seconds" in r.reason for r in out.rejections[1:])


def test_reading_from_long_before_registration_is_rejected():
    out = parse(message({"ts": REGISTERED - 8 * 86400, "pm25": 5}, {"ts": REGISTERED - 86400, "pm25": 6}))
    assert "more than 7 days before the kit was registered" in out.rejections[0].reason
    assert [r.values["pm25"] for r in out.rows] == [6.0]  # measured a day before registration: kept


def test_impossible_values_are_rejected_but_out_of_range_ones_are_flagged():
    out = parse(message({"ts": NOW - 2, "pm25": "high"}, {"ts": NOW - 1, "pm25": 1e9}, {"ts": NOW, "rh": 104.0}))
    assert "'pm25' must be a number" in out.rejections[0].reason
    assert "not a possible measurement" in out.rejections[1].reason
    assert len(out.rows) == 1 and out.rows[0].flags & quality.OUT_OF_RANGE


def test_reading_without_known_quantity_is_rejected():
    assert "no known quantity" in parse(message({"ts": NOW, "co2": 400})).rejections[0].reason


def test_unknown_keys_are_ignored_and_nulls_mean_missing():
    out = parse(message({"ts": NOW, "pm25": 3.0, "pm10": None, "no2": 12}))
    assert out.rows[0].values["pm10"] is None and out.rejections == []


def test_same_ts_twice_in_one_message_keeps_the_first():
    out = parse(message({"ts": NOW, "pm25": 3.0}, {"ts": NOW, "pm25": 4.0}))
    assert [r.values["pm25"] for r in out.rows] == [3.0]
    assert "same 'ts'" in out.rejections[0].reason


def test_oversized_and_overlong_messages_are_rejected():
    big = b"{" + b" " * (contract.MAX_MESSAGE_BYTES + 1) + b"}"
    assert "more than the limit" in parse(big).rejections[0].reason
    many = [{"ts": NOW - i, "pm25": 1} for i in range(contract.MAX_READINGS_PER_MESSAGE + 1)]
    assert "readings in one message" in parse(message(*many)).rejections[0].reason


def test_unsynced_clock_marker_sets_flag():
    out = parse(message({"ts": NOW, "pm25": 3.0, "ns": 1}))
    assert out.rows[0].flags & quality.CLOCK_NOT_SYNCED


def test_hostile_payloads_never_raise():
    for payload in (b"", b"null", b"1e999", b'{"v":1,"readings":[null,[],"x",{"ts":NaN}]}', b"\xc3\x28", b"[" * 5000):
        out = parse(payload)
        assert out.rows == [] and out.rejections


def test_status_and_info_parsing():
    assert parse_status(b"online") is True and parse_status(b"offline") is False
    try:
        parse_status(b"maybe")
    except ValueError as e:
        assert "online" in str(e)
    else:
        raise AssertionError("bad status accepted")
    assert parse_info(b'{"fw": "0.1.0", "boot": 3}')["boot"] == 3


def test_a_full_backlog_message_of_1000_readings_is_accepted():
    out = parse(message(*[{"ts": NOW - i, "pm25": 1.0, "rh": 50} for i in range(1000)]))
    assert len(out.rows) == 1000 and out.rejections == []


def test_uptime_is_read_from_the_firmware_key_or_the_older_one_and_nonsense_is_ignored():
    assert info_uptime({"uptime_s": 120}) == 120.0
    assert info_uptime({"uptime": 30.5}) == 30.5
    assert info_uptime({"uptime_s": True}) is None
    assert info_uptime({"uptime_s": -5}) is None
    assert info_uptime({"uptime": "12"}) is None
    assert info_uptime({}) is None
