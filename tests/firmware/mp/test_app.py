import json
import time

import mptest
from kit import app, commands, config, link, mqtt


class FakeClock:
    synced = True
    jump = None

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
    return app.Kit(config.validate(raw), boot=1, clk=FakeClock(), state_dir=mptest.temp_dir("state") + "/")


def test_queue_goes_out_in_batches_with_rising_seq():
    kit = make_kit()
    for _ in range(5):
        kit.measure()
    kit.client = client = FakeClient(acks=10)
    kit.flush()
    assert len(kit.queue) == 0 and kit.seq == 3 and kit.sent == 5
    assert [m["seq"] for _, m in client.published] == [0, 1, 2]
    assert [len(m["readings"]) for _, m in client.published] == [2, 2, 1]
    assert all(t == "ijlucht/kits/vk-001/readings" for t, _ in client.published)
    ts = [r["ts"] for _, m in client.published for r in m["readings"]]
    assert ts == sorted(ts)


def test_readings_stay_in_the_queue_until_acknowledged():
    kit = make_kit()
    for _ in range(5):
        kit.measure()
    kit.client = client = FakeClient(acks=1)
    kit.flush()
    assert len(kit.queue) == 3 and kit.seq == 1
    assert kit.client is None and client.closed and kit.reconnects == 1
    # The next connection resends what is left, with the next seq number.
    kit.client = client = FakeClient(acks=10)
    kit.flush()
    assert len(kit.queue) == 0 and [m["seq"] for _, m in client.published] == [1, 2]


def test_reconnect_backoff_doubles_and_is_bounded():
    kit = make_kit()
    waits = []
    for _ in range(12):
        waits.append(kit.backoff_s)
        kit.lost(OSError("down"))
    assert waits[:4] == [2, 4, 8, 16]
    assert max(waits) == link.BACKOFF_MAX_S and kit.backoff_s == link.BACKOFF_MAX_S


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
    assert kit.queue.peek(1)[0]["ns"] == 1


def test_readings_from_before_the_first_sync_are_sent_at_their_real_time():
    kit = make_kit()
    kit.clock.synced = False
    kit.clock.t = 817675200  # an ESP32 after power-up: the RTC starts in 2000
    kit.measure()
    taken = kit.queue.peek(1)[0]["ts"]
    kit.clock.synced, kit.clock.jump = True, 946684800  # NTP moved the clock by this much
    kit.clock.t += 946684800
    kit.measure()
    kit.client = client = FakeClient(acks=10)
    kit.flush()
    sent = client.published[0][1]["readings"]
    assert sent[0]["ts"] == taken + 946684800 and sent[0]["ns"] == 1 and "bt" not in sent[0]
    assert "ns" not in sent[1] and sent[1]["ts"] > sent[0]["ts"]


def test_message_seq_and_unsent_readings_survive_a_restart():
    state = mptest.temp_dir("state") + "/"
    raw = {"kit_id": "vk-001", "mqtt_host": "h", "mqtt_password": "p", "wifi_ssid": "w", "sensors": ["replay"]}
    raw["replay_file"] = make_kit().cfg["replay_file"]
    kit = app.Kit(config.validate(raw), clk=FakeClock(), state_dir=state)
    for _ in range(3):
        kit.measure()
    kit.client = FakeClient(acks=1)
    kit.cfg["batch_max"] = 1
    kit.flush()
    again = app.Kit(config.validate(raw), clk=FakeClock(), state_dir=state)
    assert again.seq == 1 and len(again.queue) == 2


def test_info_carries_health_figures():
    kit = make_kit()
    info = json.loads(kit.info())
    assert info["boot"] == 1 and info["reset_cause"] == "power-on" and info["queued"] == 0
    assert info["mem_free"] > 0 and info["dropped"] == 0 and info["synced"] == 1
    assert "rssi" in info and info["rssi"] is None  # no Wi-Fi yet


class Laser:
    name = "laser"
    laser = True
    warmup_s = 30

    def __init__(self):
        self.calls = []
        self.n = 0

    def read(self):
        self.n += 1
        return {"pm25": [10.0, 500.0, 11.0, 12.0, 9.0][(self.n - 1) % 5]}

    def sleep(self):
        self.calls.append("sleep")

    def wake(self):
        self.calls.append("wake")


