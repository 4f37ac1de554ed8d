"""The demo fleet: real IJmond measurements replayed by virtual kits running the real firmware.

`prepare` registers the kits (database row + broker account) and writes each kit's folder (config.json and
its replay series); `seed_history` publishes the last day as a backlog so charts are not empty on first start;
`run` keeps one MicroPython process per kit alive until stopped.
"""

import csv
import json
import logging
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg

from ijlucht import contract
from ijlucht.kits import NewKit, register_kit
from ijlucht.settings import PROJECT_ROOT, PlatformSettings
from virtualkit.launch import start_kit, write_kit_dir

log = logging.getLogger("ijlucht.fleet")

DEMO_DIR = PROJECT_ROOT / "data" / "demo"
PM_FILE = DEMO_DIR / "hll_pm_2020-02-07_2020-02-21.csv"
WEATHER_FILE = DEMO_DIR / "knmi_240_2020-02-07_2020-02-22.csv"
SERIES_START = datetime(2020, 2, 7, 1, tzinfo=UTC)
SERIES_PERIOD_S = 14 * 86400  # whole weeks: weekdays and hours of day survive the shift to the present
SERIES_COLUMNS = ("offset_s", "pm1", "pm25", "pm10", "t", "rh", "p")


@dataclass(frozen=True)
class DemoKit:
    kit_id: str
    name: str
    source_kit: str
    lat: float
    lon: float


def load_fleet(path: Path = DEMO_DIR / "fleet.csv") -> list[DemoKit]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            DemoKit(r["kit_id"], r["name"], r["source_kit"], float(r["lat"]), float(r["lon"]))
            for r in csv.DictReader(f)
        ]


def _hour_offset(date_text: str) -> int:
    t = datetime.fromisoformat(date_text).replace(tzinfo=UTC)
    return int((t - SERIES_START).total_seconds())


def _num(text: str) -> float | None:
    return None if text in ("", "NA") else float(text)


def load_series() -> dict[str, list[tuple]]:
    """source kit -> one row per hour of the period: (offset_s, pm1, pm25, pm10, t, rh, p), None where missing.

    Every hour is present, so an hour the source kit did not measure stays missing on replay instead of being
    bridged by interpolation across a gap of days.
    """
    with WEATHER_FILE.open(newline="", encoding="utf-8") as f:
        weather = {_hour_offset(r["date"]): (_num(r["temp"]), _num(r["rh"])) for r in csv.DictReader(f)}
    pm: dict[str, dict[int, tuple[float | None, float | None]]] = {}
    with PM_FILE.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            pm.setdefault(r["kit_id"], {})[_hour_offset(r["date"])] = (_num(r["pm25"]), _num(r["pm10"]))
    series: dict[str, list[tuple]] = {}
    for kit, hours in pm.items():
        series[kit] = [
            (off, None, *hours.get(off, (None, None)), *weather.get(off, (None, None)), None)
            for off in range(0, SERIES_PERIOD_S, 3600)
        ]
    return series


def replay_anchor(now: float) -> int:
    """Unix time that maps to the start of the series, so that `now` falls inside the current period."""
    start = int(SERIES_START.timestamp())
    return start + (int(now) - start) // SERIES_PERIOD_S * SERIES_PERIOD_S


def interpolate(rows: list[tuple], offset: float) -> dict[str, float]:
    """Values at `offset` s into the series, linear between hours (CPython twin of the board's replay sensor)."""
    offset %= SERIES_PERIOD_S
    before = max((r for r in rows if r[0] <= offset), default=rows[-1], key=lambda r: r[0])
    after = min((r for r in rows if r[0] > offset), default=rows[0], key=lambda r: r[0])
    span = (after[0] - before[0]) % SERIES_PERIOD_S or 1
    w = ((offset - before[0]) % SERIES_PERIOD_S) / span
    out = {}
    for i, key in enumerate(SERIES_COLUMNS[1:], start=1):
        a, b = before[i], after[i]
        if a is not None and b is not None:
            out[key] = round(a + (b - a) * w, 1)
        elif a is not None:
            out[key] = a
    return out


def fleet_dir(settings: PlatformSettings) -> Path:
    return settings.state_dir / "fleet"


# Lies in fleet_dir while the fleet runs: the dashboard (dashboard/demo.py) then labels the map as a demo.
DEMO_MARKER = "demo.json"


