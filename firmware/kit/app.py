"""The kit's main loop: measure every interval, store on flash, forward when the broker is reachable.

    sensors -> sampler (median of samples) -> flash queue -> batches -> MQTT QoS 1 -> broker
                                                  ^ a reading leaves the queue only after its PUBACK
    broker -> cmd topic -> commands (interval, update, info, reboot)

Network trouble never stops measuring: reconnects back off, every wait has a timeout, and the watchdog is
fed only while the loop is healthy. Between readings the kit waits on the socket (or sleeps): no busy loop.
"""

import time

import machine

from kit import (  # noqa: I001
    bootcount,
    clock,
    commands,
    config,
    contract,
    flashqueue,
    health,
    link,
    mqtt,
    payload,
    sampling,
    sensors,
    update,
    version,
)
from kit.link import BACKOFF_MIN_S, NETWORK_ERRORS, WIFI_TIMEOUT_MS

WDT_TIMEOUT_MS = 120000  # longer than the slowest bounded step (Wi-Fi wait + NTP + MQTT connect)
MAX_SLEEP_MS = WDT_TIMEOUT_MS // 4
# Healthy = the loop measured in the last 3 intervals (whether or not the sensors answered: dead sensors are
# reported in info, a reset would not mend a cable) and the broker was reached in the last 6 h. Past that, a
# reset may cure a stuck Wi-Fi stack; the readings are safe in the flash queue.
OFFLINE_RESET_MS = 6 * 3600 * 1000
# Wi-Fi not reached for this long (a new router, a changed password): open the set-up access point by itself,
# which restarts the kit after its 10 minutes, so a passing outage costs one set-up window and no more.
SETUP_AFTER_WIFI_FAIL_MS = 30 * 60 * 1000


def _due(at_ms, now=None):
    return time.ticks_diff(now if now is not None else time.ticks_ms(), at_ms) >= 0


