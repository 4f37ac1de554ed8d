"""Each item of the dashboard on a phone-sized and a desktop window, in Dutch and in English, with a screenshot of
each (test-artifacts/dashboard/m<item>_<what>_<size>_<language>.png). One browser for all; window size and language
change inside each test (the language through the link's `lang`), so the matrix costs page loads, not browsers.
"""

import re
import threading
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from ijlucht import quality
from ijlucht.bands import band_for
from tests.dashboard.browser import (
    ARTIFACTS,
    NO_DEMO,
    TILE_RGB,
    ChangingApi,
    chart_traces,
    click_label,
    dashboard_url,
    dashboard_with_dead_tiles_url,
    dashboard_with_tiles_url,
    driver,
    map_colours,
    map_has_kits,
    map_pixels,
    serve_app,
    severe_console_errors,
    share_of,
    text_of,
    tile_server,
    wait_until,
)
from tests.dashboard.browser import MAP_FIGURE_JS as MAP_JS
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures: data/reference)

__all__ = ["dashboard_url", "dashboard_with_dead_tiles_url", "dashboard_with_tiles_url", "driver", "tile_server"]

SIZES = {"phone": (390, 844), "desktop": (1280, 1000)}
LANGUAGES = ("nl", "en")
TITLE = {"nl": "IJlucht — lucht", "en": "IJlucht — air"}


def matrix(driver) -> Iterator[tuple[str, str]]:
    """(size, language) for each of the four combinations, with the window set to the size; restored at the end."""
    try:
        for size, (width, height) in SIZES.items():
            driver.set_window_size(width, height)
            for language in LANGUAGES:
                yield size, language
    finally:
        driver.set_window_size(1280, 1500)


def shot(driver, item: str, size: str, language: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"{item}_{size}_{language}.png"))


def no_sideways_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def in_language(driver, language: str) -> bool:
    return driver.find_element(By.TAG_NAME, "h1").text.startswith(TITLE[language])


def test_item1_tiles_and_their_fallback_on_phone_and_desktop_in_dutch_and_english(
    driver, dashboard_with_tiles_url, dashboard_with_dead_tiles_url
):
    notes = {"nl": "De straatkaart kon niet laden", "en": "The street map could not load"}
    for size, language in matrix(driver):
        driver.get(f"{dashboard_with_tiles_url}?lang={language}")
        wait_until(driver, "kit markers over tiles", lambda d: map_has_kits(d, 5))
        wait_until(driver, "tiles on screen", lambda d: share_of(map_pixels(d), TILE_RGB) > 0.5)
        assert in_language(driver, language) and no_sideways_scroll(driver)
        assert "© test tiles" in text_of(driver, "kit-map")
        if size == "phone":  # the map comes first and fills most of the screen, the choices below it
            width, height = SIZES["phone"]
            box = driver.execute_script("return document.getElementById('kit-map').getBoundingClientRect().toJSON()")
            assert box["width"] <= width and 300 <= box["height"] <= 0.7 * height and box["top"] < height / 3
        assert not driver.find_element(By.ID, "tile-note").is_displayed()
        shot(driver, "m1_tiles", size, language)

        driver.get(f"{dashboard_with_dead_tiles_url}?lang={language}")
        wait_until(driver, "kit markers without tiles", lambda d: map_has_kits(d, 5))
        wait_until(driver, "the tile note", lambda d, note=notes[language]: text_of(d, "tile-note").startswith(note))
        assert in_language(driver, language) and text_of(driver, "api-status") == ""
        shot(driver, "m1_no_tiles", size, language)
    errors = severe_console_errors(driver)
    assert [e for e in errors if "/tiles/" not in e and "Uncaught Error: Map error." not in e] == []


