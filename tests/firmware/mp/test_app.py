import json
import time

import mptest
from kit import app, config, mqtt


class FakeClock:
    synced = True

    def __init__(self):
        self.t = 1764355200

    def now(self):
        self.t += 60
        return self.t


class FakeClient:
    """Acknowledges `acks` QoS 1 publishes, then times out like a broker gone quiet."""

    def __init__(self, acks):
        self.acks = acks
        self.published = []
        self.closed = False
        self.last_tx = time.ticks_ms()

    def publish(self, topic, msg, retain=False, qos=0):
        if self.acks <= 0:
            raise mqtt.MQTTTimeout("no PUBACK")
        self.acks -= 1
        self.published.append((topic, json.loads(msg)))

    def close(self):
        self.closed = True


def make_kit(**changes):
    path = mptest.temp_path("series.csv")
    with open(path, "w") as f:
        f.write("offset_s,pm1,pm25,pm10,t,rh,p\n0,1,2,3,4,5,1000\n60,1,2,3,4,5,1000\n")
    raw = {
        "kit_id": "vk-001",
        "mqtt_host": "h",
        "mqtt_password": "p",
        "wifi_ssid": "w",
        "sensors": ["replay"],
        "replay_file": path,
        "batch_max": 2,
    }
    raw.update(changes)
    return app.Kit(config.validate(raw), boot=1, clk=FakeClock())


def test_backlog_goes_out_in_batches_with_rising_seq():
    kit = make_kit()
    for _ in range(5):
        kit.measure()
    kit.client = client = FakeClient(acks=10)
    kit.flush()
    assert len(kit.backlog) == 0 and kit.seq == 3 and kit.sent == 5
    assert [m["seq"] for _, m in client.published] == [0, 1, 2]
    assert [len(m["readings"]) for _, m in client.published] == [2, 2, 1]
    assert all(t == "ijlucht/kits/vk-001/readings" for t, _ in client.published)
    ts = [r["ts"] for _, m in client.published for r in m["readings"]]
    assert ts == sorted(ts)


def test_readings_stay_in_the_backlog_until_acknowledged():
    kit = make_kit()
    for _ in range(5):
        kit.measure()
    kit.client = client = FakeClient(acks=1)
    kit.flush()
    assert len(kit.backlog) == 3 and kit.seq == 1
    assert kit.client is None and client.closed and kit.reconnects == 1
    # The next connection resends what is left, with the next seq number.
    kit.client = client = FakeClient(acks=10)
    kit.flush()
    assert len(kit.backlog) == 0 and [m["seq"] for _, m in client.published] == [1, 2]


def test_reconnect_backoff_doubles_and_is_bounded():
    kit = make_kit()
    waits = []
    for _ in range(12):
        waits.append(kit.backoff_s)
        kit.lost(OSError("down"))
    assert waits[:4] == [2, 4, 8, 16]
    assert max(waits) == app.BACKOFF_MAX_S and kit.backoff_s == app.BACKOFF_MAX_S


def test_watchdog_is_fed_only_while_healthy():
    kit = make_kit()

    class Dog:
        feeds = 0

        def feed(self):
            self.feeds += 1

    kit.wdt = Dog()
    kit.feed()
    assert kit.wdt.feeds == 1
    kit.last_ok_ms = time.ticks_add(time.ticks_ms(), -app.OFFLINE_RESET_MS - 1000)
    kit.feed()
    assert kit.wdt.feeds == 1


def test_unsynced_clock_marks_readings():
    kit = make_kit()
    kit.clock.synced = False
    kit.measure()
    assert kit.backlog.peek(1)[0]["ns"] == 1


mptest.run(globals())
