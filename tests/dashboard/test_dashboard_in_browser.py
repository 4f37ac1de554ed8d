"""The dashboard in headless Chromium against the real API: map markers, scales, time slider, kit panel with
comparison, area means, language switch, API down, links. Screenshots go to test-artifacts/dashboard/; each item on a
phone and a desktop window in both languages: test_dashboard_matrix_in_browser.py.
"""

import json
import time

import httpx
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from ijlucht.bands import NO_BAND_COLOUR, band_for
from tests.dashboard.browser import (
    ARTIFACTS,
    LAND_RGB,
    LAYERS_JS,
    MAP_FIGURE_JS,
    TILE_RGB,
    UPDATES_JS,
    changing_api_dashboard,
    chart_traces,
    click_kit,
    click_label,
    dashboard_url,
    dashboard_with_dead_tiles_url,
    dashboard_with_tiles_url,
    dashboard_without_api_url,
    driver,
    expected_colours,
    map_colours,
    map_has_kits,
    map_pixels,
    severe_console_errors,
    share_of,
    text_of,
    tile_server,
    wait_until,
)

# The module-scoped fixtures come from tests/dashboard/browser.py.
__all__ = [
    "changing_api_dashboard",
    "dashboard_url",
    "dashboard_with_dead_tiles_url",
    "dashboard_with_tiles_url",
    "dashboard_without_api_url",
    "driver",
    "tile_server",
]


