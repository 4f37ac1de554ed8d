"""Dashboard benchmark: time to a rendered map with 1,000 kits, and p50/p95 of the main callbacks.

Run:  .venv/bin/python -m bench.dashboard.bench_map [--kits 1000] [--seconds 12]

The dashboard runs in-process against a fake API (httpx MockTransport) answering /v1/map/latest, /v1/map/hourly,
/v1/series, /v1/areas and /v1/kits/{id} in the API's shapes, with about a tenth of the kits reporting a new
reading on each map call (kits that report every minute or two, a 15 s refresh); an hourly window is made once and
then served as made (past hours do not change). So the figures are the dashboard's own cost (figure building,
Patch, JSON, browser rendering), not the API's. Headless Debian Chromium drives the page: first visits in a fresh
browser (until the markers show, from the first view or Dash, and until Dash's own map took over), each beside the
ceiling page, warm visits, live refreshes, scale and quantity switches, 24 h and 7 day slider playback, kit clicks.
Server time per callback is measured around each /_dash-update-component call.
"""

import argparse
import json
import logging
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import httpx
from flask import g, request
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from api.models import band_json
from dashboard.api_client import ApiClient
from dashboard.app import create_app
from dashboard.geo import load_outlines
from dashboard.map_figure import map_figure
from dashboard.markers import latest_markers
from dashboard.settings import DashboardSettings

SOUTH, NORTH, WEST, EAST = 52.42, 52.54, 4.55, 4.72
# The map on screen with its markers: the first view's (dashboard/first_view.py) or Dash's own, whichever shows.
SHOWN_JS = """
for (const gd of document.querySelectorAll('#first-map.js-plotly-plot, #kit-map .js-plotly-plot')) {
    if (gd.closest('#react-entry-point') && document.querySelector('.first-view-pending')) continue;  // hidden
    if (!gd.data || gd.data.length < 2 || (gd.data[1].lat || []).length < arguments[0]) continue;
    const sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    if (sub && sub.map && sub.map.loaded() && gd.querySelector('canvas')) return performance.now();
}
return null;
"""
# Dash's own map drawn and the first view gone: from here on everything on the page answers.
RENDERED_JS = """
const gd = document.querySelector('#kit-map .js-plotly-plot');
if (!gd || !gd.data || gd.data.length < 2 || (gd.data[1].lat || []).length < arguments[0]) return null;
const sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
if (!sub || !sub.map || !sub.map.loaded() || !document.querySelector('#kit-map canvas')) return null;
return document.getElementById('first-view') ? null : performance.now();
"""
WATERFALL_JS = """
return performance.getEntriesByType('resource').map(e => [e.name.split('?')[0].split('/').slice(-1)[0] || e.name,
    e.startTime, e.responseEnd, e.encodedBodySize]).sort((a, b) => a[1] - b[1]);
"""
KIT_PIXEL_JS = """
const map = document.querySelector('#kit-map .js-plotly-plot')._fullLayout.map._subplot.map;
const p = map.project([arguments[0], arguments[1]]); const c = map.getCanvas().getBoundingClientRect();
return [p.x - c.width / 2, p.y - c.height / 2];
"""


