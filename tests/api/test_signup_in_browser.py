"""A resident in headless Chromium: the sign-up form (mistakes said next to their fields, in Dutch and English; the
place clicked on the map), the mailed link (from a real SMTP server) opening the page that shows the kit's
configuration and password once, then the owner page's buttons: export, move (kit history) and delete with the
choice of what happens to the measurements shown before it is made. Real API, dashboard, PostgreSQL and Mosquitto."""

import base64
import json
import logging
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard.map_figure import MAP_CENTER
from dashboard.settings import DashboardSettings
from ijlucht import broker, kithistory, owners
from ingest.store import Batch, store_batch
from ingest.validate import Row
from tests.api.test_accounts import LINK
from tests.dashboard.browser import ARTIFACTS, NO_DEMO, driver, serve, wait_until  # noqa: F401 (driver: a fixture)

IJMUIDEN = (52.458, 4.615)  # GM0453 Velsen
PICK_JS = """
const gd = document.getElementById('pick-map');
const map = gd._fullLayout.map._subplot.map;
const p = map.project([arguments[0], arguments[1]]);
const c = map.getCanvas().getBoundingClientRect();
return [p.x, p.y, c.width, c.height];
"""


@pytest.fixture(scope="module")
def site(api_base_url: str, settings) -> Iterator[str]:
    """The dashboard where the mailed links point (the settings' site_url), over the test API, without tiles."""
    dashboard = DashboardSettings(api_base_url=api_base_url, tile_url="", demo_marker=NO_DEMO)
    assert dashboard.dashboard_url == settings.site_url
    yield from serve(dashboard)


def fill(browser, element_id: str, value: str) -> None:
    field = browser.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(value)


def tick(browser, name: str, value: str, on: bool = True) -> None:
    box = browser.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']")
    if box.is_selected() != on:
        box.click()


def note(browser, field: str) -> str:
    return browser.find_element(By.ID, f"{field}-error").text


def map_ready(browser) -> bool:
    return browser.execute_script("return document.getElementById('pick-map').getAttribute('data-ready') === '1'")


def click_map(browser, lat: float, lon: float) -> None:
    """Click the sign-up map where MapLibre draws (lat, lon)."""
    x, y, width, height = browser.execute_script(PICK_JS, lon, lat)
    canvas = browser.find_element(By.CSS_SELECTOR, "#pick-map canvas")
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - width / 2), int(y - height / 2)).click().perform()


