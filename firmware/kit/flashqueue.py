"""Store and forward on flash: a bounded FIFO of readings that survives reboots and power cuts.

    <folder>/00000120.q   segment files, append-only, named after the sequence number of their first record
    <folder>/state        {"head": oldest wanted seq, "dropped": n, "msg_seq": next message seq}

Each record is length (u16) + CRC-32 (u32) + JSON, appended with one write. A record cut short by a power
loss fails its length or CRC check: reading stops there, and the next append starts a new segment, so
nothing is ever appended after a damaged tail. The state file is written to a temporary name and renamed
(atomic on littlefs), so it is either the old or the new one. Records before `head` were sent or dropped.
Same interface as a RAM list: append, peek, drop, len, dropped.
"""

import json
import os
import struct

try:
    from binascii import crc32
except ImportError:  # a port without binascii.crc32: a weaker but still useful check

    def crc32(data):
        return sum(data) & 0xFFFFFFFF


HEADER = ">HI"
HEADER_LEN = 6
SEGMENT_RECORDS = 60  # a segment of 60 readings is about 5 KB: two littlefs blocks
SUFFIX = ".q"


def encode(item):
    payload = json.dumps(item).encode()
    return struct.pack(HEADER, len(payload), crc32(payload)) + payload


def decode_all(data):
    """(items, complete): the records of one segment's bytes up to the first damaged one."""
    items = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < HEADER_LEN:
            return items, False
        length, crc = struct.unpack(HEADER, data[pos : pos + HEADER_LEN])
        payload = data[pos + HEADER_LEN : pos + HEADER_LEN + length]
        if len(payload) != length or crc32(payload) != crc:
            return items, False
        try:
            items.append(json.loads(payload))
        except ValueError:
            return items, False
        pos += HEADER_LEN + length
    return items, True


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


class FlashQueue:
    def __init__(self, folder, maxlen, segment_records=SEGMENT_RECORDS):
        if maxlen < 1:
            raise ValueError("queue maxlen must be at least 1")
        self.folder = folder
        self.maxlen = maxlen
        self.segment_records = segment_records
        self.dropped = 0  # readings lost because the queue was full (kept across reboots)
        self.msg_seq = 0  # sequence number of the next readings message (kept across reboots)
        self.head = 0
        self.next_seq = 0
        self.recovered_damage = 0  # segments found with a damaged tail at start-up
        self._segments = []  # [first_seq, count, sealed], oldest first
        self._cache = (None, None)  # (first_seq, items) of the segment read last
        if not _exists(folder):
            os.mkdir(folder)
        self._load()

    def _path(self, first_seq):
        return "%s/%08d%s" % (self.folder, first_seq, SUFFIX)

    def _load(self):
        names = sorted(n for n in os.listdir(self.folder) if n.endswith(SUFFIX))
        for name in names:
            first = int(name[: -len(SUFFIX)])
            with open(self.folder + "/" + name, "rb") as f:
                items, complete = decode_all(f.read())
            if not complete:
                self.recovered_damage += 1
            self._segments.append([first, len(items), not complete])
            self.next_seq = first + len(items)
        state = self._read_state()
        if state is not None:
            self.head = state.get("head", 0)
            self.dropped = state.get("dropped", 0)
            self.msg_seq = state.get("msg_seq", 0)
            self.next_seq = max(self.next_seq, self.head)
        elif self._segments:
            self.head = self._segments[0][0]
        self._forget_done()

    def _read_state(self):
        try:
            with open(self.folder + "/state") as f:
                state = json.load(f)
            return state if isinstance(state, dict) else None
        except (OSError, ValueError):
            return None  # no state yet, or damaged: resend from the oldest segment (duplicates are harmless)

    def _write_state(self):
        tmp = self.folder + "/state.tmp"
        with open(tmp, "w") as f:
            json.dump({"head": self.head, "dropped": self.dropped, "msg_seq": self.msg_seq}, f)
        os.rename(tmp, self.folder + "/state")

    def _forget_done(self):
        """Delete segments whose records all lie before head."""
        while self._segments and self._segments[0][0] + self._segments[0][1] <= self.head:
            first, count, sealed = self._segments[0]
            if first + count == self.next_seq and not sealed and count < self.segment_records:
                break  # the segment still being filled stays (appends go on in it)
            self._segments.pop(0)
            try:
                os.remove(self._path(first))
            except OSError:
                pass

    def __len__(self):
        if not self._segments:
            return 0
        return self.next_seq - max(self.head, self._segments[0][0])

    def append(self, item):
        if len(self) >= self.maxlen:  # full (or maxlen lowered since): the oldest go, counted
            excess = len(self) - self.maxlen + 1
            self.head = max(self.head, self._segments[0][0]) + excess
            self.dropped += excess
            self._forget_done()
            self._write_state()
        last = self._segments[-1] if self._segments else None
        if last is None or last[2] or last[1] >= self.segment_records or last[0] + last[1] != self.next_seq:
            last = [self.next_seq, 0, False]
            self._segments.append(last)
        with open(self._path(last[0]), "ab") as f:
            f.write(encode(item))
        last[1] += 1
        self.next_seq += 1

    def _items(self, segment):
        first = segment[0]
        cached_first, items = self._cache
        if cached_first != first or len(items) < segment[1]:
            with open(self._path(first), "rb") as f:
                items = decode_all(f.read())[0]
            self._cache = (first, items)
        return items

    def peek(self, n):
        """The n oldest readings (fewer when there are fewer), oldest first, without removing them."""
        out = []
        for segment in self._segments:
            if len(out) >= n:
                break
            first, count = segment[0], segment[1]
            if first + count <= self.head:
                continue
            items = self._items(segment)
            start = max(self.head - first, 0)
            out.extend(items[start : start + n - len(out)])
        return out

    def drop(self, n, msg_seq=None):
        """Forget the n oldest readings (after they were delivered); msg_seq is saved with the head."""
        if self._segments:
            self.head = min(max(self.head, self._segments[0][0]) + n, self.next_seq)
        if msg_seq is not None:
            self.msg_seq = msg_seq
        self._forget_done()
        self._write_state()
