"""The kit's connection to the platform: Wi-Fi, MQTT session (will, birth, info, cmd subscription),
bounded reconnect backoff, keep-alive, NTP retry and the periodic info message. Mixed into app.Kit."""

import gc
import time

import network

from kit import contract, health, mqtt, payload, update

NETWORK_ERRORS = (OSError, mqtt.MQTTError)
WIFI_TIMEOUT_MS = 20000
BACKOFF_MIN_S = 2
BACKOFF_MAX_S = 300
NTP_RETRY_MS = 5 * 60 * 1000  # while the clock was never set
NTP_RESYNC_MS = 24 * 3600 * 1000  # the RTC drifts a few seconds a day
INFO_EVERY_MS = 3600 * 1000


def _due(at_ms):
    return time.ticks_diff(time.ticks_ms(), at_ms) >= 0


class Link:
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
            if _due(deadline):
                return False
            time.sleep_ms(200)
        return True

    def info(self):
        cfg = self.cfg
        return payload.info_message(cfg["sensors"], self.boot, cfg["interval"], health.figures(self), self.fw)

    def connect(self):
        """Wi-Fi, clock, MQTT login with last will 'offline', 'online' + info (retained), cmd subscription."""
        cfg = self.cfg
        if not self.wifi_up():
            self.wifi_failed = True
            raise OSError("wifi: not connected to '%s' within %d s" % (cfg["wifi_ssid"], WIFI_TIMEOUT_MS // 1000))
        if not self.clock.synced:
            self.sync_clock()  # before TLS: certificate checks need the date
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
        self.wifi_ok_ms = time.ticks_ms()
        self.wifi_failed = False
        client.set_last_will(self.topic_status, contract.STATUS_OFFLINE, retain=True, qos=1)
        client.connect()
        try:
            client.publish(self.topic_status, contract.STATUS_ONLINE, retain=True, qos=1)
            version = update.confirm(self.app_root)  # new code that got this far is good
            if version:
                record = {"cmd": "update", "ok": version == self.fw, "version": version}
                if version != self.fw:  # cannot happen unless the version file was lost: say so
                    record["error"] = "update %s confirmed but the kit runs %s" % (version, self.fw)
                self.last_cmd = record
            client.publish(self.topic_info, self.info(), retain=True, qos=1)
            client.subscribe(self.topic_cmd, qos=1)
        except Exception:
            client.close()
            raise
        self.client = client
        self.last_info_ms = time.ticks_ms()

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

    def sync_clock(self):
        self.last_sync_ms = time.ticks_ms()
        return self.clock.sync(self.cfg["ntp_host"])

    def housekeeping(self):
        """Keep-alive ping, NTP retry/resync, periodic info: only while connected."""
        if self.client is None:
            return
        now = time.ticks_ms()
        since_sync = time.ticks_diff(now, self.last_sync_ms)
        if since_sync >= (NTP_RESYNC_MS if self.clock.synced else NTP_RETRY_MS):
            self.sync_clock()
        try:
            if self.info_due or time.ticks_diff(now, self.last_info_ms) >= INFO_EVERY_MS:
                self.info_due = False
                self.last_info_ms = now
                self.client.publish(self.topic_info, self.info(), retain=True, qos=1)
            if time.ticks_diff(now, self.client.last_tx) >= self.ping_ms:
                self.client.ping()
            self.last_ok_ms = time.ticks_ms()
        except NETWORK_ERRORS as exc:
            self.lost(exc)