def test_item2_link_search_kit_list_and_embed_on_phone_and_desktop_in_dutch_and_english(
    driver, dashboard_url, seeded_kits
):
    search_label = {"nl": "Zoek", "en": "Find"}
    chart = {"nl": "Beverwijk: PM10, afgelopen 24 uur", "en": "Beverwijk: PM10, last 24 hours"}
    for size, language in matrix(driver):
        driver.get(f"{dashboard_url}?lang={language}&quantity=pm10&kit=seed-beverwijk&lat=52.49&lon=4.65&zoom=12")
        wait_until(driver, "the linked kit's chart", lambda d, title=chart[language]: title in text_of(d, "kit-chart"))
        assert in_language(driver, language)
        assert driver.find_element(By.CSS_SELECTOR, "#quantity input[value=pm10]").is_selected()
        label = search_label[language]
        wait_until(driver, "the search box's label", lambda d, w=label: text_of(d, "search-label") == w)
        driver.find_element(By.ID, "kits-toggle").click()
        rows = wait_until(driver, "the kit list", lambda d: d.find_elements(By.CSS_SELECTOR, ".kit-table tbody tr"))
        assert len(rows) >= len(seeded_kits) and no_sideways_scroll(driver)
        driver.execute_script("document.getElementById('kits-toggle').scrollIntoView()")
        shot(driver, "m2_link_list", size, language)

        # Embedded: Dutch pages show only the map, English ones only a kit's panel.
        if language == "nl":
            driver.get(f"{dashboard_url}?embed=1")
            wait_until(driver, "the embedded map", lambda d: map_has_kits(d, len(seeded_kits)))
            assert not driver.find_element(By.CSS_SELECTOR, ".kit-section").is_displayed()
            wait_until(driver, "the legend", lambda d: "Laatste meting per kit" in text_of(d, "map-legend"))
        else:
            driver.get(f"{dashboard_url}?embed=kit&kit=seed-velsen-zuid&lang=en")
            wait_until(driver, "the embedded kit panel", lambda d: "last 24 hours" in text_of(d, "kit-chart"))
            assert not driver.find_element(By.CSS_SELECTOR, ".map-section").is_displayed()
        assert not driver.find_element(By.CSS_SELECTOR, ".header").is_displayed() and no_sideways_scroll(driver)
        shot(driver, f"m2_embed_{'map' if language == 'nl' else 'kit'}", size, language)
    assert severe_console_errors(driver) == []


def test_item3_history_periods_profiles_and_downloads_on_phone_and_desktop_in_dutch_and_english(driver, dashboard_url):
    # Dutch: 30 days of hourly means; English: a year of daily means.
    words = {
        "nl": ("afgelopen 30 dagen", "gemarkeerde meting (twijfelachtig)", "Gemiddeld per weekdag", "uurgemiddelde"),
        "en": ("last year", "flagged reading (doubtful)", "Mean per weekday", "daily mean"),
    }
    pm25 = {"nl": "PM2,5", "en": "PM2.5"}
    for size, language in matrix(driver):
        period, flagged, weekday, mean = words[language]
        driver.get(f"{dashboard_url}?kit=seed-beverwijk&lang={language}")
        traces = wait_until(driver, "the 24 h chart", lambda d: [t["name"] for t in chart_traces(d)])
        assert flagged in traces  # flagged readings are marked in the chart
        click_label(driver, "kit-range", period)
        wait_until(
            driver,
            "the chosen period",
            lambda d, title=f"Beverwijk: {pm25[language]}, {period}": title in text_of(d, "kit-chart"),
        )
        wait_until(
            driver, "its means", lambda d, w=f"{pm25[language]} {mean}": w in [t["name"] for t in chart_traces(d)]
        )
        cycle = wait_until(
            driver,
            "the daily cycle",
            lambda d: d.execute_script("return document.querySelector('#kit-cycle .js-plotly-plot')?.data"),
        )
        assert cycle[0]["type"] == "bar" and len(cycle[0]["x"]) == 24
        wait_until(driver, "the weekday chart", lambda d, w=weekday: w in text_of(d, "kit-weekday"))
        assert driver.find_element(By.ID, "download-csv").is_displayed()
        assert driver.find_element(By.ID, "download-parquet").is_displayed()
        assert no_sideways_scroll(driver)
        driver.execute_script("document.getElementById('kit-chart').scrollIntoView()")
        shot(driver, "m3_history", size, language)
    assert severe_console_errors(driver) == []


class FlaggedApi(ChangingApi):
    """ChangingApi with one kit's latest reading flagged for high humidity and one excluded from public means."""

    def latest(self) -> dict:
        answer = super().latest()
        for feature in answer["features"]:
            if feature["id"] == "fake-3":
                feature["properties"]["flags"] = quality.HIGH_HUMIDITY
            if feature["id"] == "fake-4":
                feature["properties"].update(flags=quality.FLATLINE, excluded=True, band=None)
        return answer