def fake_api(n_kits: int, seed: int = 1) -> httpx.MockTransport:
    rng = random.Random(seed)
    kits = [(f"bench-{i:04d}", rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for i in range(n_kits)]

    start = datetime.now(UTC).isoformat()
    readings = {k: [round(rng.lognormvariate(2.3, 0.7), 1), start] for k, _, _ in kits}
    online = {k: rng.random() > 0.02 for k, _, _ in kits}
    stale = {k: rng.random() < 0.03 for k, _, _ in kits}

    def latest(quantity: str, scale: str) -> dict:
        now = datetime.now(UTC).isoformat()
        for k in rng.sample(sorted(readings), len(readings) // 10):  # about a tenth of the kits report anew
            readings[k] = [round(rng.lognormvariate(2.3, 0.7), 1), now]
        features = []
        for kit_id, lat, lon in kits:
            value, t = readings[kit_id]
            features.append(
                {"type": "Feature", "id": kit_id, "geometry": {"type": "Point", "coordinates": [lon, lat]},
                 "properties": {"kit_id": kit_id, "name": f"Kit {kit_id[-4:]}", "municipality": "Velsen",
                                "district": None, "online": online[kit_id], "last_seen": t, "stale": stale[kit_id],
                                "value": value, "time": t, "flags": 0, "excluded": False,
                                "band": band_json(quantity, value, scale)}}
            )  # fmt: skip
        return {"type": "FeatureCollection", "quantity": quantity, "unit": "µg/m³", "scale": scale,
                "generated_at": now, "stale_after_s": 900, "features": features}  # fmt: skip

    hourly_answers: dict[tuple[str, str, str], bytes] = {}  # past hours do not change: made once, like a cache

    def hourly(params: httpx.QueryParams) -> bytes:
        key = (params["quantity"], params["start"], params["end"])
        if key not in hourly_answers:
            start, end = datetime.fromisoformat(params["start"]), datetime.fromisoformat(params["end"])
            n = int((end - start).total_seconds() // 3600)
            hours = [(start + timedelta(hours=h)).isoformat() for h in range(n)]
            means = {k: [round(rng.uniform(1, 80), 1) for _ in hours] for k, _, _ in kits}
            answer = {"quantity": params["quantity"], "unit": "µg/m³", "hours": hours, "kits": means}
            hourly_answers[key] = json.dumps(answer).encode()
        return hourly_answers[key]

    def series(params: httpx.QueryParams) -> dict:
        end = datetime.fromisoformat(params["end"])
        step = timedelta(minutes=1) if params["resolution"] == "raw" else timedelta(hours=1)
        n = 1440 if params["resolution"] == "raw" else 24
        rows = [
            {"kit_id": k, "time": (end - step * (n - i)).isoformat(), "quantity": params["quantities"],
             "value": round(rng.uniform(2, 40), 1), "n": 1, "n_flagged": 0, "flags": 4 if rng.random() < 0.01 else 0}
            for k in params["kits"].split(",") for i in range(n)
        ]  # fmt: skip
        return {"meta": {"count": len(rows), "next": None}, "results": rows}

    def handle(req: httpx.Request) -> httpx.Response:
        p, q = req.url.path, req.url.params
        if p == "/v1/map/latest":
            return httpx.Response(200, json=latest(q["quantity"], q["scale"]))
        if p == "/v1/map/hourly":
            return httpx.Response(200, content=hourly(q), headers={"content-type": "application/json"})
        if p == "/v1/series":
            return httpx.Response(200, json=series(q))
        if p == "/v1/stats":
            by = q["by"]
            slots = range(24) if by == "hour_of_day" else range(1, 8)
            rows = [{"kit_id": k, "slot": s, "n_hours": 30, "mean": round(rng.uniform(3, 30), 1)}
                    for k in q["kits"].split(",") for s in slots]  # fmt: skip
            return httpx.Response(200, json={"results": rows})
        if p == "/v1/areas":
            rows = [
                {"code": f"WK{i:06d}", "name": f"Wijk {i}", "kits": 30, "mean": 12.0, "band": None} for i in range(32)
            ]
            return httpx.Response(200, json={"meta": {"count": len(rows), "next": None}, "results": rows})
        if p.startswith("/v1/kits/"):
            kit_id = p.rsplit("/", 1)[1]
            props = {"kit_id": kit_id, "name": kit_id, "online": True, "last_seen": datetime.now(UTC).isoformat(),
                     "firmware": "0.1.0", "municipality": "Velsen"}  # fmt: skip
            return httpx.Response(200, json={"type": "Feature", "id": kit_id, "geometry": None, "properties": props})
        return httpx.Response(404, json={"detail": "Not Found"})

    return httpx.MockTransport(handle)


CEILING_HTML = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ceiling</title></head>
<body style="margin:0"><div id="kit-map"><div id="plot" style="height:600px"></div></div>
<script src="/_dash-component-suites/plotly/package_data/plotly.min.js"></script>
<script>const fig = __FIGURE__; Plotly.newPlot('plot', fig.data, fig.layout, {responsive: true});</script>
</body></html>"""


def ceiling_page(transport: httpx.MockTransport) -> str:
    """The ceiling: a bare static page drawing the dashboard's own map figure (same markers, outlines, plotly.js
    file and MapLibre) with nothing else — no Dash, no React, no callback round trip."""
    client = ApiClient("http://bench.api", transport=transport)
    markers = latest_markers(client.map_latest("pm25", "eaqi-2024"), "eaqi-2024")
    figure = map_figure(markers, "nl", "pm25", load_outlines())
    return CEILING_HTML.replace("__FIGURE__", figure.to_json())


def first_visit(url: str, kits: int) -> tuple[float, float, list]:
    """Navigation start → markers on screen with the map loaded, and → Dash's own map drawn (the hand-over), in a
    fresh browser (empty cache); and the waterfall."""
    driver, profile = chromium()
    try:
        driver.get(url)
        shown = WebDriverWait(driver, 60, 0.02).until(lambda d: d.execute_script(SHOWN_JS, kits))
        dash_map = WebDriverWait(driver, 60, 0.05).until(lambda d: d.execute_script(RENDERED_JS, kits))
        return shown, dash_map, driver.execute_script(WATERFALL_JS)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def chromium() -> tuple[webdriver.Chrome, str]:
    profile = tempfile.mkdtemp(prefix="ijlucht-bench-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--window-size=1280,1400", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options), profile


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kits", type=int, default=1000)
    parser.add_argument("--cold", type=int, default=5, help="first visits to time, each in a fresh browser")
    parser.add_argument("--seconds", type=float, default=12, help="live refreshes to watch (1 s interval)")
    args = parser.parse_args()

    # No tile server (the bench runs offline) and no demo label: the page as `make up` draws it without internet.
    settings = DashboardSettings(
        api_base_url="http://bench.api", dashboard_port=0, refresh_seconds=2, tile_url="", demo_marker="/nonexistent"
    )
    transport = fake_api(args.kits)
    app = create_app(settings, ApiClient("http://bench.api", transport=transport))
    ceiling_html = ceiling_page(transport)
    app.server.add_url_rule("/ceiling", "ceiling", lambda: ceiling_html)
    timings: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, list[int]] = defaultdict(list)
    patches: list[int] = []  # sizes of live-refresh answers that patched the map

    @app.server.before_request
    def start_clock() -> None:
        g.t0 = time.perf_counter()

    @app.server.after_request
    def stop_clock(response):
        if request.path.startswith("/_dash-update-component"):
            body = request.get_json(silent=True) or {}
            output = body.get("output", "?")
            name = output.lstrip(".").split(".")[0].split("@")[0] or output
            if name == "kit-map" and body.get("changedPropIds") == ["refresh.n_intervals"]:
                name = "kit-map (live refresh)"  # the Patch of changed markers only
                answer = response.get_data()
                if answer and '"kit-map"' in answer.decode()[:40]:  # the answer carries a Patch of the map
                    patches.append(len(answer))
            timings[name].append((time.perf_counter() - g.t0) * 1000)
            sizes[name].append(len(response.get_data()))
        return response

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the figures
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cold: list[float] = []  # first visits, each in a new browser with an empty cache
    handed: list[float] = []  # the same visits until Dash's own map took over
    ceiling: list[float] = []  # the same for the bare page, alternating, so both see the same machine load
    waterfall: list = []
    for _ in range(args.cold):
        shown, dash_map, fetched = first_visit(url, args.kits)
        cold.append(shown)
        handed.append(dash_map)
        waterfall = waterfall or fetched
        ceiling.append(first_visit(url + "/ceiling", args.kits)[0])
    driver, profile = chromium()
    wait = WebDriverWait(driver, 60, poll_frequency=0.05)
    try:
        warm: list[float] = []  # visits with the browser's cache and code cache filled
        for _ in range(4):
            driver.get(url)
            warm.append(wait.until(lambda d: d.execute_script(SHOWN_JS, args.kits)))
            wait.until(lambda d: d.execute_script(RENDERED_JS, args.kits))
        warm = warm[1:]  # the first of these filled the cache
        timings.clear()
        sizes.clear()
        patches.clear()
        deadline = time.monotonic() + args.seconds  # live refreshes (Patch) meanwhile
        for label in ("Luchtkwaliteitsindex (RIVM)", "WHO-advieswaarden", "Europese luchtkwaliteitsindex (EEA, 2024)"):
            driver.find_element(By.XPATH, f"//*[@id='scale']//label[contains(., '{label}')]").click()
            time.sleep(0.8)
        for label in ("PM10", "temperatuur", "PM2,5"):
            driver.find_element(By.XPATH, f"//*[@id='quantity']//label[contains(., '{label}')]").click()
            time.sleep(0.8)
        for _ in range(5):  # kit clicks → kit panel
            lat, lon = random.uniform(52.46, 52.50), random.uniform(4.60, 4.68)
            x, y = driver.execute_script(KIT_PIXEL_JS, lon, lat)
            canvas = driver.find_element(By.CSS_SELECTOR, "#kit-map canvas")
            ActionChains(driver).move_to_element_with_offset(canvas, int(x), int(y)).click().perform()
            time.sleep(0.8)
        while time.monotonic() < deadline:
            time.sleep(0.5)
        for window in ("afgelopen 24 uur", "afgelopen 7 dagen"):
            driver.find_element(By.XPATH, f"//*[@id='window']//label[contains(., '{window}')]").click()
            time.sleep(1.5)
            driver.find_element(By.ID, "play").click()
            time.sleep(6)
            driver.find_element(By.ID, "play").click()
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        server.shutdown()

    print(f"dashboard benchmark: {args.kits} kits, fake in-process API, headless Chromium")
    print(f"time to rendered map (navigation start → {args.kits} markers drawn, MapLibre loaded):")
    rows = (
        ("first visit, empty cache", cold),
        ("ceiling: bare page, same", ceiling),
        ("  … until Dash's map took over", handed),
        ("repeat visit, warm cache", warm),
    )
    for label, values in rows:
        median, worst = statistics.median(values), max(values)
        print(f"  {label:<30} median {median:>5.0f} ms   max {worst:>5.0f} ms   (n={len(values)})")
    ratio = statistics.median(cold) / statistics.median(ceiling)
    print(f"  first visit / ceiling: {ratio:.2f}×   target ≤ 1.5×, and < 1000 ms")
    print("first visit, what the page fetched (ms from navigation start):")
    for name, start, end, size in waterfall:
        if end - start > 40 or size > 100_000:
            print(f"  {name[:44]:<46}{start:>7.0f} → {end:>5.0f}  {size / 1024:>7.0f} KiB")
    print("server time per callback answer, and its size:")
    print(f"{'callback (first output)':<28}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p50 KiB':>9}")
    main_calls: list[float] = []
    for name, values in sorted(timings.items(), key=lambda kv: -len(kv[1])):
        if name.split(" ")[0] in ("kit-map", "kit-chart", "area-table", "timeline"):
            main_calls.extend(values)
        kib = statistics.median(sizes[name]) / 1024
        print(f"{name:<28}{len(values):>5}{percentile(values, 50):>9.1f}{percentile(values, 95):>9.1f}"
              f"{max(values):>9.1f}{kib:>9.1f}")  # fmt: skip
    live = [size / 1024 for size in patches]
    if live:
        print(f"live refreshes that changed markers: {len(live)}, median answer {statistics.median(live):.1f} KiB"
              f" (all markers' arrays: {statistics.median(sizes['kit-map']) / 1024:.0f} KiB)")  # fmt: skip
    print(f"p95 over the main callbacks (map, kit chart, areas, timeline): {percentile(main_calls, 95):.1f} ms"
          "   target < 300 ms")  # fmt: skip
    print(f"browser console errors: {len(errors)}")
    for e in errors[:5]:
        print("  ", json.dumps(e)[:200])


if __name__ == "__main__":
    main()