def test_a_resident_signs_up_in_the_form_and_sees_the_configuration_once(
    driver,  # noqa: F811
    site,
    smtp_server,
    settings,
    conn,
    make_kit,
):
    driver.get(f"{site}/signup?lang=en")
    wait_until(driver, "the map to place the kit on", map_ready)
    # Every mistake at once, each said next to its field; what was typed stays.
    fill(driver, "email", "not-an-address")
    fill(driver, "kit_id", "admin")
    fill(driver, "name", "Balcony, Zeestraat")
    fill(driver, "lat", "51.2")
    fill(driver, "lon", "4.65")
    tick(driver, "sensors", "sds011")
    tick(driver, "sensors", "pms5003")
    driver.find_element(By.ID, "submit").click()
    wait_until(driver, "the notes at the fields", lambda d: d.find_elements(By.ID, "email-error"))
    assert "not a valid e-mail address" in note(driver, "email")
    assert "reserved" in note(driver, "kit_id")
    assert "outside the area IJlucht serves" in note(driver, "position")
    assert "cannot share a kit" in note(driver, "sensors") and "pms5003" in note(driver, "sensors")
    assert driver.find_element(By.ID, "email").get_attribute("value") == "not-an-address"
    assert driver.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"
    driver.save_screenshot(str(ARTIFACTS / "signup-form-mistakes.png"))

    # A name taken already: the API's answer, said at the name, in Dutch.
    taken, _ = make_kit("taken")
    driver.get(f"{site}/signup?lang=nl")
    wait_until(driver, "the map", map_ready)
    fill(driver, "email", "someone@example.org")
    fill(driver, "kit_id", taken)
    fill(driver, "name", "Tuin")
    fill(driver, "lat", "52.48")
    fill(driver, "lon", "4.65")
    tick(driver, "sensors", "sds011")
    driver.find_element(By.ID, "submit").click()
    wait_until(driver, "the note at the name", lambda d: d.find_elements(By.ID, "kit_id-error"))
    assert "al in gebruik" in note(driver, "kit_id")
    assert not driver.find_elements(By.ID, "email-error")

    # Right this time, the place clicked on the map.
    kit_id = f"form-{uuid.uuid4().hex[:6]}"
    email = f"{kit_id}@example.org"
    driver.get(f"{site}/signup?lang=en")
    wait_until(driver, "the map", map_ready)
    fill(driver, "email", email)
    fill(driver, "kit_id", kit_id)
    fill(driver, "name", "Balcony, Zeestraat")
    fill(driver, "height_m", "3.5")
    click_map(driver, MAP_CENTER["lat"], MAP_CENTER["lon"])
    lat = float(wait_until(driver, "the clicked place", lambda d: d.find_element(By.ID, "lat").get_attribute("value")))
    lon = float(driver.find_element(By.ID, "lon").get_attribute("value"))
    assert abs(lat - MAP_CENTER["lat"]) < 0.002 and abs(lon - MAP_CENTER["lon"]) < 0.002
    tick(driver, "sensors", "sds011")
    tick(driver, "sensors", "bme280")
    driver.find_element(By.ID, "submit").click()
    sent = wait_until(driver, "the mail sent", lambda d: d.find_elements(By.ID, "sent"))
    assert email in sent[0].text

    # The mailed link opens a page that changes nothing until its button is pressed.
    [message] = smtp_server.to(email)
    found = LINK.search(message.get_payload(decode=True).decode())
    driver.get(found.group(0) + "&lang=en")
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (0,)
    driver.find_element(By.ID, "confirm").click()
    wait_until(driver, "the configuration", lambda d: d.find_elements(By.ID, "mqtt_password"))
    assert driver.find_element(By.ID, "mqtt_host").text == settings.kit_broker_host
    assert driver.find_element(By.ID, "mqtt_port").text == str(settings.kit_broker_port)
    assert driver.find_element(By.ID, "tls").text == "yes"
    assert "only once" in driver.find_element(By.ID, "once").text
    assert "ijlucht-flash write --config kit.json" in driver.find_element(By.ID, "flash").text
    href = driver.find_element(By.ID, "download").get_attribute("href")
    config = json.loads(base64.b64decode(href.split(",", 1)[1]))
    assert config["ca"] == settings.kit_ca_path.read_text()
    assert config["mqtt_password"] == driver.find_element(By.ID, "mqtt_password").text
    assert (sorted(config["sensors"]), config["indoor"]) == (["bme280", "sds011"], False)
    assert broker.kit_account(settings, kit_id) is not None
    # The exact place as clicked is kept (privately); the public one is shifted.
    exact, public = conn.execute(
        "SELECT (lat, lon), (public_lat, public_lon) FROM kits WHERE kit_id = %s", (kit_id,)
    ).fetchone()
    assert tuple(float(v) for v in exact) == (lat, lon) and public != exact
    owner_link = driver.find_element(By.ID, "owner-page").get_attribute("href")
    driver.save_screenshot(str(ARTIFACTS / "signup-configuration.png"))

    # Shown once: the link again finds nothing.
    driver.get(found.group(0) + "&lang=en")
    driver.find_element(By.ID, "confirm").click()
    assert "used already" in wait_until(driver, "the answer", lambda d: d.find_element(By.ID, "message").text)
    run_owner_buttons(driver, conn, settings, kit_id, owner_link)