@pytest.fixture(scope="module")
def slow_flagged_dashboard(tmp_path_factory) -> Iterator[tuple[str, FlaggedApi]]:
    """The dashboard over FlaggedApi, with the demo fleet's marker present."""
    from dashboard.api_client import ApiClient
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings
    from ijlucht.settings import PlatformSettings
    from tests.conftest import free_port
    from virtualkit.fleet import write_demo_marker

    marker = write_demo_marker(PlatformSettings(state_dir=tmp_path_factory.mktemp("state")))
    api = FlaggedApi()
    settings = DashboardSettings(
        api_base_url="http://fake.api",
        dashboard_port=free_port(),
        refresh_seconds=2,  # the spinner shows on a refresh (the first map comes with the page)
        tile_url="",
        demo_marker=str(marker),
    )
    app = create_app(settings, ApiClient("http://fake.api", transport=api.transport()))
    for url in serve_app(app, settings.dashboard_port):
        yield url, api


def hover_texts(driver, word: str) -> dict[str, str] | None:
    """Each kit's hover text on the map, once `word` is in one of them."""
    data = driver.execute_script(MAP_JS)
    hover = dict(zip((c[0] for c in data[1]["customdata"]), data[1]["hovertext"], strict=True))
    return hover if any(word in h for h in hover.values()) else None


SPINNING_JS = "return !!document.getElementById('map-loading')?.querySelector('.dash-spinner')"


def test_item4_loading_demo_label_and_flag_marks_on_phone_and_desktop_in_dutch_and_english(
    driver, slow_flagged_dashboard
):
    url, api = slow_flagged_dashboard
    words = {
        "nl": ("Demo: dit zijn geen actuele metingen", "hoge luchtvochtigheid", "niet meegeteld"),
        "en": ("Demo: these are not current measurements", "high humidity", "not counted"),
    }
    for size, language in matrix(driver):
        demo, humid, excluded = words[language]
        api.delay = 1.0  # over the spinner's delay
        try:
            driver.get(f"{url}?lang={language}")
            wait_until(driver, "the map's spinner", lambda d: d.execute_script(SPINNING_JS), 10)
            shot(driver, "m4_loading", size, language)
            wait_until(driver, "the map after the wait", lambda d: map_has_kits(d, len(api.values)), 20)
        finally:
            api.delay = 0.0
        wait_until(driver, "the page in the link's language", lambda d, w=language: in_language(d, w))
        wait_until(driver, "the demo label", lambda d, w=demo: text_of(d, "demo-label").startswith(w))
        hover = wait_until(driver, "hover texts in the language", lambda d, w=humid: hover_texts(d, w))
        assert humid in hover["fake-3"] and excluded in hover["fake-4"] and humid not in hover["fake-5"]
        wait_until(driver, "the spinner gone", lambda d: not d.execute_script(SPINNING_JS))
        wait_until(driver, "the page settled to the window's width", no_sideways_scroll, 5)
        shot(driver, "m4_demo_flags", size, language)
    assert severe_console_errors(driver) == []


FOCUSED_KIT_JS = "return document.activeElement && document.activeElement.id"
MAP_VIEW_JS = "const m = document.querySelector('#kit-map .js-plotly-plot').layout.map; return [m.center, m.zoom];"


def press(driver, *keys) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def focused_kit(driver) -> str | None:
    """The kit id the keyboard's focus ring is on, as the text under the map says: '… (kit-id) · …'."""
    said = text_of(driver, "map-focus")
    # The id is the bracketed part that ends the first line; a kit's name may hold brackets of its own (the fuzz
    # tests register kits with any name and position: the ring of one far outside the area may lie off the box).
    found = re.search(r"\(([^()]+)\)(?: · |$)", said)
    return found.group(1) if found else None