def test_map_scales_areas_kit_panel_time_slider_and_language(driver, dashboard_url, api_base_url, seeded_kits):
    # The map draws every public outdoor kit with a position (other tests in the run add indoor and unplaced kits).
    kits = [f for f in httpx.get(f"{api_base_url}/v1/kits?indoor=false").json()["features"] if f["geometry"]]
    latest = httpx.get(f"{api_base_url}/v1/map/latest?quantity=pm25").json()["features"]
    stale = frozenset(f["properties"]["kit_id"] for f in latest if f["properties"]["stale"])
    driver.set_window_size(1280, 1500)
    driver.get(dashboard_url)

    # 1. Live map: every kit a circle in the colour of its PM2.5 band on the default 2024 EAQI.
    data = wait_until(driver, "kit markers in the map figure", lambda d: map_has_kits(d, len(kits)))
    wait_until(driver, "the MapLibre canvas", lambda d: d.find_elements(By.CSS_SELECTOR, "#kit-map canvas"))
    assert data[1]["type"] == "scattermap"
    assert driver.execute_script("return document.getElementById('kit-map').getBoundingClientRect().height") >= 500
    assert map_colours(driver) == expected_colours(kits, "eaqi-2024", stale)
    assert len(set(map_colours(driver).values())) >= 3  # the seeded levels span several bands
    legend = text_of(driver, "map-legend")
    assert "PM2,5 in µg/m³" in legend and "Laatste meting per kit, niet gemiddeld (nieuwste:" in legend
    assert "Europese luchtkwaliteitsindex (EEA, 2024)" in legend and "uurgemiddelden" in legend

    # 7. Offline base map (no tile server set): outlines as map layers credited to CBS / Kadaster, no request
    # leaves the server.
    assert driver.execute_script(LAYERS_JS) == 3
    assert "CBS / Kadaster" in text_of(driver, "kit-map")
    external = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith(location.origin) && !n.startsWith('data:') && !n.startsWith('blob:'))"
    )
    assert external == []
    # plotly.js is the partial bundle: the dashboard's three trace types, about 3 MB instead of 4.7 MB.
    traces = driver.execute_script("return Object.keys(Plotly.PlotSchema.get().traces).sort()")
    assert traces == ["bar", "scatter", "scattermap"]
    plotly_size = driver.execute_script(
        "return performance.getEntriesByType('resource').find(e => e.name.endsWith('/plotly.min.js')).encodedBodySize"
    )
    assert 2_000_000 < plotly_size < 3_500_000

    # Live updates patch the markers in place; the outlines stay.
    before = driver.execute_script(UPDATES_JS)
    wait_until(driver, "two refreshes", lambda d: d.execute_script(UPDATES_JS) >= before + 2)
    assert map_has_kits(driver, len(kits)) and driver.execute_script(LAYERS_JS) == 3
    driver.save_screenshot(str(ARTIFACTS / "01_map_nl.png"))

    # Other band scales recolour the same markers.
    click_label(driver, "scale", "Luchtkwaliteitsindex (RIVM)")
    wait_until(driver, "LKI colours", lambda d: map_colours(d) == expected_colours(kits, "lki", stale))
    wait_until(driver, "the LKI legend", lambda d: "zeer slecht (11)" in text_of(d, "map-legend"))
    click_label(driver, "scale", "WHO-advieswaarden")
    wait_until(driver, "WHO colours", lambda d: map_colours(d) == expected_colours(kits, "who2021", stale))
    assert "binnen WHO-advieswaarde" in text_of(driver, "map-legend")

    # 4. Neighbourhood view: means per municipality, then per district, with the number of kits.
    def area_rows(d) -> dict[str, str]:
        trs = d.find_element(By.ID, "area-table").find_elements(By.CSS_SELECTOR, "tbody tr")
        return {r.find_element(By.TAG_NAME, "td").text: r.text for r in trs}

    rows = wait_until(driver, "the area table", lambda d: "Beverwijk" in text_of(d, "area-table") and area_rows(d))
    assert set(rows) >= {"Beverwijk", "Heemskerk", "Velsen"}
    click_label(driver, "area-level", "wijk")
    wait_until(driver, "the district table", lambda d: "wijk" in text_of(d, "area-table").split("\n")[0])

    # 3. Kit panel: click the Beverwijk kit → status, raw + hourly series, WHO line; then compare Wijk aan Zee.
    click_label(driver, "scale", "Europese luchtkwaliteitsindex (EEA, 2024)")
    target = next(f for f in kits if f["properties"]["kit_id"] == "seed-beverwijk")
    driver.execute_script("window.scrollTo(0, 0)")
    click_kit(driver, *target["geometry"]["coordinates"])
    wait_until(
        driver,
        "the chart of the clicked kit",
        lambda d: "Beverwijk: PM2,5, afgelopen 24 uur" in text_of(d, "kit-chart"),
    )
    names = [t["name"] for t in chart_traces(driver)]
    assert names[:3] == ["PM2,5 uurgemiddelde", "PM2,5 meting", "gemarkeerde meting (twijfelachtig)"]
    hourly, raw = chart_traces(driver)[:2]
    assert len([v for v in raw["y"] if v is not None]) >= 280
    assert 23 <= len(hourly["y"]) <= 25
    assert "WHO-advieswaarde PM2,5" in text_of(driver, "kit-chart")
    status = text_of(driver, "kit-status")
    assert "Beverwijk" in status and "online" in status and "laatst gezien" in status and "firmware" in status

    driver.find_element(By.ID, "compare").click()  # Dash 4 dropdown: a button opening a listbox
    option = wait_until(
        driver,
        "the compare list",
        lambda d: next(
            # the seeded kit by its whole name: other tests add kits such as "Trend Wijk aan Zee", listed before it
            (o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text.strip() == "Wijk aan Zee"),
            None,
        ),
    )
    option.click()
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    wait_until(
        driver, "the compared kit", lambda d: "Wijk aan Zee (uurgemiddelde)" in [t["name"] for t in chart_traces(d)]
    )
    driver.execute_script("document.getElementById('kit-status').scrollIntoView()")
    driver.save_screenshot(str(ARTIFACTS / "02_kit_panel_nl.png"))

    # 2. Time travel: the last 24 hours as hourly means; ▶ steps through the hours.
    driver.execute_script("window.scrollTo(0, 0)")
    click_label(driver, "window", "afgelopen 24 uur")
    wait_until(driver, "the time slider", lambda d: d.find_element(By.ID, "timeline").is_displayed())
    first = wait_until(
        driver, "the hourly legend", lambda d: "Uurgemiddelde per kit" in (t := text_of(d, "map-legend")) and t
    )
    driver.find_element(By.ID, "play").click()
    wait_until(driver, "the next hour", lambda d: text_of(d, "map-legend").split(".")[0] != first.split(".")[0], 10)
    driver.find_element(By.ID, "play").click()  # pause
    driver.execute_script("Plotly.Fx.unhover(document.querySelector('#kit-map .js-plotly-plot'))")
    hour_colours = set(map_colours(driver).values())
    assert hour_colours - {NO_BAND_COLOUR}  # the seeded kits have hourly means in every hour
    driver.save_screenshot(str(ARTIFACTS / "03_time_slider_nl.png"))
    click_label(driver, "window", "nu")
    wait_until(driver, "the live legend", lambda d: "Laatste meting" in text_of(d, "map-legend"))

    # Temperature has no health bands: the legend says so.
    click_label(driver, "quantity", "temperatuur")
    wait_until(driver, "the temperature legend", lambda d: "Geen gezondheidsklassen" in text_of(d, "map-legend"))
    click_label(driver, "quantity", "PM2,5")

    # 5. English: header, controls, legend, chart, hover texts and areas follow.
    driver.find_element(By.XPATH, "//label[contains(., 'English')]").click()
    wait_until(
        driver, "the English title", lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("IJlucht — air")
    )
    wait_until(driver, "the English chart", lambda d: "Beverwijk: PM2.5, last 24 hours" in text_of(d, "kit-chart"))
    wait_until(
        driver, "the English legend", lambda d: "Latest reading per kit, not averaged" in text_of(d, "map-legend")
    )
    assert "good" in text_of(driver, "map-legend") and "µg/m³" in text_of(driver, "map-legend")
    hover = wait_until(
        driver,
        "English hover texts",
        lambda d: [h for h in (d.execute_script(MAP_FIGURE_JS) or [{}, {}])[1].get("hovertext", []) if "PM2.5" in h],
    )
    assert len(hover) == len(kits)
    assert "district" in text_of(driver, "area-table")
    assert driver.find_element(By.ID, "page").get_attribute("lang") == "en"
    driver.execute_script("Plotly.Fx.unhover(document.querySelector('#kit-map .js-plotly-plot'))")
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(ARTIFACTS / "04_map_en.png"))

    assert severe_console_errors(driver) == []