def run_owner_buttons(browser, conn, settings, kit_id: str, owner_link: str) -> None:
    """The owner page's export, move and delete, each through its confirmation step."""
    caplog_handler = Recorder()
    logging.getLogger("werkzeug").addHandler(caplog_handler)
    logging.getLogger("ijlucht").addHandler(caplog_handler)
    token = owner_link.split("token=")[1].split("&")[0]
    try:
        _owner_buttons(browser, conn, settings, kit_id, owner_link, token)
    finally:
        logging.getLogger("werkzeug").removeHandler(caplog_handler)
        logging.getLogger("ijlucht").removeHandler(caplog_handler)
    # Only the owner's own link (GET /kit/<id>?token=…) carries the token; no action puts it in a logged line.
    assert any("POST /kit/" in line for line in caplog_handler.lines)
    assert not [line for line in caplog_handler.lines if token in line and "GET /kit/" not in line]


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _owner_buttons(browser, conn, settings, kit_id: str, owner_link: str, token: str) -> None:
    t = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    batch = Batch()
    values = {"pm1": None, "pm25": 7.25, "pm10": 11.0, "t": 9.0, "rh": 80.0, "p": 1010.0}
    batch.rows.append((Row(t.timestamp(), kit_id, values, 0, 1), t.timestamp()))
    store_batch(conn, batch)

    # Export: the download holds the kit's reading.
    downloads = settings.state_dir / f"downloads-{kit_id}"
    downloads.mkdir(parents=True, exist_ok=True)
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get(owner_link)
    browser.find_element(By.ID, "export-csv").click()
    target = downloads / f"ijlucht_{kit_id}.csv"
    deadline = time.monotonic() + 20
    while not (target.exists() and "pm25" in target.read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    text = target.read_text()
    assert "7.25" in text and kit_id in text

    # Move: the new place is shown to check, then saved as a new version; the past stays.
    browser.get(owner_link)
    fill(browser, "move-lat", str(IJMUIDEN[0]))
    fill(browser, "move-lon", str(IJMUIDEN[1]))
    fill(browser, "move-height", "6")
    browser.find_element(By.ID, "move").click()
    check = wait_until(browser, "the check", lambda d: d.find_element(By.ID, "step").text)
    assert f"{IJMUIDEN[0]}, {IJMUIDEN[1]}" in check and "height 6.0" in check
    assert len(kithistory.history(conn, kit_id)) == 1
    browser.find_element(By.ID, "move-confirm").click()
    saved = wait_until(browser, "the move saved", lambda d: "Saved" in d.find_element(By.ID, "step").text and d)
    assert "GM0453" in saved.find_element(By.ID, "step").text
    first, moved = kithistory.history(conn, kit_id)
    assert (moved.municipality_code, moved.lat, moved.height_m) == ("GM0453", IJMUIDEN[0], 6.0)
    assert first.valid_to == moved.valid_from and first.lat != moved.lat

    # Delete: each choice says what it does before it is made; a wrong name deletes nothing.
    browser.get(owner_link)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, max(1500, height + 100))
    browser.save_screenshot(str(ARTIFACTS / "owner-page-actions.png"))
    browser.set_window_size(1280, 1500)
    for key in ("keep", "delete"):
        assert browser.find_element(By.ID, f"delete-{key}-says").text == owners.DELETE_CHOICES[key]
    browser.find_element(By.ID, "delete-delete").click()
    browser.find_element(By.ID, "delete").click()
    step = wait_until(browser, "the confirmation step", lambda d: d.find_element(By.ID, "step").text)
    assert owners.DELETE_CHOICES["delete"] in step and "cannot be undone" in step
    fill(browser, "delete-typed", "something-else")
    browser.find_element(By.ID, "delete-confirm").click()
    assert "nothing was deleted" in wait_until(browser, "the refusal", lambda d: d.find_element(By.ID, "step").text)
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id = %s", (kit_id,)).fetchone() == (1,)
    fill(browser, "delete-typed", kit_id)
    browser.find_element(By.ID, "delete-confirm").click()
    done = wait_until(browser, "the kit deleted", lambda d: "is deleted" in d.find_element(By.ID, "step").text and d)
    assert owners.DELETE_CHOICES["delete"] in done.find_element(By.ID, "step").text
    for table in ("kits", "readings", "kit_versions"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE kit_id = %s", (kit_id,)).fetchone() == (0,), table
    assert broker.kit_account(settings, kit_id) is None
