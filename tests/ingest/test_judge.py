"""The judgement of single messages, without services: the kit look-up is a dict."""

import json

import pytest

from ijlucht import contract, quality
from ingest.history import KitHistory
from ingest.judge import RETAINED_READINGS, KitUnavailable, KnownKit, RejectBudget, RejectRecord, judge

NOW = 1_764_355_200.0


def kits(**extra: KnownKit):
    table = {"bev-01": KnownKit(NOW - 30 * 86400, KitHistory()), **extra}
    return table.get


def readings(*items, **top) -> bytes:
    return json.dumps({"v": 1, "seq": 1, "fw": "0.2.0", "readings": list(items), **top}).encode()


def test_valid_readings_become_rows_of_the_kit():
    part = judge(contract.topic("bev-01", contract.READINGS), readings({"ts": NOW, "pm25": 4.0}), False, NOW, kits())
    assert part.rejects == [] and len(part.rows) == 1
    row, received = part.rows[0]
    assert row.kit_id == "bev-01" and row.values["pm25"] == 4.0 and received == NOW


def test_unknown_and_disabled_kits_and_foreign_topics_are_rejected_with_reasons():
    disabled = KnownKit(NOW - 86400, KitHistory(), disabled=True)
    lookup = kits(**{"old-kit": disabled})
    payload = readings({"ts": NOW, "pm25": 4.0})
    assert judge("ijlucht/kits/nobody/readings", payload, False, NOW, lookup).rejects[0].reason == (
        "unknown kit 'nobody': not registered"
    )
    assert "is disabled" in judge("ijlucht/kits/old-kit/readings", payload, False, NOW, lookup).rejects[0].reason
    for topic in ("other/topic", "ijlucht/kits/BAD KIT/readings", "ijlucht/kits/a\x00b/readings"):
        part = judge(topic, payload, False, NOW, lookup)
        assert part.rows == [] and part.rejects[0].reason == "topic is not ijlucht/kits/<kit_id>/<kind>"


def test_retained_readings_are_rejected_but_retained_status_and_info_are_kept():
    lookup = kits()
    part = judge(contract.topic("bev-01", contract.READINGS), readings({"ts": NOW, "pm25": 1}), True, NOW, lookup)
    assert part.rows == [] and [r.reason for r in part.rejects] == [RETAINED_READINGS]
    assert judge(contract.topic("bev-01", contract.STATUS), b"online", True, NOW, lookup).status == {
        "bev-01": (True, None)
    }
    info = judge(contract.topic("bev-01", contract.INFO), b'{"v":1,"fw":"0.2.0"}', True, NOW, lookup)
    assert info.info["bev-01"] == ({"v": 1, "fw": "0.2.0"}, None)


def test_info_with_lone_surrogate_nan_or_nul_is_rejected_with_reason():
    topic = contract.topic("bev-01", contract.INFO)
    cases = {
        b'{"v":1,"fw":"\\ud800"}': "info is not valid JSON: no low surrogate in string: line 1 column 14 (char 13)",
        b'{"v":1,"rssi":NaN}': "info is not valid JSON: unexpected character, expected a JSON value:",
        b'{"v":1,"rssi":Infinity}': "info is not valid JSON: unexpected character, expected a JSON value:",
        b'{"v":1,"fw":"a\\u0000b"}': "info text 'a\\x00b' contains NUL (\\u0000), which cannot be stored",
        b'{"v":1,"x\\u0000":1}': "info key 'x\\x00' contains NUL (\\u0000), which cannot be stored",
        b'{"v":1,"boot":2147483648}': "info 'boot' must be a non-negative integer below 2^31, got 2147483648",
        b'{"v":1,"fw":' + json.dumps("x" * 41).encode() + b"}": "info 'fw' must be text of at most 40 characters",
        b'{"v":1,"a":' + b"[" * 40 + b"]" * 40 + b"}": "info nests deeper than 32 levels",
    }
    for payload, reason in cases.items():
        part = judge(topic, payload, False, NOW, kits())
        assert part.info == {} and len(part.rejects) == 1, payload
        assert part.rejects[0].reason.startswith(reason), (payload, part.rejects[0].reason)


def test_seq_beyond_bigint_and_fractional_ts_are_rejected_with_reasons():
    topic = contract.topic("bev-01", contract.READINGS)
    part = judge(topic, readings({"ts": NOW, "pm25": 1}, seq=2**63), False, NOW, kits())
    assert part.rows == []
    assert part.rejects[0].reason == "'seq' must be a non-negative integer below 2^63, got 9223372036854775808"
    part = judge(topic, readings({"ts": NOW - 0.5, "pm25": 1}, {"ts": NOW - 1.0, "pm25": 2}), False, NOW, kits())
    assert [r.reason for r in part.rejects] == ["reading 0: 'ts' must be whole Unix seconds, got 1764355199.5"]
    assert [row.ts for row, _ in part.rows] == [NOW - 1]  # a whole number written as a float is fine


def test_history_flags_are_added_and_info_uptime_sets_the_boot_time():
    lookup = kits()
    topic = contract.topic("bev-01", contract.INFO)
    judge(topic, b'{"v":1,"uptime_s":30}', False, NOW, lookup)
    assert lookup("bev-01").history.booted_at == NOW - 30
    part = judge(contract.topic("bev-01", contract.READINGS), readings({"ts": NOW, "pm25": 4}), False, NOW, lookup)
    assert part.rows[0][0].flags & quality.WARM_UP


def test_an_unavailable_lookup_propagates_and_a_failing_one_becomes_a_reject():
    def away(kit_id):
        raise KitUnavailable("database is away")

    def broken(kit_id):
        raise RuntimeError("bug")

    with pytest.raises(KitUnavailable):
        judge(contract.topic("bev-01", contract.STATUS), b"online", False, NOW, away)
    part = judge(contract.topic("bev-01", contract.STATUS), b"online", False, NOW, broken)
    assert part.status == {}
    assert part.rejects[0].reason == "internal error while validating (RuntimeError); kept for inspection"


def test_reject_budget_keeps_a_kits_first_rejects_per_window_and_counts_the_rest():
    budget = RejectBudget(per_kit=3, window_s=600)
    a = [RejectRecord("t", "kit-a", f"r{i}", "") for i in range(5)]
    b = [RejectRecord("t", "kit-b", "r", "")]
    assert [r.reason for r in budget.admit(a, 1200.0)] == ["r0", "r1", "r2"]
    assert budget.admit(b, 1300.0) == b  # another kit has its own budget
    assert budget.admit(a[:1], 1799.0) == [] and budget.dropped == 3
    assert budget.admit(a[:2], 1800.0) == a[:2]  # a new window
    assert budget.admit(a[:1], 1700.0) == [a[0]] and budget.dropped == 3  # a late message counts in the current one
