# ruff: noqa: UP031  (MicroPython script: %-formatting as in the firmware)
"""RAM the firmware needs: gc.mem_alloc() after import and at the peak of a cycle that replays a full day.

The unix port is 64-bit (8-byte words), so these figures are about twice what an ESP32 (4-byte words)
uses; the budget asserted here is the ESP32's initial heap (56 KiB) doubled accordingly.
"""

import gc
import json
import time

import mptest

BUDGET = 2 * 56 * 1024

gc.collect()
BASE = gc.mem_alloc()

from kit import app, config  # noqa: E402

gc.collect()
IMPORTED = gc.mem_alloc() - BASE


class Clock:
    synced = True
    jump = None
    t = 1764355200

    def now(self):
        self.t += 60
        return self.t


class Client:
    def __init__(self):
        self.peak = 0
        self.messages = 0
        self.last_tx = time.ticks_ms()
        self.inbox = []

    def publish(self, topic, msg, retain=False, qos=0):
        gc.collect()  # what is live while a 60-reading message is on its way: garbage does not count
        self.peak = max(self.peak, gc.mem_alloc() - BASE)
        self.messages += 1
        assert len(json.loads(msg)["readings"]) <= 60


def test_import_and_a_cycle_replaying_a_day_fit_the_heap():
    series = mptest.temp_path("series.csv")
    with open(series, "w") as f:
        f.write("offset_s,pm1,pm25,pm10,t,rh,p\n0,4.1,7.2,12.3,9.8,81.2,1012.5\n60,4.1,7.2,12.3,9.8,81.2,1012.5\n")
    raw = {"kit_id": "mem-001", "mqtt_host": "h", "mqtt_password": "p", "wifi_ssid": "w", "sensors": ["replay"]}
    raw["replay_file"] = series
    kit = app.Kit(config.validate(raw), clk=Clock(), state_dir=mptest.temp_dir("state") + "/")
    for _ in range(1440):  # a day offline at 60 s
        kit.measure()
    gc.collect()
    kit.client = client = Client()
    kit.flush()
    gc.collect()
    steady = gc.mem_alloc() - BASE
    print(
        "RAM (unix port, 64-bit): imports %d B, peak during replay of 1440 readings %d B, after %d B"
        % (IMPORTED, client.peak, steady)
    )
    assert client.messages == 24 and len(kit.queue) == 0
    assert IMPORTED < BUDGET and client.peak < BUDGET


mptest.run(globals())