def write_demo_marker(settings: PlatformSettings) -> Path:
    """Say which period the fleet replays (first and last day of the source series) and where it comes from."""
    path = fleet_dir(settings) / DEMO_MARKER
    path.parent.mkdir(parents=True, exist_ok=True)
    last_day = SERIES_START + timedelta(seconds=SERIES_PERIOD_S - 1)
    marker = {
        "replayed_from": SERIES_START.date().isoformat(),
        "replayed_to": last_day.date().isoformat(),
        "source": "Hollandse Luchten, KNMI",
    }
    path.write_text(json.dumps(marker), encoding="utf-8")
    return path


def prepare(settings: PlatformSettings, interval_s: int) -> list[Path]:
    """Register every demo kit and write its folder; passwords are kept across runs."""
    from ijlucht import signing

    kits, series = load_fleet(), load_series()
    anchor = replay_anchor(time.time())
    update_key = signing.public_key_hex(signing.load_private_key(settings.secrets_dir))
    dirs = []
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        for kit in kits:
            kit_dir = fleet_dir(settings) / kit.kit_id
            cfg_file = kit_dir / "config.json"
            old = json.loads(cfg_file.read_text()) if cfg_file.exists() else {}
            password = register_kit(
                conn,
                settings,
                NewKit(kit.kit_id, kit.name, kit.lat, kit.lon, created_at=datetime.now(UTC) - timedelta(days=30)),
                password=old.get("mqtt_password"),
            )
            config = {
                "kit_id": kit.kit_id,
                "mqtt_host": settings.mqtt_host,
                "mqtt_port": settings.mqtt_port,
                "mqtt_user": kit.kit_id,
                "mqtt_password": password,
                "interval": interval_s,
                "wifi_ssid": "virtual",
                "wifi_password": "virtual",
                "sensors": ["replay"],
                "replay_file": str(kit_dir / "series.csv"),
                "replay_anchor": anchor,
                "replay_period": SERIES_PERIOD_S,
            }
            write_kit_dir(kit_dir, config, series[kit.source_kit], update_key)
            dirs.append(kit_dir)
    return dirs


def seed_history(settings: PlatformSettings, hours: int = 24, step_s: int = 300) -> int:
    """Publish the last `hours` as each kit's backlog, for kits with no readings yet; returns readings sent."""
    kits, series = load_fleet(), load_series()
    with psycopg.connect(settings.dsn) as conn:
        have = {r[0] for r in conn.execute("SELECT DISTINCT kit_id FROM latest_readings")}
    now = int(time.time()) // step_s * step_s
    anchor = replay_anchor(now)
    sent = 0
    for kit in kits:
        if kit.kit_id in have:
            continue
        cfg = json.loads((fleet_dir(settings) / kit.kit_id / "config.json").read_text())
        readings = []
        for ts in range(now - hours * 3600, now, step_s):
            values = interpolate(series[kit.source_kit], ts - anchor)
            if values:
                readings.append({"ts": ts, **values})
        _publish_backlog(settings, kit.kit_id, cfg["mqtt_password"], readings)
        sent += len(readings)
    return sent


def _publish_backlog(settings: PlatformSettings, kit_id: str, password: str, readings: list[dict]) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit_id)  # its account allows only this id
    client.username_pw_set(kit_id, password)
    client.connect(settings.mqtt_host, settings.mqtt_port)
    client.loop_start()
    try:
        for i in range(0, len(readings), 200):
            msg = {"v": contract.VERSION, "seq": i // 200, "fw": "seed", "readings": readings[i : i + 200]}
            info = client.publish(contract.topic(kit_id, contract.READINGS), json.dumps(msg), qos=1)
            info.wait_for_publish(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def run(kit_dirs: list[Path], stop: threading.Event) -> None:
    """Keep one MicroPython process per kit running (restarting any that exit) until `stop` is set."""
    procs: dict[Path, subprocess.Popen] = {d: start_kit(d) for d in kit_dirs}
    log.info("demo fleet: %d virtual kits running", len(procs))
    while not stop.wait(2.0):
        for d, p in procs.items():
            if p.poll() is not None:
                log.warning("virtual kit %s exited with %s; restarting", d.name, p.returncode)
                procs[d] = start_kit(d)
    for p in procs.values():
        p.terminate()
    for p in procs.values():
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()


def main(interval_s: int = 60) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = PlatformSettings()
    dirs = prepare(settings, interval_s)
    sent = seed_history(settings)
    if sent:
        log.info("seeded %d readings of history", sent)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    marker = write_demo_marker(settings)
    try:
        run(dirs, stop)
    finally:
        marker.unlink(missing_ok=True)