def test_sampler_takes_the_median_and_duty_cycles_a_laser_sensor():
    from kit import sampling

    laser = Laser()
    naps = []
    sampler = sampling.Sampler([laser], interval_s=300, samples=5, gap_ms=1000, sleep_ms=naps.append)
    values, failures = sampler.measure()
    assert values == {"pm25": 11.0} and failures == 0 and naps == [1000] * 4
    assert laser.calls == ["sleep"] and sampler.asleep
    assert time.ticks_diff(1000000, sampler.wake_at(1000000)) == 30000
    sampler.measure()
    assert laser.calls == ["sleep", "wake", "sleep"]


def test_short_interval_keeps_the_laser_running_and_limits_samples():
    from kit import sampling

    assert sampling.Sampler([Laser()], interval_s=60, samples=5, gap_ms=1000).duty_cycle
    sampler = sampling.Sampler([Laser()], interval_s=50, samples=5, gap_ms=1000)
    assert not sampler.duty_cycle and sampler.samples == 5
    fast = sampling.Sampler([Laser()], interval_s=1, samples=5, gap_ms=1000)
    assert fast.samples == 1 and fast.warmup_ms == 30000


def test_interval_command_changes_the_interval_and_config_file():
    path = mptest.temp_path("config.json")
    kit = make_kit()
    raw = {k: kit.cfg[k] for k in ("kit_id", "mqtt_host", "mqtt_password", "wifi_ssid", "sensors", "replay_file")}
    with open(path, "w") as f:
        json.dump(raw, f)
    kit.config_path = path
    record = commands.handle(kit, b'{"cmd": "interval", "interval": 30, "id": "c-1"}')
    assert record == {"ok": True, "cmd": "interval", "id": "c-1"} and kit.interval_ms == 30000
    assert config.load(path)["interval"] == 30 and kit.info_due
    assert json.loads(kit.info())["last_cmd"]["id"] == "c-1"


def test_unsynced_clock_is_retried_every_few_minutes_while_connected():
    kit = make_kit()
    syncs = []

    def sync(host=None):
        syncs.append(host)
        return False

    kit.clock.synced = False
    kit.clock.sync = sync
    kit.client = client = FakeClient(acks=10)
    client.ping = lambda: None
    kit.housekeeping()
    assert syncs == []  # just tried at start-up
    kit.last_sync_ms = time.ticks_add(time.ticks_ms(), -link.NTP_RETRY_MS - 1)
    kit.housekeeping()
    assert syncs == ["pool.ntp.org"]
    kit.clock.synced = True
    kit.last_sync_ms = time.ticks_add(time.ticks_ms(), -link.NTP_RETRY_MS - 1)
    kit.housekeeping()
    assert len(syncs) == 1  # once synced, only daily


def test_info_and_reboot_commands_are_acted_on():
    kit = make_kit()
    assert commands.handle(kit, b'{"cmd": "info"}')["ok"] and kit.info_due and not kit.reboot_pending
    assert commands.handle(kit, b'{"cmd": "reboot", "id": 7}') == {"ok": True, "cmd": "reboot", "id": "7"}
    assert kit.reboot_pending


def test_a_retained_command_is_ignored_and_reported_a_live_one_runs():
    kit = make_kit()
    kit.client = client = FakeClient(acks=10)
    client.inbox = [(kit.topic_cmd, b'{"cmd": "reboot", "id": "r-old"}', True)]
    kit.handle_commands()
    assert not kit.reboot_pending and client.inbox == []
    assert kit.last_cmd == {
        "ok": False,
        "cmd": "reboot",
        "id": "r-old",
        "error": "retained command ignored (commands must be sent with retain off)",
    }
    client.inbox = [(kit.topic_cmd, b'{"cmd": "reboot", "id": "r-new"}', False)]
    kit.handle_commands()
    assert kit.reboot_pending and kit.last_cmd["ok"]


def test_tls_without_a_ca_file_is_flagged_in_every_info_message():
    assert "tls_unverified" not in json.loads(make_kit().info())
    assert json.loads(make_kit(tls=True).info())["tls_unverified"] == 1