def test_item2_every_map_marker_by_keyboard_and_places_in_the_search_on_phone_and_desktop_in_dutch_and_english(
    driver, dashboard_url, seeded_kits
):
    hint = {"nl": "Pijltjestoetsen", "en": "Arrow keys"}
    place = {"nl": "plaats: IJmuiden (Velsen)", "en": "place: IJmuiden (Velsen)"}
    for size, language in matrix(driver):
        driver.get(f"{dashboard_url}?lang={language}")
        data = wait_until(driver, "the map", lambda d: map_has_kits(d, len(seeded_kits)))
        on_map = {c[0] for c in data[1]["customdata"]}
        # The map is in the tab order: Tab reaches it from the top of the page.
        for _ in range(40):
            press(driver, Keys.TAB)
            if driver.execute_script(FOCUSED_KIT_JS) == "map-keys":
                break
        assert driver.execute_script(FOCUSED_KIT_JS) == "map-keys"
        assert hint[language] in text_of(driver, "map-focus")  # how it works, read out and shown
        press(driver, Keys.ARROW_RIGHT)
        first = wait_until(driver, "a kit in focus", focused_kit)
        assert first in on_map and driver.find_element(By.ID, "kit-focus").is_displayed()  # the ring shows it
        shot(driver, "m2_keyboard", size, language)
        # N goes through every kit, west to east: each marker is reachable. The map the keys walk is the one drawn
        # now (a refresh or Dash's hand-over may have brought kits other tests added since the first snapshot).
        on_map = {c[0] for c in map_has_kits(driver, 1)[1]["customdata"]}
        reached, at = {first}, first
        for _ in range(len(on_map) + 2):
            press(driver, "n")
            # A kit off screen is read out only once the map has moved to it: wait for the text to change.
            at = wait_until(driver, "the next kit", lambda d, was=at: (k := focused_kit(d)) != was and k)
            reached.add(at)
        assert {c[0] for c in map_has_kits(driver, 1)[1]["customdata"]} <= reached
        press(driver, "n")
        kit = wait_until(driver, "a kit in focus", focused_kit)
        press(driver, Keys.ENTER)  # opens it
        wait_until(driver, "the kit's panel", lambda d, k=kit: f"kit={k}" in d.execute_script("return location.search"))
        wait_until(driver, "its chart", lambda d: chart_traces(d))
        press(driver, Keys.ESCAPE)
        wait_until(driver, "the ring gone", lambda d: not d.find_element(By.ID, "kit-focus").is_displayed())

        # The search finds a place below district level and moves the map there.
        driver.find_element(By.ID, "search").click()
        press(driver, "IJmuid")
        option = wait_until(
            driver,
            "the place in the search",
            lambda d, w=place[language]: next((o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
                                               if o.text == w), None),
        )  # fmt: skip
        option.click()
        wait_until(driver, "the map over IJmuiden", lambda d: d.execute_script(MAP_VIEW_JS) == [
            {"lat": 52.458, "lon": 4.619}, 14])  # fmt: skip
        assert no_sideways_scroll(driver)
        shot(driver, "m2_place_search", size, language)
    assert severe_console_errors(driver) == []


@pytest.fixture(scope="module")
def held_dashboard() -> Iterator[tuple[str, ChangingApi, threading.Event]]:
    """The dashboard over ChangingApi; while the returned event is cleared, Dash's renderer script is held back
    (a slow link, at most 20 s), so a test sees the first view alone."""
    from flask import request

    from dashboard.api_client import ApiClient
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings
    from tests.conftest import free_port

    api = ChangingApi()
    settings = DashboardSettings(
        api_base_url="http://fake.api", dashboard_port=free_port(), refresh_seconds=2, tile_url="", demo_marker=NO_DEMO
    )
    app = create_app(settings, ApiClient("http://fake.api", transport=api.transport()))
    released = threading.Event()
    released.set()

    @app.server.before_request
    def slow_link() -> None:
        if "dash_renderer" in request.path:
            released.wait(20)

    for url in serve_app(app, settings.dashboard_port):
        yield url, api, released


FIRST_MAP_JS = """
const gd = document.getElementById('first-map');
if (!gd || !gd.data || !gd._fullLayout || !gd._fullLayout.map) return null;
const map = gd._fullLayout.map._subplot.map;
if (!map.loaded()) return null;
const p = map.project([arguments[0], arguments[1]]);
const c = map.getCanvas().getBoundingClientRect();
return [gd.data[1].lat.length, p.x - c.width / 2, p.y - c.height / 2];
"""