def test_page_says_in_words_that_the_api_is_down_and_still_draws_the_map(driver, dashboard_without_api_url):
    driver.get(dashboard_without_api_url)
    message = wait_until(driver, "the API status message", lambda d: d.find_element(By.ID, "api-status").text)
    assert message.startswith("De meetgegevens zijn nu niet bereikbaar")
    assert "is not reachable" in message
    assert "Geen gegevens" in text_of(driver, "map-legend")
    data = wait_until(driver, "the empty map", lambda d: d.execute_script(MAP_FIGURE_JS))
    assert len(data[1]["lat"]) == 0
    assert "Klik op een kit" in text_of(driver, "kit-chart")
    driver.save_screenshot(str(ARTIFACTS / "06_api_down_nl.png"))
    assert severe_console_errors(driver) == []


def test_configured_tile_server_draws_tiles_under_the_outlines(driver, dashboard_with_tiles_url, tile_server):
    _, tile_requests = tile_server
    driver.get(dashboard_with_tiles_url)
    wait_until(driver, "kit markers over tiles", lambda d: map_has_kits(d, 5))
    wait_until(driver, "tile requests", lambda d: len(tile_requests) >= 4)
    assert all(path.startswith("/tiles/") and path.endswith(".png") for path in tile_requests)
    assert driver.execute_script(LAYERS_JS) == 4  # land fill, the tiles over it, district and municipality lines
    # The tiles are drawn: most of the map shows the tile colour (markers and lines cover the rest).
    wait_until(driver, "tiles on screen", lambda d: share_of(map_pixels(d), TILE_RGB) > 0.6)
    credits = text_of(driver, "kit-map")
    assert "© test tiles" in credits and "CBS / Kadaster" in credits
    assert not driver.find_element(By.ID, "tile-note").is_displayed()
    assert not driver.find_element(By.ID, "demo-label").is_displayed()  # no demo fleet: no demo label
    driver.save_screenshot(str(ARTIFACTS / "07_tiles_nl.png"))
    assert severe_console_errors(driver) == []


def land_shown(pixels: list[tuple[int, int, int]]) -> list | None:
    return pixels if share_of(pixels, LAND_RGB) > 0.3 else None


def test_unreachable_tiles_leave_the_outlines_with_a_small_note_and_a_demo_is_labelled(
    driver, dashboard_with_dead_tiles_url
):
    driver.get(dashboard_with_dead_tiles_url)
    wait_until(driver, "kit markers without tiles", lambda d: map_has_kits(d, 5))
    note = wait_until(driver, "the tile note", lambda d: d.find_element(By.ID, "tile-note").is_displayed())
    assert note and text_of(driver, "tile-note").startswith("De straatkaart kon niet laden")
    assert text_of(driver, "api-status") == ""  # no error beyond the small note
    # The outlines are the base map: land fill drawn, no tile colour anywhere.
    pixels = wait_until(driver, "the land fill", lambda d: land_shown(map_pixels(d)))
    assert share_of(pixels, TILE_RGB) == 0
    label = text_of(driver, "demo-label")
    assert (
        label.startswith("Demo: dit zijn geen actuele metingen")
        and "7 februari 2020 tot en met 21 februari 2020" in label
    )
    driver.save_screenshot(str(ARTIFACTS / "08_no_tiles_demo_nl.png"))
    driver.find_element(By.XPATH, "//label[contains(., 'English')]").click()
    wait_until(driver, "the English note", lambda d: text_of(d, "tile-note").startswith("The street map could not"))
    assert "Real measurements from 7 February 2020 to 21 February 2020" in text_of(driver, "demo-label")
    driver.save_screenshot(str(ARTIFACTS / "09_no_tiles_demo_en.png"))
    errors = severe_console_errors(driver)
    # Only the unreachable tiles complain, in the console: the failed requests, and plotly's "Map error." for them.
    assert [e for e in errors if "/tiles/" not in e and "Uncaught Error: Map error." not in e] == []


