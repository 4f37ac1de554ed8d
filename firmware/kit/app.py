"""The kit's main loop: measure every interval, publish the backlog, stay connected, never block forever.

    measure -> backlog (RAM) -> batches -> MQTT QoS 1 -> broker
                  ^ readings stay here until their PUBACK arrives

Network trouble never stops measuring: the loop reconnects with a bounded backoff, every wait is bounded
by a timeout, and the watchdog is fed only while the loop is healthy.
"""

import gc
import time

import machine
import network

from kit import backlog, bootcount, clock, config, contract, mqtt, payload, sensors

NETWORK_ERRORS = (OSError, mqtt.MQTTError)
WIFI_TIMEOUT_MS = 20000
BACKOFF_MIN_S = 2
BACKOFF_MAX_S = 300
WDT_TIMEOUT_MS = 120000  # longer than the slowest bounded step (Wi-Fi wait + NTP + MQTT connect)
MAX_SLEEP_MS = WDT_TIMEOUT_MS // 4
# Healthy = a reading in the last 3 intervals and the broker reached in the last 6 h. Past that, a reset
# may cure a stuck Wi-Fi stack; it costs the RAM backlog, so the limit is long.
OFFLINE_RESET_MS = 6 * 3600 * 1000


class Kit:
    def __init__(self, cfg, boot=0, clk=None):
        self.cfg = cfg
        self.boot = boot
        self.clock = clk or clock.Clock()
        self.readers = sensors.create(cfg, self.clock)
        self.backlog = backlog.Backlog(cfg["backlog_max"])
        self.topic_readings = contract.topic(cfg["kit_id"], contract.READINGS)
        self.topic_status = contract.topic(cfg["kit_id"], contract.STATUS)
        self.topic_info = contract.topic(cfg["kit_id"], contract.INFO)
        self.interval_ms = cfg["interval"] * 1000
        self.ping_ms = cfg["keepalive"] * 1000 // 2
        # Built once: a bad CA file is a configuration error that shows at boot, not at each reconnect.
        self.ssl_context = mqtt.tls_context(cfg["ca_file"]) if cfg["tls"] else None
        self.client = None
        self.wlan = None
        self.wdt = None
        self.seq = 0  # rises only on PUBACK, so a resent message keeps its number
        self.sent = 0
        self.sensor_failures = 0
        self.reconnects = 0
        self.backoff_s = BACKOFF_MIN_S
        now = time.ticks_ms()
        self.next_connect_ms = now
        self.last_ok_ms = now  # last time the broker acknowledged something
        self.last_reading_ms = now

    # --- network ---------------------------------------------------------------------------------------
    def wifi_up(self):
        """True when Wi-Fi is connected, waiting at most WIFI_TIMEOUT_MS for it."""
        if self.wlan is None:
            self.wlan = network.WLAN(network.STA_IF)
            self.wlan.active(True)
        if self.wlan.isconnected():
            return True
        # Calling connect() again while the stack is still connecting confuses the ESP32 driver.
        if self.wlan.status() != getattr(network, "STAT_CONNECTING", -1):
            self.wlan.connect(self.cfg["wifi_ssid"], self.cfg["wifi_password"])
        deadline = time.ticks_add(time.ticks_ms(), WIFI_TIMEOUT_MS)
        while not self.wlan.isconnected():
            if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
                return False
            time.sleep_ms(200)
        return True

    def connect(self):
        """Wi-Fi, clock, MQTT login with last will 'offline', then 'online' and info, both retained."""
        cfg = self.cfg
        if not self.wifi_up():
            raise OSError("wifi: not connected to '%s' within %d s" % (cfg["wifi_ssid"], WIFI_TIMEOUT_MS // 1000))
        if not self.clock.synced:
            self.clock.sync(cfg["ntp_host"])  # before TLS: certificate checks need the date
        gc.collect()
        client = mqtt.MQTTClient(
            cfg["kit_id"],
            cfg["mqtt_host"],
            cfg["mqtt_port"],
            cfg["mqtt_user"],
            cfg["mqtt_password"],
            cfg["keepalive"],
            self.ssl_context,
        )
        client.set_last_will(self.topic_status, contract.STATUS_OFFLINE, retain=True, qos=1)
        client.connect()
        try:
            client.publish(self.topic_status, contract.STATUS_ONLINE, retain=True, qos=1)
            info = payload.info_message(cfg["sensors"], self.boot, cfg["interval"])
            client.publish(self.topic_info, info, retain=True, qos=1)
        except Exception:
            client.close()
            raise
        self.client = client

    def try_connect(self):
        try:
            self.connect()
        except NETWORK_ERRORS as exc:
            self.lost(exc)
            return
        self.backoff_s = BACKOFF_MIN_S
        self.last_ok_ms = time.ticks_ms()
        print("connected to %s:%d as %s" % (self.cfg["mqtt_host"], self.cfg["mqtt_port"], self.cfg["kit_id"]))
        self.flush()

    def lost(self, exc):
        """Drop the connection after a network error and schedule the next attempt (bounded backoff)."""
        if self.client is not None:
            self.client.close()
            self.client = None
        self.reconnects += 1
        print("network error: %s; retry in %d s" % (exc, self.backoff_s))
        self.next_connect_ms = time.ticks_add(time.ticks_ms(), self.backoff_s * 1000)
        self.backoff_s = min(self.backoff_s * 2, BACKOFF_MAX_S)

    def keep_alive(self):
        if self.client is None or time.ticks_diff(time.ticks_ms(), self.client.last_tx) < self.ping_ms:
            return
        try:
            self.client.ping()
            self.last_ok_ms = time.ticks_ms()
        except NETWORK_ERRORS as exc:
            self.lost(exc)

    # --- data ------------------------------------------------------------------------------------------
    def measure(self):
        values, failures = sensors.read_all(self.readers)
        self.sensor_failures += failures
        if values:  # a reading with nothing but a time is worth nothing
            self.backlog.append(payload.reading(self.clock.now(), values, self.clock.synced))
            self.last_reading_ms = time.ticks_ms()

    def flush(self):
        """Publish the backlog oldest first; readings leave it only after their PUBACK."""
        if self.client is None or not len(self.backlog):
            return
        for batch in payload.batches(self.backlog.peek(len(self.backlog)), self.cfg["batch_max"]):
            try:
                self.client.publish(self.topic_readings, payload.readings_message(self.seq, batch), qos=1)
            except NETWORK_ERRORS as exc:
                self.lost(exc)
                return
            self.backlog.drop(len(batch))
            self.seq += 1
            self.sent += len(batch)
            self.last_ok_ms = time.ticks_ms()
            self.feed()

    # --- loop ------------------------------------------------------------------------------------------
    def healthy(self):
        now = time.ticks_ms()
        return (
            time.ticks_diff(now, self.last_reading_ms) < 3 * self.interval_ms + WIFI_TIMEOUT_MS
            and time.ticks_diff(now, self.last_ok_ms) < OFFLINE_RESET_MS
        )

    def feed(self):
        if self.wdt is not None and self.healthy():
            self.wdt.feed()

    def sleep_until(self, next_reading_ms):
        """Sleep until the next reading, ping or reconnect attempt is due (never a busy wait)."""
        now = time.ticks_ms()
        wait = time.ticks_diff(next_reading_ms, now)
        if self.client is not None:
            wait = min(wait, time.ticks_diff(time.ticks_add(self.client.last_tx, self.ping_ms), now))
        else:
            wait = min(wait, time.ticks_diff(self.next_connect_ms, now))
        wait = min(wait, MAX_SLEEP_MS)
        if wait > 0:
            time.sleep_ms(wait)

    def log_cycle(self, cycle):
        print(
            "cycle=%d online=%d backlog=%d dropped=%d sent=%d seq=%d reconnects=%d sensor_failures=%d synced=%d"
            % (
                cycle,
                self.client is not None,
                len(self.backlog),
                self.backlog.dropped,
                self.sent,
                self.seq,
                self.reconnects,
                self.sensor_failures,
                self.clock.synced,
            )
        )

    def run(self, max_cycles=None):
        """Measure every interval until max_cycles readings were taken (None: forever)."""
        self.wdt = machine.WDT(timeout=WDT_TIMEOUT_MS)
        next_reading = time.ticks_ms()
        cycle = 0
        while max_cycles is None or cycle < max_cycles:
            if self.client is None and time.ticks_diff(time.ticks_ms(), self.next_connect_ms) >= 0:
                self.try_connect()
            if time.ticks_diff(time.ticks_ms(), next_reading) >= 0:
                self.measure()
                self.flush()
                cycle += 1
                self.log_cycle(cycle)
                next_reading = time.ticks_add(next_reading, self.interval_ms)
                if time.ticks_diff(time.ticks_ms(), next_reading) > 0:
                    next_reading = time.ticks_add(time.ticks_ms(), self.interval_ms)  # fell behind: skip
                continue
            self.keep_alive()
            self.feed()
            self.sleep_until(next_reading)
        self.shutdown()

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


def run(config_path="/config.json", max_cycles=None):
    cfg = config.load(config_path)
    boot = bootcount.increment(config.state_path(config_path, "boot_count"))
    print("kit %s boot %d interval %d s sensors %s" % (cfg["kit_id"], boot, cfg["interval"], cfg["sensors"]))
    Kit(cfg, boot).run(max_cycles)
