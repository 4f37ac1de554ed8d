from datetime import UTC, datetime, timedelta

import plotly.graph_objects as go
import pytest

from dashboard import figures
from dashboard.geo import load_outlines
from ijlucht.bands import NO_BAND_COLOUR, band_for
from tests.dashboard.samples import KITS, kit, kits, readings


@pytest.fixture(scope="module")
def outlines():
    return load_outlines()


def kit_trace(figure: go.Figure) -> go.Scattermap:
    return figure.data[figures.KIT_TRACE]


def test_marker_colours_are_the_pm25_band_colours_of_the_latest_values(outlines):
    fig = figures.map_figure(KITS, "nl", outlines)
    colours = list(kit_trace(fig).marker.color)
    assert colours[0] == band_for("pm25", 7.1).colour
    assert colours[1] == band_for("pm25", 95.0).colour
    assert band_for("pm25", 7.1).name_nl == "redelijk"
    assert band_for("pm25", 95.0).name_nl == "zeer slecht"


def test_offline_kits_and_kits_without_a_value_are_grey(outlines):
    colours = list(kit_trace(figures.map_figure(KITS, "nl", outlines)).marker.color)
    assert colours[2:] == [NO_BAND_COLOUR] * 3


def test_kit_with_unknown_online_state_is_coloured_by_its_value():
    (marker,) = figures.kit_markers(kits(kit("a-01", "A", 4.6, 52.5, 20.0, online=None)))
    assert marker.colour == band_for("pm25", 20.0).colour


def test_kits_without_a_location_are_left_off_the_map():
    feature = kit("nol-01", "Nowhere", 4.6, 52.5, 5.0)
    feature["geometry"] = None
    assert figures.kit_markers(kits(feature, kit("a-01", "A", 4.6, 52.5, 5.0)))[0].kit_id == "a-01"
    assert len(figures.kit_markers(kits(feature))) == 0


def test_map_is_a_scattermap_of_circles_on_the_offline_style_centred_on_the_ijmond(outlines):
    fig = figures.map_figure(KITS, "nl", outlines)
    assert all(isinstance(t, go.Scattermap) for t in fig.data)
    assert all(t.marker.symbol in (None, "circle") for t in fig.data)  # other symbols need glyphs online
    assert all(t.mode == "markers" for t in fig.data)  # text labels would need fonts from the internet
    assert fig.layout.map.style == "white-bg"
    assert 52.42 <= fig.layout.map.center.lat <= 52.54
    assert 4.53 <= fig.layout.map.center.lon <= 4.72


def test_map_draws_municipality_and_district_outlines_with_the_cbs_credit(outlines):
    layers = figures.map_figure(KITS, "nl", outlines).layout.map.layers
    sources = [layer.source for layer in layers]
    assert outlines.municipalities in sources
    assert outlines.districts in sources
    assert any("CBS / Kadaster" in (layer.sourceattribution or "") for layer in layers)
    assert {layer.type for layer in layers} >= {"line"}


def test_tile_style_from_settings_is_used(outlines):
    assert figures.map_figure(KITS, "nl", outlines, style="carto-positron").layout.map.style == "carto-positron"


def test_hover_names_the_kit_and_gives_pm25_with_unit_and_local_time(outlines):
    hover = list(kit_trace(figures.map_figure(KITS, "nl", outlines)).hovertext)
    assert "Beverwijk Centrum" in hover[0]
    assert "PM2,5: 7,1 µg/m³" in hover[0]
    assert "redelijk" in hover[0]
    assert "29-11-2026 00:59" in hover[0]  # 23:59 UTC is 00:59 in Amsterdam in winter
    assert "offline" in hover[2]
    assert "geen waarde" in hover[3]


def test_hover_switches_to_english(outlines):
    hover = list(kit_trace(figures.map_figure(KITS, "en", outlines)).hovertext)
    assert "PM2.5: 7.1 µg/m³ — fair" in hover[0]
    assert "no value" in hover[3]


def test_click_data_carries_kit_id_and_name(outlines):
    fig = figures.map_figure(KITS, "nl", outlines)
    assert list(kit_trace(fig).customdata[0]) == ["bev-01", "Beverwijk Centrum"]
    assert list(fig.data[figures.RING_TRACE].customdata[0]) == ["bev-01", "Beverwijk Centrum"]


def test_newest_time_is_the_latest_value_time_over_all_kits():
    assert figures.newest_time(figures.kit_markers(KITS)) == "2026-11-28T23:59:00+00:00"
    assert figures.newest_time([]) is None


def test_chart_has_pm25_and_pm10_lines_and_the_who_line_at_15():
    fig = figures.readings_figure(readings(), "Beverwijk Centrum", "nl")
    assert [t.name for t in fig.data] == ["PM2,5", "PM10"]
    assert list(fig.data[0].y) == [5.0 + i for i in range(12)]
    who = [s for s in fig.layout.shapes if s.y0 == s.y1 == figures.WHO_PM25_24H]
    assert len(who) == 1
    assert any("WHO" in a.text and "15 µg/m³" in a.text for a in fig.layout.annotations)


def test_chart_title_names_the_kit_and_follows_the_language():
    assert "Beverwijk Centrum" in figures.readings_figure(readings(), "Beverwijk Centrum", "nl").layout.title.text
    en = figures.readings_figure(readings(), "Beverwijk Centrum", "en")
    assert en.layout.title.text == "Beverwijk Centrum: particulate matter, last 24 hours"
    assert en.layout.yaxis.title.text == "concentration (µg/m³)"


def test_chart_times_are_dutch_local_time():
    fig = figures.readings_figure(readings(), "x", "nl")
    assert fig.data[0].x[0] == datetime(2026, 11, 28, 13, 0)  # 12:00 UTC


def test_chart_without_readings_says_so():
    fig = figures.readings_figure(readings(n=0), "Beverwijk Centrum", "nl")
    assert fig.layout.title.text == "Beverwijk Centrum: geen metingen in de afgelopen 24 uur."


def test_missing_hour_breaks_the_line_instead_of_bridging_it():
    fig = figures.readings_figure(readings(n=40, skip=range(10, 30)), "x", "nl")
    ys = list(fig.data[0].y)
    assert ys.count(None) == 1
    assert ys.index(None) == 10


def test_regular_series_has_no_breaks():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    times = [start + timedelta(minutes=i) for i in range(10)]
    assert figures.with_gaps(times, list(range(10))) == (times, list(range(10)))


def test_message_figure_carries_the_sentence_wrapped():
    fig = figures.message_figure("woord " * 40)
    assert fig.layout.annotations[0].text.count("<br>") >= 2


def test_chart_dates_use_dutch_day_month_order_not_english_month_names():
    nl = figures.readings_figure(readings(), "x", "nl").layout.xaxis
    assert nl.tickformat == "%H:%M\n%d-%m-%Y"
    assert nl.hoverformat == "%d-%m-%Y %H:%M"
    assert "%b" in figures.readings_figure(readings(), "x", "en").layout.xaxis.tickformat
