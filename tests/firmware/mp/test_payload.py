import json

import mptest
from kit import FW_VERSION, payload


def test_reading_rounds_to_a_tenth_and_leaves_out_none_and_unknown_keys():
    r = payload.reading(1764355200.7, {"pm25": 7.149, "t": -3.16, "rh": None, "co2": 400})
    assert r["ts"] == 1764355200 and isinstance(r["ts"], int)
    mptest.approx(r["pm25"], 7.1)
    mptest.approx(r["t"], -3.2)
    assert "rh" not in r and "co2" not in r and "ns" not in r


def test_reading_before_clock_sync_is_marked_not_synced():
    r = payload.reading(100, {"pm10": 1}, synced=False)
    assert r["ns"] == 1


def test_retime_moves_only_unsynced_readings_of_this_boot_and_never_sends_the_boot():
    early = payload.reading(100, {"pm25": 1.0}, synced=False, boot=7)
    older_boot = payload.reading(50, {"pm25": 1.0}, synced=False, boot=6)
    late = payload.reading(2000000000, {"pm25": 1.0})
    out = payload.retime([older_boot, early, late], 7, 1000)
    assert out[0] == {"ts": 50, "pm25": 1.0, "ns": 1}  # another boot: its clock's jump is unknown
    assert out[1] == {"ts": 1100, "pm25": 1.0, "ns": 1} and out[2] == late
    assert early["bt"] == 7 and early["ts"] == 100  # the queued item itself is not changed
    assert payload.retime([early], 7, None)[0]["ts"] == 100  # not synced yet: nothing to add


def test_readings_message_is_contract_v1():
    msg = json.loads(payload.readings_message(7, [{"ts": 1, "pm1": 2.0}]))
    assert msg["v"] == 1 and msg["seq"] == 7 and msg["fw"] == FW_VERSION
    assert msg["readings"] == [{"ts": 1, "pm1": 2.0}]


def test_readings_message_refuses_empty_and_oversized_lists():
    mptest.raises(ValueError, payload.readings_message, 0, [])
    mptest.raises(ValueError, payload.readings_message, 0, [{"ts": i} for i in range(1001)])


def test_info_message_carries_sensors_boot_and_interval():
    msg = json.loads(payload.info_message(("replay",), 17, 60))
    assert msg == {"v": 1, "fw": FW_VERSION, "sensors": ["replay"], "boot": 17, "interval": 60}


def test_batches_split_backlog_oldest_first_at_batch_max():
    items = list(range(125))
    parts = payload.batches(items, 60)
    assert [len(p) for p in parts] == [60, 60, 5]
    assert parts[0][0] == 0 and parts[2][-1] == 124
    assert payload.batches([], 60) == []
    assert payload.batches([1], 1) == [[1]]
    mptest.raises(ValueError, payload.batches, items, 0)


mptest.run(globals())