def test_a_refresh_sends_only_the_kit_that_changed(driver, changing_api_dashboard):
    url, api, answers = changing_api_dashboard
    driver.get(url)
    wait_until(driver, "the fake kits", lambda d: map_has_kits(d, len(api.values)))
    good = band_for("pm25", 3.0).colour
    assert set(map_colours(driver).values()) == {good}
    time.sleep(0.5)  # let the start-up callbacks settle
    answers.clear()
    wait_until(driver, "two more refreshes", lambda d: sum(o == "kit-map" for o, _ in answers) >= 2)
    refreshes = [json.loads(body)["response"] for o, body in answers if o == "kit-map"]
    assert refreshes and all("kit-map" not in r for r in refreshes)  # nothing changed: no figure sent

    answers.clear()
    api.change("fake-7", 70.0)  # one kit turns "slecht"
    poor = band_for("pm25", 70.0).colour
    wait_until(driver, "the changed kit's new colour", lambda d: map_colours(d)["fake-7"] == poor)
    others = {k: c for k, c in map_colours(driver).items() if k != "fake-7"}
    assert set(others.values()) == {good} and len(others) == len(api.values) - 1
    patch = next(
        r["kit-map"]["figure"] for o, b in answers if o == "kit-map" and "kit-map" in (r := json.loads(b)["response"])
    )
    assert [op["location"][-1] for op in patch["operations"]] == [7, 7]  # colour and hover of kit 7 only
    assert severe_console_errors(driver) == []


def test_a_link_in_another_language_opens_in_it_without_waiting_for_the_language_callback(
    driver, changing_api_dashboard
):
    url, api, answers = changing_api_dashboard
    answers.clear()
    driver.get(url + "?lang=en")  # the dashboard's own language is Dutch
    wait_until(driver, "the map", lambda d: map_has_kits(d, len(api.values)))
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("IJlucht — air")
    assert text_of(driver, "areas-title") == "Means per area"
    assert "page" not in [output for output, _ in answers]  # the texts came with the layout, in the link's language


def test_a_slow_api_shows_spinners_until_the_map_arrives(driver, changing_api_dashboard):
    url, api, _ = changing_api_dashboard
    api.delay = 1.0  # over the spinner delay, under the 2 s refresh (slower: open point, see dashboard/README.md)
    try:
        driver.get(url)
        spinning = (
            "return ['map-loading', 'chart-loading', 'areas-loading']"
            ".filter(id => document.getElementById(id)?.querySelector('.dash-spinner'))"
        )
        shown = wait_until(
            driver, "the map's spinner", lambda d: "map-loading" in (s := d.execute_script(spinning)) and s, 10
        )
        assert "map-loading" in shown
        driver.save_screenshot(str(ARTIFACTS / "10_loading_nl.png"))
        wait_until(driver, "the map after the wait", lambda d: map_has_kits(d, len(api.values)))
        wait_until(driver, "the spinners gone", lambda d: "map-loading" not in d.execute_script(spinning))
    finally:
        api.delay = 0.0


MAP_VIEW_JS = "const m = document.querySelector('#kit-map .js-plotly-plot').layout.map; return [m.center, m.zoom];"


