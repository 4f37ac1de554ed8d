"""The science views (issues 16 and 17) in headless Chromium against the real API with data/reference imported:
trend with the events marked, before/after around an event, the subscribe form, the wind and sources view and the
exposure map layer; Dutch on a phone and English on a desktop (screenshots: test-artifacts/dashboard/s_*.png)."""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.conftest import free_port
from tests.dashboard.browser import (
    ARTIFACTS,
    MAP_FIGURE_JS,
    click_label,
    dashboard_url,
    driver,
    severe_console_errors,
    text_of,
    wait_until,
)
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures: data/reference)

__all__ = ["dashboard_url", "driver"]

# The API of this session sends its mail here (read when it starts; the API tests set it first in a full run).
os.environ.setdefault("IJLUCHT_SMTP_PORT", str(free_port()))

SIZES = {"phone": (390, 844), "desktop": (1280, 1000)}


@pytest.fixture(scope="module")
def mail_relay() -> Iterator[None]:
    """A real SMTP server where the API sends its mail (IJLUCHT_SMTP_PORT, set by tests/conftest.py); when the API
    tests' own server already listens there, that one takes the mail."""
    from aiosmtpd.controller import Controller

    class Accept:
        async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
            return "250 accepted"

    controller = Controller(Accept(), hostname="127.0.0.1", port=int(os.environ["IJLUCHT_SMTP_PORT"]))
    try:
        controller.start()
    except (OSError, RuntimeError):
        yield None  # the port is taken: the API tests' server answers
        return
    yield None
    controller.stop()


