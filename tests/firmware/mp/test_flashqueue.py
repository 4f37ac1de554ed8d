# ruff: noqa: UP031  (MicroPython script: %-formatting as in the firmware)
import os

import mptest
from kit.flashqueue import FlashQueue, decode_all, encode


def reading(i):
    return {"ts": 1764355200 + i, "pm25": i / 10}


def fill(q, n, start=0):
    for i in range(start, start + n):
        q.append(reading(i))


def test_queue_keeps_order_and_peek_does_not_remove():
    q = FlashQueue(mptest.temp_dir("q"), 100, segment_records=4)
    fill(q, 10)
    assert [r["ts"] - 1764355200 for r in q.peek(6)] == [0, 1, 2, 3, 4, 5] and len(q) == 10
    assert len(q.peek(99)) == 10


def test_drop_removes_the_oldest_and_deletes_finished_segments():
    folder = mptest.temp_dir("q")
    q = FlashQueue(folder, 100, segment_records=4)
    fill(q, 10)
    q.drop(9)
    assert len(q) == 1 and q.peek(5) == [reading(9)]
    assert sorted(n for n in os.listdir(folder) if n.endswith(".q")) == ["00000008.q"]


def test_queue_survives_a_reboot_with_head_dropped_and_message_seq():
    folder = mptest.temp_dir("q")
    q = FlashQueue(folder, 100, segment_records=4)
    fill(q, 7)
    q.drop(3, msg_seq=12)
    again = FlashQueue(folder, 100, segment_records=4)
    assert len(again) == 4 and again.peek(1) == [reading(3)] and again.msg_seq == 12
    fill(again, 2, start=7)
    assert [r["ts"] - 1764355200 for r in again.peek(10)] == [3, 4, 5, 6, 7, 8]


def test_full_queue_drops_the_oldest_and_counts_across_reboots():
    folder = mptest.temp_dir("q")
    q = FlashQueue(folder, 5, segment_records=3)
    fill(q, 12)
    assert len(q) == 5 and q.dropped == 7 and q.peek(1) == [reading(7)]
    again = FlashQueue(folder, 5, segment_records=3)
    assert again.dropped == 7 and [r["ts"] - 1764355200 for r in again.peek(9)] == [7, 8, 9, 10, 11]
    assert len([n for n in os.listdir(folder) if n.endswith(".q")]) <= 3


def test_smaller_limit_after_a_restart_drops_down_to_it():
    folder = mptest.temp_dir("q")
    fill(FlashQueue(folder, 10, segment_records=3), 8)
    q = FlashQueue(folder, 4, segment_records=3)
    q.append(reading(8))
    assert len(q) == 4 and q.dropped == 5 and q.peek(1) == [reading(5)]


def test_power_cut_mid_write_loses_only_the_half_written_record():
    folder = mptest.temp_dir("q")
    q = FlashQueue(folder, 100, segment_records=10)
    fill(q, 3)
    # The power fails while the 4th record is being written: only part of it reaches the flash.
    record = encode(reading(3))
    with open(folder + "/00000000.q", "ab") as f:
        f.write(record[: len(record) - 5])
    after = FlashQueue(folder, 100, segment_records=10)
    assert len(after) == 3 and after.recovered_damage == 1
    # New readings go to a fresh segment, never after the damaged tail, and all of them are readable.
    fill(after, 2, start=4)
    assert [r["ts"] - 1764355200 for r in after.peek(10)] == [0, 1, 2, 4, 5]
    again = FlashQueue(folder, 100, segment_records=10)
    assert len(again) == 5 and again.peek(10)[-1] == reading(5)


def test_corrupted_record_fails_its_crc():
    record = bytearray(encode(reading(1)))
    assert decode_all(bytes(record)) == ([reading(1)], True)
    record[-2] ^= 0x01
    assert decode_all(bytes(record)) == ([], False)


def test_damaged_state_file_means_resending_not_losing():
    folder = mptest.temp_dir("q")
    q = FlashQueue(folder, 100, segment_records=4)
    fill(q, 6)
    q.drop(5)
    with open(folder + "/state", "w") as f:
        f.write('{"head": 5, "dro')  # torn write (cannot happen with rename, but must not lose data)
    again = FlashQueue(folder, 100, segment_records=4)
    assert len(again) >= 1 and again.peek(10)[-1] == reading(5)


def test_a_day_at_one_reading_a_minute_fits():
    folder = mptest.temp_dir("q")
    q = FlashQueue(folder, 1440)
    item = {"ts": 1764355200, "pm1": 12.3, "pm25": 23.4, "pm10": 34.5, "t": -12.3, "rh": 99.9, "p": 1013.2}
    for i in range(1440):
        item["ts"] = 1764355200 + 60 * i
        q.append(item)
    size = 0
    for name in os.listdir(folder):
        size += os.stat(folder + "/" + name)[6]
    assert len(q) == 1440 and q.dropped == 0
    print("1440 readings take %d bytes on flash" % size)
    assert size < 200 * 1024
    batches = 0
    while len(q):
        batch = q.peek(60)
        assert batch[0]["ts"] == 1764355200 + 60 * 60 * batches
        q.drop(len(batch), msg_seq=batches + 1)
        batches += 1
    assert batches == 24 and FlashQueue(folder, 1440).msg_seq == 24


mptest.run(globals())