def test_a_link_reproduces_the_view_and_search_list_and_embed_find_and_share(driver, dashboard_url, seeded_kits):
    driver.set_window_size(1280, 1500)
    link = "?quantity=pm10&scale=lki&lang=en&kit=seed-beverwijk&lat=52.49&lon=4.65&zoom=13"
    driver.get(dashboard_url + link)
    wait_until(
        driver, "the English title", lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("IJlucht — air")
    )
    wait_until(
        driver,
        "the linked kit's chart",
        lambda d: "Beverwijk" in text_of(d, "kit-chart") and "PM10" in text_of(d, "kit-chart"),
    )
    assert driver.find_element(By.CSS_SELECTOR, "#quantity input[value=pm10]").is_selected()
    assert driver.find_element(By.CSS_SELECTOR, "#scale input[value=lki]").is_selected()
    centre, _zoom = wait_until(
        driver, "the linked map view", lambda d: (v := d.execute_script(MAP_VIEW_JS))[1] == 13 and v
    )
    assert centre == {"lat": 52.49, "lon": 4.65}
    driver.save_screenshot(str(ARTIFACTS / "11_link_en.png"))

    # Every change rewrites the URL: copying it shares the view.
    click_label(driver, "scale", "WHO")
    wait_until(driver, "the URL to follow", lambda d: "scale=who2021" in d.execute_script("return location.search"))
    search = driver.execute_script("return location.search")
    assert "quantity=pm10" in search and "kit=seed-beverwijk" in search and "lang=en" in search

    # The search box finds a municipality and moves the map there.
    driver.find_element(By.ID, "search").click()
    ActionChains(driver).send_keys("Heemskerk").perform()
    option = wait_until(
        driver,
        "the search choice",
        lambda d: next(
            (o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text == "municipality: Heemskerk"), None
        ),
    )
    option.click()
    wait_until(driver, "the map over Heemskerk", lambda d: 52.49 < d.execute_script(MAP_VIEW_JS)[0]["lat"] < 52.53)

    # The kit list: every kit a row, sortable, names reachable by keyboard.
    driver.find_element(By.ID, "kits-toggle").click()
    rows = wait_until(driver, "the kit list", lambda d: d.find_elements(By.CSS_SELECTOR, ".kit-table tbody tr"))
    assert len(rows) >= len(seeded_kits)
    # The list is rebuilt on every refresh: find and click in one step, again if it was rebuilt meanwhile.
    sort_button = "//table[@class='kit-table']//button[contains(., 'value')]"
    wait_until(driver, "the sort button", lambda d: d.find_element(By.XPATH, sort_button).click() or True)
    wait_until(
        driver,
        "sorted by value",
        lambda d: (
            d.find_element(By.XPATH, "//th[button[contains(., 'value')]]").get_attribute("aria-sort") == "ascending"
        ),
    )
    focus = (
        "const b = [...document.querySelectorAll('.kit-table button.pick')].find(e => e.textContent.includes("
        "'Heemskerk')); if (!b) return false; b.focus(); return document.activeElement === b;"
    )
    wait_until(driver, "the kit name in focus", lambda d: d.execute_script(focus))
    ActionChains(driver).send_keys(Keys.ENTER).perform()  # the keyboard opens the kit
    wait_until(driver, "the picked kit's chart", lambda d: "Heemskerk" in text_of(d, "kit-chart"))
    wait_until(
        driver,
        "the picked kit in the URL",
        lambda d: "kit=seed-heemskerk" in d.execute_script("return location.search"),
    )
    driver.save_screenshot(str(ARTIFACTS / "12_search_list_en.png"))
    assert severe_console_errors(driver) == []


def test_a_link_sets_the_kit_period_the_hour_slider_and_compared_kits_and_changes_go_back_into_it(
    driver, dashboard_url
):
    driver.set_window_size(1280, 1500)
    driver.get(dashboard_url + "?lang=en&window=24h&hour=5&kit=seed-beverwijk&period=7d&compare=seed-heemskerk")
    wait_until(driver, "the linked period", lambda d: "Beverwijk: PM2.5, last 7 days" in text_of(d, "kit-chart"))
    assert driver.find_element(By.CSS_SELECTOR, "#kit-range input[value='7d']").is_selected()
    wait_until(driver, "the compared kit", lambda d: any("heemskerk" in t["name"].lower() for t in chart_traces(d)))
    slider = "return document.querySelector('#hour-slider [role=slider]')?.getAttribute('aria-valuenow')"
    wait_until(driver, "the linked hour", lambda d: d.execute_script(slider) == "5")
    search = driver.execute_script("return location.search")
    assert "hour=5" in search and "period=7d" in search and "compare=seed-heemskerk" in search
    click_label(driver, "kit-range", "last 30 days")
    wait_until(driver, "the period in the URL", lambda d: "period=30d" in d.execute_script("return location.search"))
    driver.save_screenshot(str(ARTIFACTS / "17_link_period_hour_compare_en.png"))
    assert severe_console_errors(driver) == []