def test_bad_commands_are_refused_with_a_reason_and_change_nothing():
    kit = make_kit()
    for body, reason in (
        (b"nonsense", "not JSON"),
        (b'{"cmd": "format"}', "unknown command"),
        (b'{"cmd": "interval", "interval": 0}', "interval must be"),
        (b'{"cmd": "update"}', "files"),
    ):
        record = commands.handle(kit, body)
        assert not record["ok"] and reason in record["error"], (body, record)
    assert kit.interval_ms == 60000 and not kit.reboot_pending


class Dead:
    """A sensor whose cable came loose."""

    laser = False
    multi_sample = False

    def __init__(self, name):
        self.name = name

    def read(self):
        raise OSError(5)


def test_a_kit_whose_sensors_all_fail_stays_up_and_says_which_fail():
    kit = make_kit(samples=1)
    kit.readers[:] = [Dead("pms5003"), Dead("bme280")]
    kit.set_interval(60)

    class Dog:
        feeds = 0

        def feed(self):
            self.feeds += 1

    kit.wdt = Dog()
    # Five intervals of nothing but failures: no reading is queued, yet the loop is alive, so the dog is fed
    # (a watchdog reset would not mend a cable, only make the kit flap online/offline).
    for _ in range(5):
        kit.measure()
        kit.last_reading_ms = time.ticks_add(time.ticks_ms(), -10 * kit.interval_ms)
        kit.feed()
    assert len(kit.queue) == 0 and kit.wdt.feeds == 5 and kit.healthy()
    info = json.loads(kit.info())
    assert info["sensors_failing"] == ["pms5003", "bme280"] and info["sensor_failures"] == 10
    kit.info_due = False
    kit.readers[1] = make_kit().readers[0]  # one comes back: info goes out at once, without it
    kit.set_interval(60)
    kit.measure()
    assert kit.info_due and json.loads(kit.info())["sensors_failing"] == ["pms5003"] and len(kit.queue) == 1


def test_a_loop_that_stopped_measuring_starves_the_watchdog():
    kit = make_kit()
    kit.last_measure_ms = time.ticks_add(time.ticks_ms(), -3 * kit.interval_ms - link.WIFI_TIMEOUT_MS - 1000)
    assert not kit.healthy()


class NoWifi:
    """A station that never connects (the router was replaced)."""

    def isconnected(self):
        return False

    def status(self, param=None):
        return 1000

    def connect(self, ssid, key):
        pass


def test_wifi_failing_for_half_an_hour_opens_set_up_by_itself():
    kit = make_kit()
    kit.wlan = NoWifi()
    link.WIFI_TIMEOUT_MS, saved = 10, link.WIFI_TIMEOUT_MS
    try:
        kit.try_connect()
        assert kit.wifi_failed and not kit.setup_due()  # just failed: keep trying
        kit.wifi_ok_ms = time.ticks_add(time.ticks_ms(), -app.SETUP_AFTER_WIFI_FAIL_MS - 1000)
        kit.next_connect_ms = time.ticks_ms()
        assert not kit.step() and kit.setup_pending
        kit.run(max_cycles=1)  # leaves the loop at once (config_path None: no set-up in this test)
    finally:
        link.WIFI_TIMEOUT_MS = saved


def test_a_broker_that_is_down_does_not_open_set_up():
    kit = make_kit()
    kit.wifi_ok_ms = time.ticks_add(time.ticks_ms(), -app.SETUP_AFTER_WIFI_FAIL_MS - 1000)
    kit.wifi_failed = False  # Wi-Fi fine, the platform away: the kit buffers and waits
    assert not kit.setup_due()


def test_readings_and_info_carry_the_version_the_kit_runs_and_whether_it_is_indoors():
    from kit import FW_VERSION

    kit = make_kit(indoor=True)
    info = json.loads(kit.info())
    assert info["fw"] == FW_VERSION and info["indoor"] == 1
    root = mptest.temp_dir("root") + "/"
    with open(root + "version", "w") as f:
        f.write("0.9.1\n")
    kit = app.Kit(kit.cfg, boot=1, clk=FakeClock(), state_dir=mptest.temp_dir("state") + "/", app_root=root)
    kit.measure()
    kit.client = client = FakeClient(acks=10)
    kit.flush()
    assert client.published[0][1]["fw"] == "0.9.1" and json.loads(kit.info())["fw"] == "0.9.1"
    assert json.loads(make_kit().info())["indoor"] == 0


mptest.run(globals())