class Kit(link.Link):
    def __init__(self, cfg, boot=0, clk=None, state_dir="", config_path=None, app_root="/"):
        self.cfg = cfg
        self.boot = boot
        self.config_path = config_path  # where an interval command is saved (None: not saved)
        self.app_root = app_root  # where updates are written
        self.fw = version.running(app_root)  # what this kit runs and reports
        self.clock = clk or clock.Clock()
        self.readers = sensors.create(cfg, self.clock)
        self.queue = flashqueue.FlashQueue(state_dir + "queue", cfg["backlog_max"])
        self.topic_readings = contract.topic(cfg["kit_id"], contract.READINGS)
        self.topic_status = contract.topic(cfg["kit_id"], contract.STATUS)
        self.topic_info = contract.topic(cfg["kit_id"], contract.INFO)
        self.topic_cmd = contract.topic(cfg["kit_id"], contract.CMD)
        self.set_interval(cfg["interval"])
        self.ping_ms = cfg["keepalive"] * 1000 // 2
        # Built once: a bad CA file is a configuration error that shows at boot, not at each reconnect.
        self.ssl_context = mqtt.tls_context(cfg["ca_file"]) if cfg["tls"] else None
        if cfg["tls"] and not cfg["ca_file"]:  # flashed with --insecure: say so at every boot (and in info)
            print("WARNING: TLS without ca_file: the broker's certificate is not verified")
        self.client = None
        self.wlan = None
        self.wdt = None
        self.reset_cause = health.reset_cause()
        self.seq = self.queue.msg_seq  # rises only on PUBACK, so a resent message keeps its number
        self.taken = self.sent = self.reconnects = self.last_ts = 0
        self.last_cmd = None
        if update.last_result and update.last_result != "trial":
            self.last_cmd = {"cmd": "update", "ok": False, "error": update.last_result}
        self.info_due = False
        self.reboot_pending = False
        self.setup_pending = False
        self.wifi_failed = False
        self.backoff_s = BACKOFF_MIN_S
        now = time.ticks_ms()
        self.started_ms = self.next_connect_ms = self.last_ok_ms = self.last_reading_ms = now
        self.last_measure_ms = self.wifi_ok_ms = now
        self.last_info_ms = self.last_sync_ms = now
        self.next_reading_ms = time.ticks_add(now, self.sampler.warmup_ms)  # the fans settle first

    def set_interval(self, seconds):
        cfg = self.cfg
        cfg["interval"] = seconds
        self.interval_ms = seconds * 1000
        old = getattr(self, "sampler", None)
        self.sampler = sampling.Sampler(self.readers, seconds, cfg["samples"], cfg["sample_gap_ms"], cfg["duty_cycle"])
        if old is not None:  # the sensors do not know the interval changed: keep what they are doing
            self.sampler.asleep = old.asleep
            self.sampler.failures = old.failures
        self.next_reading_ms = time.ticks_ms()

    def handle_commands(self):
        client = self.client
        while client is not None and client.inbox:
            topic, body, retained = client.inbox.pop(0)
            if topic == self.topic_cmd:
                commands.handle(self, body, retained)

    # --- data ------------------------------------------------------------------------------------------
    def measure(self):
        failing = self.sampler.failing
        values, failures = self.sampler.measure()
        self.last_measure_ms = time.ticks_ms()
        if self.sampler.failing != failing:  # a sensor stopped or came back: tell the platform now
            self.info_due = True
        if values:  # a reading with nothing but a time is worth nothing
            ts = self.clock.now()
            # The platform keeps one reading per (kit, second): a reading delayed into the previous one's
            # second (a slow replay at a 1 s interval) moves to the next second instead of overwriting it.
            if 0 <= self.last_ts - ts <= 1:
                ts = self.last_ts + 1
            self.last_ts = ts
            self.queue.append(payload.reading(ts, values, self.clock.synced, self.boot))
            self.taken += 1
            self.last_reading_ms = time.ticks_ms()

    def flush(self):
        """Publish the queue oldest first, batch_max readings per message; each leaves after its PUBACK."""
        while self.client is not None and len(self.queue):
            batch = self.queue.peek(self.cfg["batch_max"])
            sent = payload.retime(batch, self.boot, self.clock.jump)
            try:
                self.client.publish(self.topic_readings, payload.readings_message(self.seq, sent, self.fw), qos=1)
            except NETWORK_ERRORS as exc:
                self.lost(exc)
                return
            self.seq += 1
            self.queue.drop(len(batch), self.seq)
            self.sent += len(batch)
            self.last_ok_ms = time.ticks_ms()
            self.feed()

    # --- loop ------------------------------------------------------------------------------------------
    def healthy(self):
        now = time.ticks_ms()
        return (
            time.ticks_diff(now, self.last_measure_ms) < 3 * self.interval_ms + WIFI_TIMEOUT_MS
            and time.ticks_diff(now, self.last_ok_ms) < OFFLINE_RESET_MS
        )

    def setup_due(self):
        """True when Wi-Fi failed at every attempt for SETUP_AFTER_WIFI_FAIL_MS: time to ask for new settings."""
        return self.wifi_failed and time.ticks_diff(time.ticks_ms(), self.wifi_ok_ms) >= SETUP_AFTER_WIFI_FAIL_MS

    def feed(self):
        if self.wdt is not None and self.healthy():
            self.wdt.feed()

    def wait(self):
        """Until the next reading, sensor wake-up, ping or reconnect is due: on the socket, or asleep."""
        now = time.ticks_ms()
        wait = time.ticks_diff(self.next_reading_ms, now)
        wake = self.sampler.wake_at(self.next_reading_ms)
        if wake is not None:
            wait = min(wait, time.ticks_diff(wake, now))
        if self.client is not None:
            wait = min(wait, time.ticks_diff(time.ticks_add(self.client.last_tx, self.ping_ms), now))
        else:
            wait = min(wait, time.ticks_diff(self.next_connect_ms, now))
        wait = min(wait, MAX_SLEEP_MS)
        if wait <= 0:
            return
        if self.client is None:
            # time.sleep, not sleep_ms: on the unix port sleep_ms wakes every millisecond (26 virtual kits
            # would keep a core busy), time.sleep is one select() call; on the ESP32 both simply sleep.
            time.sleep(wait / 1000)
            return
        try:
            self.client.wait_msg(wait)
        except NETWORK_ERRORS as exc:
            self.lost(exc)
        self.handle_commands()

    def log_cycle(self, cycle):
        print(
            "cycle=%d online=%d backlog=%d dropped=%d taken=%d sent=%d seq=%d reconnects=%d sensor_failures=%d"
            " synced=%d ts=%d"
            % (
                cycle,
                self.client is not None,
                len(self.queue),
                self.queue.dropped,
                self.taken,
                self.sent,
                self.seq,
                self.reconnects,
                self.sampler.failures,
                self.clock.synced,
                self.last_ts,
            )
        )

    def step(self):
        """One pass of the loop; True when a reading was taken."""
        if self.client is None and _due(self.next_connect_ms):
            self.try_connect()
            if self.setup_due():
                minutes = SETUP_AFTER_WIFI_FAIL_MS // 60000
                print("wifi: '%s' not reached for %d min: opening set-up" % (self.cfg["wifi_ssid"], minutes))
                self.setup_pending = True
                return False
        wake = self.sampler.wake_at(self.next_reading_ms)
        if wake is not None and _due(wake):
            self.sampler.wake()
        if _due(self.next_reading_ms):
            self.measure()
            self.flush()
            self.next_reading_ms = time.ticks_add(self.next_reading_ms, self.interval_ms)
            if _due(self.next_reading_ms):
                self.next_reading_ms = time.ticks_add(time.ticks_ms(), self.interval_ms)  # fell behind: skip
            return True
        self.housekeeping()
        self.feed()
        self.wait()
        return False

    def run(self, max_cycles=None):
        """Measure every interval until max_cycles readings were taken (None: forever)."""
        self.wdt = machine.WDT(timeout=WDT_TIMEOUT_MS)
        cycle = 0
        while (max_cycles is None or cycle < max_cycles) and not self.reboot_pending and not self.setup_pending:
            if self.step():
                cycle += 1
                self.log_cycle(cycle)
        self.shutdown()
        if self.setup_pending and self.config_path:
            from kit import setup

            setup.run(self.config_path, wdt=self.wdt)  # restarts the kit when done
        if self.reboot_pending:
            machine.reset()

    def shutdown(self):
        """Leave cleanly: 'offline' retained, then DISCONNECT (after which the broker drops the will)."""
        if self.client is None:
            return
        try:
            self.client.publish(self.topic_status, contract.STATUS_OFFLINE, retain=True, qos=1)
        except NETWORK_ERRORS:
            pass
        self.client.disconnect()
        self.client = None


def run(config_path="/config.json", max_cycles=None, app_root="/"):
    cfg = config.load(config_path)
    boot = bootcount.increment(config.state_path(config_path, "boot_count"))
    print("kit %s boot %d interval %d s sensors %s" % (cfg["kit_id"], boot, cfg["interval"], cfg["sensors"]))
    state_dir = config.state_path(config_path, "")
    Kit(cfg, boot, state_dir=state_dir, config_path=config_path, app_root=app_root).run(max_cycles)
