"""The dashboard in headless Chromium against the real API: map markers, click → chart, language switch.

Uses Debian's /usr/bin/chromium and /usr/bin/chromedriver; selenium-manager is never asked to download anything.
Screenshots go to test-artifacts/dashboard/.
"""

import shutil
import tempfile
import threading
from collections.abc import Iterator

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.settings import DashboardSettings
from ijlucht.bands import NO_BAND_COLOUR, band_for
from tests.conftest import ROOT, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"

MAP_FIGURE_JS = "const gd = document.querySelector('#kit-map .js-plotly-plot'); return gd && gd.data ? gd.data : null;"
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
    app = create_app(settings)
    server = make_server("127.0.0.1", settings.dashboard_port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{settings.dashboard_port}"
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def dashboard_url(api_base_url: str, seeded_kits: list[str]) -> Iterator[str]:
    settings = DashboardSettings(api_base_url=api_base_url, dashboard_port=free_port(), refresh_seconds=2)
    yield from serve(settings)


@pytest.fixture(scope="module")
def dashboard_without_api_url() -> Iterator[str]:
    dead_api = f"http://127.0.0.1:{free_port()}"
    settings = DashboardSettings(api_base_url=dead_api, dashboard_port=free_port(), api_timeout_seconds=1)
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
    """The first truthy result of condition(driver); fails naming `what` after `timeout` seconds."""
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition, message=f"waiting for {what}")


def map_has_kits(driver: webdriver.Chrome, count: int):
    data = driver.execute_script(MAP_FIGURE_JS)
    if data and len(data) == 2 and len(data[1].get("lat") or []) >= count:
        return data
    return None


def test_map_click_chart_and_language_switch(driver, dashboard_url, api_base_url, seeded_kits):
    kits = httpx.get(f"{api_base_url}/v1/kits").json()["features"]
    driver.get(dashboard_url)

    data = wait_until(driver, "kit markers in the map figure", lambda d: map_has_kits(d, len(kits)))
    wait_until(driver, "the MapLibre canvas", lambda d: d.find_elements(By.CSS_SELECTOR, "#kit-map canvas"))
    assert data[1]["type"] == "scattermap"

    # Each marker has the colour of its kit's PM2.5 band (grey when offline or without a value).
    expected = {}
    for f in kits:
        p = f["properties"]
        band = band_for("pm25", (p["latest"] or {}).get("pm25"))
        expected[p["kit_id"]] = NO_BAND_COLOUR if band is None or p["online"] is False else band.colour
    shown = {
        custom[0]: colour for custom, colour in zip(data[1]["customdata"], data[1]["marker"]["color"], strict=True)
    }
    assert shown == expected
    assert len(set(shown.values())) >= 3  # the seeded levels span several bands

    # Outlines are drawn as map layers, credited to CBS / Kadaster; no request leaves the dashboard's server.
    assert driver.execute_script(LAYERS_JS) == 3
    assert "CBS / Kadaster" in driver.find_element(By.ID, "kit-map").text
    caption = driver.find_element(By.ID, "map-caption").text
    assert caption.startswith("PM2,5 in µg/m³: laatste waarde per kit (nieuwste:")
    external = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith(location.origin) && !n.startsWith('data:') && !n.startsWith('blob:'))"
    )
    assert external == []

    # The 2 s refresh patches the markers in place; the outlines and kits stay.
    before = driver.execute_script(UPDATES_JS)
    wait_until(driver, "two refreshes", lambda d: d.execute_script(UPDATES_JS) >= before + 2)
    assert map_has_kits(driver, len(kits))
    assert driver.execute_script(LAYERS_JS) == 3
    driver.save_screenshot(str(ARTIFACTS / "01_map_nl.png"))

    # Click the Beverwijk kit on the canvas where MapLibre drew it.
    target = next(f for f in kits if f["properties"]["kit_id"] == "seed-beverwijk")
    lon, lat = target["geometry"]["coordinates"]
    x, y, width, height = driver.execute_script(KIT_PIXEL_JS, lon, lat)
    canvas = driver.find_element(By.CSS_SELECTOR, "#kit-map canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - width / 2), int(y - height / 2)).pause(
        0.3
    ).click().perform()

    chart_title = wait_until(
        driver,
        "the chart of the clicked kit",
        lambda d: next(
            (e.text for e in d.find_elements(By.CSS_SELECTOR, "#kit-chart .gtitle") if "Beverwijk" in e.text), None
        ),
    )
    assert chart_title == "Beverwijk: fijnstof, afgelopen 24 uur"
    chart = driver.execute_script("return document.querySelector('#kit-chart .js-plotly-plot').data")
    assert [t["name"] for t in chart] == ["PM2,5", "PM10"]
    assert len([v for v in chart[0]["y"] if v is not None]) >= 280
    assert "WHO" in driver.find_element(By.ID, "kit-chart").text
    driver.execute_script("document.getElementById('kit-chart').scrollIntoView()")
    driver.save_screenshot(str(ARTIFACTS / "02_chart_nl.png"))

    # Switch to English: header, legend, caption and chart follow.
    driver.find_element(By.XPATH, "//label[contains(., 'English')]").click()
    wait_until(
        driver,
        "the English title",
        lambda d: d.find_element(By.TAG_NAME, "h1").text == "IJlucht — particulate matter in the IJmond",
    )
    wait_until(
        driver,
        "the English chart title",
        lambda d: any(
            e.text == "Beverwijk: particulate matter, last 24 hours"
            for e in d.find_elements(By.CSS_SELECTOR, "#kit-chart .gtitle")
        ),
    )
    wait_until(
        driver,
        "the English caption",
        lambda d: d.find_element(By.ID, "map-caption").text.startswith("PM2.5 in µg/m³: latest value per kit"),
    )
    assert "good" in driver.find_element(By.ID, "map-legend").text
    hover = wait_until(
        driver,
        "English hover texts on the map",
        lambda d: [h for h in (d.execute_script(MAP_FIGURE_JS) or [{}, {}])[1].get("hovertext", []) if "PM2.5" in h],
    )
    assert len(hover) == len(kits)
    driver.execute_script("Plotly.Fx.unhover(document.querySelector('#kit-map .js-plotly-plot'))")  # old tooltip
    assert driver.find_element(By.ID, "page").get_attribute("lang") == "en"
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(ARTIFACTS / "03_map_en.png"))

    assert severe_console_errors(driver) == []


def test_page_says_in_words_that_the_api_is_down_and_still_draws_the_map(driver, dashboard_without_api_url):
    driver.get(dashboard_without_api_url)
    message = wait_until(driver, "the API status message", lambda d: d.find_element(By.ID, "api-status").text)
    assert message.startswith("De meetgegevens zijn nu niet bereikbaar")
    assert "is not reachable" in message
    assert "geen gegevens" in driver.find_element(By.ID, "map-caption").text
    data = wait_until(driver, "the empty map", lambda d: d.execute_script(MAP_FIGURE_JS))
    assert len(data[1]["lat"]) == 0
    assert "Klik op een kit" in driver.find_element(By.ID, "kit-chart").text
    driver.save_screenshot(str(ARTIFACTS / "04_api_down_nl.png"))
    assert severe_console_errors(driver) == []