def test_item6_the_first_view_draws_the_map_before_dash_and_hands_over_on_phone_and_desktop_in_dutch_and_english(
    driver, held_dashboard
):
    url, api, released = held_dashboard
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})  # a first-time visitor
    try:
        for size, language in matrix(driver):
            released.clear()
            driver.get(f"{url}?lang={language}&zoom=12")
            # fake-5 lies at 4.58 + 5 * 0.006, 52.44 + 5 * 0.004 (ChangingApi)
            kits, x, y = wait_until(
                driver, "the first view's map", lambda d: d.execute_script(FIRST_MAP_JS, 4.61, 52.46)
            )
            assert kits == len(api.values) and in_language(driver, language)
            assert driver.find_element(By.ID, "first-view").is_displayed()
            assert driver.execute_script("return typeof window.DashRenderer") == "undefined", (size, language)
            shot(driver, "m6_first_view", size, language)
            # A kit clicked before Dash is there opens once it is.
            canvas = driver.find_element(By.CSS_SELECTOR, "#first-map canvas")
            ActionChains(driver).move_to_element_with_offset(canvas, int(x), int(y)).pause(0.3).click().perform()
            zoom = 13.5 if size == "desktop" else 12  # on a desktop the reader zooms in before Dash is there
            if size == "desktop":
                driver.execute_script("Plotly.relayout(document.getElementById('first-map'), {'map.zoom': 13.5})")
            released.set()
            wait_until(driver, "the hand-over", lambda d: map_has_kits(d, len(api.values)), 30)
            assert not driver.find_elements(By.ID, "first-view") and in_language(driver, language)
            wait_until(driver, "the clicked kit opened", lambda d: "kit=fake-5" in d.execute_script(
                "return location.search"))  # fmt: skip
            wait_until(driver, "the map where the link or the reader put it", lambda d, z=zoom: d.execute_script(
                "return document.querySelector('#kit-map .js-plotly-plot').layout.map.zoom") == z)  # fmt: skip
            assert no_sideways_scroll(driver)
    finally:
        released.set()
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        driver.execute_cdp_cmd("Network.disable", {})
    assert severe_console_errors(driver) == []


def test_item4_an_api_slower_than_the_refresh_still_gets_its_map_drawn_on_phone_and_desktop_in_dutch_and_english(
    driver, held_dashboard
):
    url, api, _ = held_dashboard
    for size, language in matrix(driver):
        driver.get(f"{url}?lang={language}")
        wait_until(driver, "the map", lambda d: map_has_kits(d, len(api.values)))
        value = {"phone": 70.0, "desktop": 30.0}[size] + (1 if language == "en" else 0)
        colour = band_for("pm25", value).colour
        api.delay = 3.0  # slower than the 2 s refresh: each answer takes longer than the interval
        try:
            api.change("fake-2", value)
            wait_until(
                driver,
                "the slow answer drawn",
                lambda d, c=colour: map_colours(d)["fake-2"] == c,
                20,
            )
        finally:
            api.delay = 0.0
        shot(driver, "m4_slow_api", size, language)
    assert severe_console_errors(driver) == []


def test_reference_stations_are_targets_with_a_legend_entry_on_phone_and_desktop_in_dutch_and_english(
    driver,
    dashboard_url,
    imported,  # noqa: F811
):
    """Issue 15: the official stations (data/reference imported, through /v1/stations) drawn as targets."""
    words = {"nl": "officieel meetstation (Luchtmeetnet)", "en": "official station (Luchtmeetnet)"}

    def stations_drawn(d):
        data = d.execute_script(MAP_JS)
        return data if data and len(data) == 6 else None  # rings, kits, the (hidden) exposure layer, 3 stations

    for size, language in matrix(driver):
        driver.get(f"{dashboard_url}?lang={language}")
        data = wait_until(driver, "the stations on the map", stations_drawn)
        assert [t["name"] for t in data[3:]] == ["station-ring", "station-white", "station-centre"]
        assert len(data[5]["lat"]) >= 5 and len(data[1]["lat"]) >= 5  # stations and kits both there
        wait_until(driver, "the legend's station entry", lambda d, w=words[language]: w in text_of(d, "map-legend"))
        shown = wait_until(driver, "the station mark", lambda d: d.find_element(By.CSS_SELECTOR,
                           "#map-legend .station-mark").is_displayed())  # fmt: skip
        assert shown and in_language(driver, language) and no_sideways_scroll(driver)
        shot(driver, "m7_stations", size, language)
    assert severe_console_errors(driver) == []


