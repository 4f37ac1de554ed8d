"""Headless Chromium for the dashboard's browser tests: the page served against an API, the driver, and small
helpers that read the map and chart the way the browser holds them.

Uses Debian's /usr/bin/chromium and /usr/bin/chromedriver; selenium-manager is never asked to download anything.
"""

import shutil
import struct
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from flask import request
from selenium import webdriver
from selenium.common.exceptions import (
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from api.models import band_json
from dashboard.api_client import ApiClient
from dashboard.app import create_app
from dashboard.map_figure import LAND_COLOUR
from dashboard.settings import DashboardSettings
from ijlucht.bands import NO_BAND_COLOUR, band_for
from ijlucht.settings import PlatformSettings
from tests.conftest import ROOT, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
TILE_RGB = (198, 226, 240)  # the local tile server's flat light blue
LAND_RGB = tuple(int(LAND_COLOUR[i : i + 2], 16) for i in (1, 3, 5))  # the outlines' land fill
NO_DEMO = "/nonexistent/demo.json"  # tests run beside a possible `make up` fleet: never read its marker

# Dash's map, once the first view (dashboard/first_view.py) has handed over to it.
MAP_FIGURE_JS = """
if (document.getElementById('first-view')) return null;
const gd = document.querySelector('#kit-map .js-plotly-plot'); return gd && gd.data ? gd.data : null;
"""
LAYERS_JS = "return document.querySelector('#kit-map .js-plotly-plot').layout.map.layers.length"
UPDATES_JS = (
    "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component')).length"
)
# Pixel position of a kit on the map canvas, from MapLibre itself.
KIT_PIXEL_JS = """
const gd = document.querySelector('#kit-map .js-plotly-plot');
const map = gd._fullLayout.map._subplot.map;
const p = map.project([arguments[0], arguments[1]]);
const c = map.getCanvas().getBoundingClientRect();
return [p.x, p.y, c.width, c.height];
"""


def serve(settings: DashboardSettings) -> Iterator[str]:
    yield from serve_app(create_app(settings), settings.dashboard_port)


def serve_app(app, port: int) -> Iterator[str]:
    """The Dash app served on 127.0.0.1:port while the generator is open."""
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def dashboard_url(api_base_url: str, rolled_up: list[str]) -> Iterator[str]:
    settings = DashboardSettings(
        api_base_url=api_base_url, dashboard_port=free_port(), refresh_seconds=2, tile_url="", demo_marker=NO_DEMO
    )
    yield from serve(settings)


@pytest.fixture(scope="module")
def dashboard_without_api_url() -> Iterator[str]:
    dead_api = f"http://127.0.0.1:{free_port()}"
    settings = DashboardSettings(
        api_base_url=dead_api, dashboard_port=free_port(), api_timeout_seconds=1, tile_url="", demo_marker=NO_DEMO
    )
    yield from serve(settings)


@pytest.fixture(scope="module")
def driver() -> Iterator[webdriver.Chrome]:
    profile = tempfile.mkdtemp(prefix="ijlucht-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1500",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium-manager is not consulted and downloads nothing.
    chrome = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    chrome.set_page_load_timeout(30)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield chrome
    chrome.quit()
    shutil.rmtree(profile, ignore_errors=True)


def severe_console_errors(driver: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_until(driver: webdriver.Chrome, what: str, condition, timeout: float = 20):
    """The first truthy result of condition(driver); fails naming `what` after `timeout` seconds. An element
    re-rendered while the condition read it (the page refreshes itself) is read again at the next poll."""
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=ignored).until(
        condition, message=f"waiting for {what}"
    )


def map_has_kits(driver: webdriver.Chrome, count: int):
    data = driver.execute_script(MAP_FIGURE_JS)
    if data and len(data) >= 2 and len(data[1].get("lat") or []) >= count:  # kits, then any stations
        return data
    return None


def map_colours(driver: webdriver.Chrome) -> dict[str, str]:
    data = driver.execute_script(MAP_FIGURE_JS)
    return {c[0]: colour for c, colour in zip(data[1]["customdata"], data[1]["marker"]["color"], strict=True)}


def expected_colours(kits: list[dict], scale: str, stale: frozenset[str] = frozenset()) -> dict[str, str]:
    """Band colours from each kit's latest PM2.5; grey when offline, or stale by the API (`stale` holds their ids:
    other tests in the run leave kits whose last reading is long past)."""
    expected = {}
    for f in kits:
        p = f["properties"]
        band = band_for("pm25", (p["latest"] or {}).get("pm25"), scale)
        grey = band is None or p["online"] is False or p["kit_id"] in stale
        expected[p["kit_id"]] = NO_BAND_COLOUR if grey else band.colour
    return expected


def click_label(driver: webdriver.Chrome, container_id: str, label: str, timeout: float = 5) -> None:
    """Click a radio label; a label the page is redrawing at that moment (a refresh, a language switch) is found
    and clicked again, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            driver.find_element(By.XPATH, f"//*[@id='{container_id}']//label[contains(., '{label}')]").click()
            return
        except (ElementNotInteractableException, StaleElementReferenceException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def text_of(driver: webdriver.Chrome, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def click_kit(driver: webdriver.Chrome, lon: float, lat: float) -> None:
    """Click where MapLibre drew the kit on the canvas."""
    x, y, width, height = driver.execute_script(KIT_PIXEL_JS, lon, lat)
    canvas = driver.find_element(By.CSS_SELECTOR, "#kit-map canvas")
    offset = (int(x - width / 2), int(y - height / 2))
    ActionChains(driver).move_to_element_with_offset(canvas, *offset).pause(0.3).click().perform()


def chart_traces(driver: webdriver.Chrome) -> list[dict]:
    return driver.execute_script("return document.querySelector('#kit-chart .js-plotly-plot')?.data") or []


SCREEN_PIXELS_JS = """
const [b64, points, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const img = new Image();
img.onload = () => {
    const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
    done(points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3))));
};
img.src = 'data:image/png;base64,' + b64;
"""
MAP_BOX_JS = "return document.querySelector('#kit-map canvas').getBoundingClientRect().toJSON()"


def map_pixels(driver: webdriver.Chrome, grid: int = 12) -> list[tuple[int, int, int]]:
    """The colours of a grid of points over the map as the screen shows them (WebGL canvases cannot be read)."""
    box = driver.execute_script(MAP_BOX_JS)
    ratio = driver.execute_script("return window.devicePixelRatio") or 1
    points = [
        [
            int((box["left"] + box["width"] * (i + 0.5) / grid) * ratio),
            int((box["top"] + box["height"] * (j + 0.5) / grid) * ratio),
        ]
        for i in range(grid)
        for j in range(grid)
    ]
    return [tuple(p) for p in driver.execute_async_script(SCREEN_PIXELS_JS, driver.get_screenshot_as_base64(), points)]


def share_of(pixels: list[tuple[int, int, int]], rgb: tuple[int, int, int]) -> float:
    return sum(all(abs(a - b) <= 3 for a, b in zip(p, rgb, strict=True)) for p in pixels) / len(pixels)


def one_pixel_png(rgb: tuple[int, int, int]) -> bytes:
    """A 1×1 PNG: enough for MapLibre to draw a (flat) raster tile."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgb)))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def tile_server() -> Iterator[tuple[str, list[str]]]:
    """A local raster tile server ({z}/{x}/{y}.png, light blue tiles) standing in for an online one."""
    requests: list[str] = []
    tile = one_pixel_png(TILE_RGB)

    def app(environ, start_response):
        requests.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "image/png"), ("Access-Control-Allow-Origin", "*")])
        return [tile]

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/tiles/{{z}}/{{x}}/{{y}}.png", requests
    server.shutdown()