def choose(driver, dropdown_id: str, typed: str, option_text: str) -> None:
    """Open a Dash dropdown, type to filter it, and click its option containing `option_text` (radio items are
    options too: theirs are inline labels, left out)."""
    box = driver.find_element(By.ID, dropdown_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    if typed:
        driver.switch_to.active_element.send_keys(typed)
    option = wait_until(
        driver,
        f"the option {option_text!r} of {dropdown_id}",
        lambda d: next(
            (
                o
                for o in d.find_elements(By.CSS_SELECTOR, "[role=option]:not(.dash-radioitems-inline)")
                if option_text in o.text and o.is_displayed()
            ),
            None,
        ),
    )
    option.click()


def caption_under(driver, graph_id: str) -> str:
    return driver.find_element(By.XPATH, f"//*[@id='{graph_id}']/ancestor::figure//figcaption").text


def graph_data(driver, graph_id: str) -> list[dict] | None:
    return driver.execute_script(f"return document.querySelector('#{graph_id} .js-plotly-plot')?.data")


def graph_layout(driver, graph_id: str) -> dict:
    return driver.execute_script(f"return document.querySelector('#{graph_id} .js-plotly-plot').layout")


def layer_drawn(driver) -> list[dict] | None:
    """The map's traces once its exposure layer (trace 2) is shown with circles."""
    data = driver.execute_script(MAP_FIGURE_JS)
    layer = data[2] if data and len(data) > 2 else {}
    return data if layer.get("visible") is not False and layer.get("lat") else None


def no_sideways_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_trend_before_after_and_subscribe_for_a_station_in_english_on_a_desktop(
    driver,
    dashboard_url,
    imported,  # noqa: F811
    mail_relay,
):
    driver.set_window_size(*SIZES["desktop"])
    driver.get(f"{dashboard_url}?lang=en")
    wait_until(driver, "the science section", lambda d: text_of(d, "analysis-title") == "Wind, sources and trends")
    assert "fetched only then" in text_of(driver, "analysis-hint")
    choose(driver, "analysis-place", "NL49570", "Beverwijk-Creutzberglaan (NL49570)")

    # Trend: monthly means (and weather-normalised) of 2019–2023 from the station, the 2023 events marked.
    click_label(driver, "analysis-view", "trend")
    traces = wait_until(driver, "the trend chart", lambda d: graph_data(d, "trend-chart"))
    names = [t["name"] for t in traces]
    assert names[0] == "monthly mean" and "weather-normalised" in names
    months = [m for m, v in zip(traces[0]["x"], traces[0]["y"], strict=True) if v is not None]
    assert months[0] == "2020-01-01" and months[-1].startswith("2023-0")  # a month needs 240 hours: not Dec 2019
    events = [a["hovertext"] for a in graph_layout(driver, "trend-chart")["annotations"] if a.get("name") == "event"]
    # only the events within the station's months (2020-01 to 2023-08), not the later ones
    assert [e[:10] for e in events] == ["2021-09-15", "2023-07-21"] and "reconsiders its hydrogen plans" in events[1]
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#trend-body .trend-events a")]
    assert len(links) == 2 and links[1].startswith("https://www.dutchnews.nl/2023/07/")
    assert "correlation, not proof" in caption_under(driver, "trend-chart")
    assert (
        text_of(driver, "trend-body").count("No trend can be computed") + text_of(driver, "trend-body").count("Trend: ")
        == 1
    )  # the slope with its interval, or the API's reason there is none
    driver.save_screenshot(str(ARTIFACTS / "s_trend_desktop_en.png"))

    # Before/after around an event: twelve months each side (of which the station has 2023's), both differences.
    click_label(driver, "analysis-view", "before and after")
    assert text_of(driver, "trend-body") == ""
    choose(driver, "compare-event", "", "2023-07-21")
    driver.find_element(By.ID, "compare-go").click()
    traces = wait_until(driver, "the before/after chart", lambda d: graph_data(d, "compare-chart"))
    assert traces[0]["y"][0] == "measured" and all(t["error_x"]["array"] for t in traces)
    line = text_of(driver, "compare-body")
    assert "Before: " in line and "µg/m³, after: " in line and "weather-normalised" in line
    assert "correlation, not proof" in caption_under(driver, "compare-chart")
    driver.save_screenshot(str(ARTIFACTS / "s_compare_desktop_en.png"))

    # Subscribe: a bad address is refused in the page; a good one is posted and the API's mail goes out.
    click_label(driver, "analysis-view", "alerts")
    wait_until(driver, "the form", lambda d: d.find_element(By.ID, "alerts-email").is_displayed())
    email = driver.find_element(By.ID, "alerts-email")
    email.send_keys("not-an-address")
    choose(driver, "alerts-target", "Beverw", "area: Beverwijk")
    driver.find_element(By.ID, "alerts-submit").click()
    wait_until(driver, "the refusal", lambda d: "Enter a valid e-mail address" in text_of(d, "alerts-answer"))
    email.send_keys(Keys.END, *[Keys.BACKSPACE] * len("not-an-address"))  # as a person corrects it
    address = f"resident-{uuid.uuid4().hex[:8]}@example.org"
    email.send_keys(address)
    click_label(driver, "alerts-trigger", "when a band lasts")
    wait_until(driver, "the band and hours", lambda d: d.find_element(By.ID, "alerts-hours").is_displayed())
    driver.find_element(By.ID, "alerts-submit").click()
    answer = wait_until(driver, "the API's answer", lambda d: "valid e-mail" not in text_of(d, "alerts-answer")
                        and text_of(d, "alerts-answer"))  # fmt: skip
    assert f"confirmation e-mail to {address}" in answer
    assert "indicative" in text_of(driver, "alerts-form")
    driver.save_screenshot(str(ARTIFACTS / "s_alerts_desktop_en.png"))
    assert no_sideways_scroll(driver)
    assert severe_console_errors(driver) == []


def test_a_trend_of_less_than_two_years_says_why_there_is_no_slope_in_dutch_on_a_phone(
    driver,
    dashboard_url,
    imported,  # noqa: F811
):
    """Wijk aan Zee-De Banjaert (NL49553) has eight months of 2023: monthly means, and the API's reason for no slope."""
    driver.set_window_size(*SIZES["phone"])
    try:
        driver.get(f"{dashboard_url}?lang=nl")
        wait_until(driver, "the science section", lambda d: text_of(d, "analysis-title") == "Wind, bronnen en trends")
        choose(driver, "analysis-place", "NL49553", "(NL49553)")
        click_label(driver, "analysis-view", "trend")
        traces = wait_until(driver, "the trend chart", lambda d: graph_data(d, "trend-chart"))
        assert graph_layout(driver, "trend-chart")["title"]["text"].startswith("PM2,5 per maand, Wijk aan Zee")
        assert traces[0]["name"] == "maandgemiddelde"
        body = text_of(driver, "trend-body")
        assert "Geen trend te berekenen: " in body and "Trend: " not in body
        assert "samenhang, geen bewijs" in caption_under(driver, "trend-chart")
        assert no_sideways_scroll(driver)
        driver.save_screenshot(str(ARTIFACTS / "s_trend_phone_nl.png"))
    finally:
        driver.set_window_size(1280, 1500)
    assert severe_console_errors(driver) == []


def test_roses_with_the_works_and_the_exposure_layer_for_2023_in_dutch_on_a_phone_and_english_on_a_desktop(
    driver,
    dashboard_url,
    api_base_url,
    imported,  # noqa: F811
):
    """Wijk aan Zee-De Banjaert (NL49553) in 2023 beside the works: the roses, the line towards them, the sentences;
    then the layer 'downwind of Tata Steel' on the map, its circles as /v1/exposure/map gives them."""
    mapped = httpx.get(f"{api_base_url}/v1/exposure/map?emitter=tata-steel-ijmuiden&start=2023-01-01T00:00:00Z"
                       "&end=2024-01-01T00:00:00Z", timeout=60).json()["results"]  # fmt: skip
    located = [r for r in mapped if r["lat"] is not None]
    assert len(located) >= 5  # the located 2023 stations at least
    words = {"nl": ("Gemiddelde PM2,5 per windrichting", "samenhang, geen bewijs", "benedenwinds van", "2023"),
             "en": ("Mean PM2.5 by wind direction", "correlation, not proof", "downwind of", "2023")}  # fmt: skip
    for size, language in (("phone", "nl"), ("desktop", "en")):
        driver.set_window_size(*SIZES[size])
        driver.get(f"{dashboard_url}?lang={language}")
        title, caveat, layer, year = words[language]
        wait_until(driver, "the science section", lambda d: text_of(d, "analysis-place-label"))
        choose(driver, "analysis-place", "NL49553", "(NL49553)")
        choose(driver, "analysis-period", "", year)
        wait_until(driver, "the period chosen", lambda d, y=year: y in text_of(d, "analysis-period"))
        click_label(driver, "analysis-view", "wind en bronnen" if language == "nl" else "wind and sources")
        traces = wait_until(driver, "the pollution rose", lambda d: graph_data(d, "rose-mean"), 40)
        assert graph_layout(driver, "rose-mean")["title"]["text"] == title
        sectors = next(t for t in traces if t["name"] == "sectors")
        assert len(sectors["x"]) == 12 and len(sectors["hovertext"]) == 12
        towards = [t for t in traces if "Tata Steel" in (t.get("name") or "")]
        assert len(towards) == 1 and towards[0]["line"]["dash"] == "dash"  # the line towards the works
        assert graph_data(driver, "rose-cpf") and caveat in caption_under(driver, "rose-mean")
        assert caveat in caption_under(driver, "rose-cpf") or ("niet" if language == "nl" else "not") in (
            caption_under(driver, "rose-cpf")
        )
        body = text_of(driver, "direction-body")
        assert ("Windstil: " if language == "nl" else "Calm: ") in body and "Tata Steel" in body
        driver.save_screenshot(str(ARTIFACTS / f"s_roses_{size}_{language}.png"))

        # The map layer: circles where /v1/exposure/map has places with a position, the kits still above.
        driver.execute_script("window.scrollTo(0, 0)")
        click_label(driver, "map-layer", layer)
        data = wait_until(driver, "the exposure layer", layer_drawn, 60)
        assert data[2]["name"] == "exposure" and len(data[2]["lat"]) == len(located)
        assert sorted(data[2]["lat"]) == sorted(r["lat"] for r in located)
        note = wait_until(driver, "the layer's sentence", lambda d: text_of(d, "layer-note"))
        assert caveat.split(",")[0] in note or ("geen bewijs" if language == "nl" else "not proof") in note
        driver.save_screenshot(str(ARTIFACTS / f"s_layer_{size}_{language}.png"))
        click_label(driver, "map-layer", "geen" if language == "nl" else "none")
        wait_until(driver, "the layer off", lambda d: d.execute_script(MAP_FIGURE_JS)[2].get("visible") is False)
        assert no_sideways_scroll(driver)
    driver.set_window_size(1280, 1500)
    assert severe_console_errors(driver) == []


def test_episodes_under_the_time_slider_and_shaded_in_the_kit_chart(driver, dashboard_url, api_base_url, seeded_kits):
    """The seeded kits' last 24 hours (one far above the others): the episodes /v1/episodes finds there, as
    segments under the slider and shaded in the kit's chart."""
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    window = {"start": (end - timedelta(hours=24)).isoformat(), "end": end.isoformat(), "quantity": "pm25"}
    found = httpx.get(f"{api_base_url}/v1/episodes", params=window, timeout=30).json()["results"]
    assert found  # seed-velsen-zuid (100 µg/m³) stands far above the others all day
    driver.get(f"{dashboard_url}?lang=en&window=24h")
    segments = wait_until(
        driver, "the episodes under the slider", lambda d: d.find_elements(By.CSS_SELECTOR, "#timeline-episodes span")
    )
    assert len(segments) == len(found)
    assert all(s.get_attribute("title").startswith("episode (") for s in segments)
    kit = next(p.split(":", 1)[1] for e in found for p in e["places"] if p.startswith("kit:seed-"))
    own = [e for e in found if f"kit:{kit}" in e["places"]]
    driver.get(f"{dashboard_url}?lang=en&kit={kit}")
    shapes = wait_until(driver, "the shaded episodes", lambda d: [s for s in (d.execute_script(
        "return document.querySelector('#kit-chart .js-plotly-plot')?.layout?.shapes") or [])
        if (s.get("name") or "").startswith("episode-")])  # fmt: skip
    assert len(shapes) >= len(own) > 0
    wait_until(driver, "the sentence under the chart", lambda d: "not who caused it" in text_of(d, "kit-chart-note"))
    driver.save_screenshot(str(ARTIFACTS / "s_episodes_desktop_en.png"))
    assert severe_console_errors(driver) == []