def test_the_kit_panel_compares_a_kit_with_its_nearest_station_and_the_wind_shows_on_a_desktop_in_english(
    driver,
    dashboard_url,
    imported,  # noqa: F811
    conn,
):
    """The shipped station data end in 2023: a day of current hours is added to NL49570 (removed after)."""
    conn.execute(
        "INSERT INTO reference_hourly (station_id, component, hour, value) SELECT 'NL49570', 'PM25', h, 9.5 "
        "FROM generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()) - "
        "interval '1 hour', interval '1 hour') h"
    )
    conn.execute(  # and the current wind at IJmuiden: from the WSW at 6.2 m/s
        "INSERT INTO weather_hourly (station_id, hour, wind_state, wind_dir, wind_speed) "
        "VALUES ('225', date_trunc('hour', now()) - interval '1 hour', 'direction', 250, 6.2)"
    )
    try:
        driver.get(f"{dashboard_url}?lang=en&kit=seed-beverwijk")
        wait_until(driver, "the wind under the legend", lambda d: "m/s" in text_of(d, "map-legend"))
        # The legend is redrawn on each 2 s refresh: each read waits out a redraw (wait_until reads again).
        wind = wait_until(driver, "the wind line", lambda d: d.find_element(By.ID, "wind").text)
        assert "6.2 m/s, from the W (250°)" in wind and "KNMI IJmuiden" in wind
        style = wait_until(driver, "the arrow", lambda d: d.find_element(By.CSS_SELECTOR, "#wind .wind-arrow")
                           .get_attribute("style"))  # fmt: skip
        assert "rotate(250deg)" in style  # ↓ turned by where the wind comes from: it points where the air goes
        station = wait_until(driver, "the station in the kit chart", lambda d: next(
            (t for t in chart_traces(d) if "Beverwijk-Creutzberglaan" in (t.get("name") or "")), None))  # fmt: skip
        assert station["line"]["dash"] == "dash" and set(station["y"]) == {9.5} and len(station["y"]) == 23
        assert "Nearest official station: Beverwijk-Creutzberglaan (NL49570)" in text_of(driver, "kit-status")
        shot(driver, "m7_kit_station", "desktop", "en")
    finally:
        conn.execute("DELETE FROM reference_hourly WHERE station_id = 'NL49570' AND hour > '2024-01-01Z'")
        conn.execute("DELETE FROM weather_hourly WHERE station_id = '225' AND hour > '2024-01-01Z'")


def test_the_raw_or_corrected_switch_recolours_the_map_names_the_method_and_is_in_the_link_on_phone_and_desktop(
    driver, dashboard_url
):
    """Issue 15: a link with correction=humidity shows the API's corrected values with their method version (or the
    reason there is none) in the hovers; choosing raw again (once, on the desktop in English) takes it out of the URL
    and the method out of the hovers."""
    corrected = {"nl": ("gecorrigeerd met kohler-", "geen gecorrigeerde waarde ("),
                 "en": ("corrected with kohler-", "no corrected value (")}  # fmt: skip
    label = {"nl": "ruw", "en": "raw"}

    def corrected_hovers(d, words):
        data = d.execute_script(MAP_JS)
        hovers = (data[1].get("hovertext") or []) if data and len(data) >= 2 else []
        return hovers if hovers and all(any(w in h for w in words) for h in hovers) else None

    for size, language in (("phone", "nl"), ("desktop", "en")):  # both sizes and both languages in two page loads
        driver.set_window_size(*SIZES[size])
        driver.get(f"{dashboard_url}?lang={language}&correction=humidity")
        hovers = wait_until(driver, "corrected hovers", lambda d, w=corrected[language]: corrected_hovers(d, w))
        assert any(corrected[language][0] in h for h in hovers)  # at least one kit has a humidity-corrected value
        assert in_language(driver, language) and no_sideways_scroll(driver)
        shot(driver, "m7_corrected", size, language)
    click_label(driver, "correction", label[language])  # once, on the desktop in English
    wait_until(driver, "raw values again", lambda d: "correction=" not in d.current_url and not any(
            "kohler-" in h for h in (d.execute_script(MAP_JS) or [{}, {}])[1].get("hovertext") or []))  # fmt: skip
    driver.set_window_size(1280, 1500)
    assert severe_console_errors(driver) == []