@pytest.fixture(scope="module")
def dashboard_with_tiles_url(api_base_url: str, rolled_up: list[str], tile_server) -> Iterator[str]:
    settings = DashboardSettings(
        api_base_url=api_base_url,
        dashboard_port=free_port(),
        tile_url=tile_server[0],
        tile_attribution="© test tiles",
        demo_marker=NO_DEMO,
    )
    yield from serve(settings)


@pytest.fixture(scope="module")
def dashboard_with_dead_tiles_url(api_base_url: str, rolled_up: list[str], tmp_path_factory) -> Iterator[str]:
    """Tiles configured at a port where nothing listens (a tile server that is down or unreachable), and the demo
    fleet's marker present."""
    from virtualkit.fleet import write_demo_marker

    marker = write_demo_marker(PlatformSettings(state_dir=tmp_path_factory.mktemp("state")))
    settings = DashboardSettings(
        api_base_url=api_base_url,
        dashboard_port=free_port(),
        tile_url=f"http://127.0.0.1:{free_port()}/tiles/{{z}}/{{x}}/{{y}}.png",
        tile_attribution="© unreachable tiles",
        demo_marker=str(marker),
    )
    yield from serve(settings)


class ChangingApi:
    """A fake API serving /v1/map/latest for a few kits whose values a test changes between refreshes."""

    def __init__(self) -> None:
        self.values = {f"fake-{i}": 3.0 for i in range(20)}  # all "goed"
        start = datetime.now(UTC).isoformat()
        self.times = dict.fromkeys(self.values, start)  # of each kit's reading
        self.delay = 0.0  # seconds each answer takes: a slow API

    def change(self, kit_id: str, value: float) -> None:
        """A new reading of one kit."""
        self.values[kit_id] = value
        self.times[kit_id] = datetime.now(UTC).isoformat()

    def latest(self) -> dict:
        now = max(self.times.values())
        features = [
            {"type": "Feature", "id": k,
             "geometry": {"type": "Point", "coordinates": [4.58 + i * 0.006, 52.44 + i * 0.004]},
             "properties": {"kit_id": k, "name": k, "municipality": "Velsen", "district": None, "online": True,
                            "last_seen": self.times[k], "stale": False, "value": v, "time": self.times[k], "flags": 0,
                            "excluded": False, "band": band_json("pm25", v, "eaqi-2024")}}
            for i, (k, v) in enumerate(self.values.items())
        ]  # fmt: skip
        return {"type": "FeatureCollection", "quantity": "pm25", "unit": "µg/m³", "scale": "eaqi-2024",
                "generated_at": now, "stale_after_s": 900, "features": features}  # fmt: skip

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            time.sleep(self.delay)
            if request.url.path == "/v1/map/latest":
                return httpx.Response(200, json=self.latest())
            if request.url.path == "/v1/areas":
                return httpx.Response(200, json={"meta": {"count": 0, "next": None}, "results": []})
            return httpx.Response(404, json={"detail": "Not Found"})

        return httpx.MockTransport(handle)


@pytest.fixture(scope="module")
def changing_api_dashboard() -> Iterator[tuple[str, ChangingApi, list[tuple[str, bytes]]]]:
    """The dashboard over ChangingApi, recording (first output, response body) of every callback answer."""
    api = ChangingApi()
    settings = DashboardSettings(
        api_base_url="http://fake.api", dashboard_port=free_port(), refresh_seconds=2, tile_url="", demo_marker=NO_DEMO
    )
    app = create_app(settings, ApiClient("http://fake.api", transport=api.transport()))
    answers: list[tuple[str, bytes]] = []

    @app.server.after_request
    def record(response):
        if request.path.startswith("/_dash-update-component"):
            output = (request.get_json(silent=True) or {}).get("output", "")
            answers.append((output.lstrip(".").split(".")[0], response.get_data()))
        return response

    server = make_server("127.0.0.1", settings.dashboard_port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{settings.dashboard_port}", api, answers
    server.shutdown()
