"""The science views' pure builders (issues 16, 17) on answers in the contract's shapes (science_samples.py)."""

import math
from datetime import UTC, datetime

import plotly.graph_objects as go
import pytest

from dashboard.api_client import InvalidPlace, checked_place
from dashboard.callbacks.alerts import subscription_form
from dashboard.callbacks.direction import exposure_sentences
from dashboard.figures.episodes import add_episodes, timeline_strip
from dashboard.figures.exposure_layer import HIGH, LOW, NO_INCREMENT, diverging_colour, layer_arrays
from dashboard.figures.rose import nice_rings, rose_figure, rose_notes, wedge, xy
from dashboard.figures.trend import (
    compare_figure,
    compare_sentence,
    event_list,
    events_shown,
    trend_figure,
    trend_sentences,
)
from dashboard.i18n import TEXTS
from dashboard.periods import month_after, month_start, months_around, period_bounds, period_choices
from tests.dashboard import science_samples as s


def _traces(figure: go.Figure, name: str) -> list:
    return [t for t in figure.data if t.name == name]


def test_wedges_point_where_the_wind_came_from_with_north_up_and_wrap_across_north():
    x, y = xy(1.0, 90)
    assert math.isclose(x, 1.0) and abs(y) < 1e-9  # east is to the right
    xs, ys = wedge(2.0, 345.0, 15.0)  # the north sector, across 0°
    arc = list(zip(xs[1:-1], ys[1:-1], strict=True))
    assert min(p[0] for p in arc) < 0 < max(p[0] for p in arc) and all(p[1] > 1.9 for p in arc)
    assert (xs[0], ys[0]) == (0.0, 0.0) == (xs[-1], ys[-1])  # a closed slice from the centre


def test_pollution_rose_draws_the_all_speed_means_and_a_line_towards_each_source():
    figure = rose_figure(s.direction(), "en", "mean")
    tips = _traces(figure, "sectors")[0]
    assert len(tips.x) == 12  # the speed-bin row is not in the rose
    longest = max(range(12), key=lambda i: math.hypot(tips.x[i], tips.y[i]))
    assert math.isclose(math.hypot(tips.x[longest], tips.y[longest]), 20.0)
    assert math.isclose(math.degrees(math.atan2(tips.x[longest], tips.y[longest])) % 360, 210.0)
    assert "mean: 20.0 µg/m³" in tips.hovertext[longest] and "SW" in tips.hovertext[longest]
    line = next(t for t in figure.data if t.name and t.name.startswith("towards Tata Steel IJmuiden (2.4 km)"))
    assert math.isclose(math.degrees(math.atan2(line.x[1], line.y[1])) % 360, 225.0)
    assert figure.layout.title.text == "Mean PM2.5 by wind direction"
    assert [a.text for a in figure.layout.annotations if a.text.startswith("<b>")] == [
        "<b>N</b>",
        "<b>E</b>",
        "<b>S</b>",
        "<b>W</b>",
    ]


def test_cpf_rose_shows_the_share_above_the_threshold_in_the_readers_language():
    figure = rose_figure(s.direction(), "nl", "cpf")
    assert figure.layout.title.text == "Kans op hoge PM2,5 per windrichting (boven 12,5 µg/m³, P75)"
    tips = _traces(figure, "sectors")[0]
    assert any("kans: 60%" in h and "ZW" in h for h in tips.hovertext)
    assert "<b>O</b>" in [a.text for a in figure.layout.annotations]  # oost


def test_a_place_inside_the_outline_gets_no_line_but_a_sentence_and_calm_hours_are_reported_apart():
    inside = {**s.TATA, "inside": True}
    figure = rose_figure(s.direction(emitters=(inside,)), "nl", "mean")
    assert not [t for t in figure.data if t.name and "Tata" in t.name]
    notes = rose_notes(s.direction(emitters=(inside,)), "nl")
    assert notes[0].startswith("Windstil: 40 uur (gemiddeld 9,5 µg/m³); veranderlijk: 12 uur; zonder wind: 3 uur")
    assert "Tata Steel IJmuiden: deze plaats ligt in of naast het terrein" in notes[1]


def test_a_rose_without_hours_says_so_instead_of_drawing():
    empty = {"meta": s.direction()["meta"], "results": []}
    figure = rose_figure(empty, "en", "mean")
    assert "No hours with both wind and a reading" in figure.layout.annotations[0].text


def test_rings_are_round_numbers_up_to_the_top():
    assert nice_rings(20.0) == [5.0, 10.0, 15.0, 20.0]
    assert nice_rings(0.6) == [0.2, 0.4, 0.6000000000000001] or nice_rings(0.6)[-1] <= 0.6 + 1e-9
    assert nice_rings(0.0) == []


def test_exposure_sentence_gives_the_share_means_and_interval_of_the_all_speed_row():
    lines = exposure_sentences(s.EXPOSURE, {"tata-steel-ijmuiden": "Tata Steel IJmuiden"}, "nl", "pm25")
    assert len(lines) == 1  # the speed-bin row is not repeated
    assert lines[0].children == ("Benedenwinds van Tata Steel IJmuiden: 19% van de uren; dan gemiddeld 14,2 µg/m³, "
                                 "anders 9,1 µg/m³: verschil 5,1 µg/m³ (95%-interval 3,2 tot 7,0).")  # fmt: skip
    regional = exposure_sentences(s.EXPOSURE, {}, "en", "pm25", "regional")
    assert "above the regional background then 14.2 µg/m³ on average" in regional[0].children


def test_exposure_layer_sizes_by_downwind_share_colours_by_increment_and_skips_unplaced_stations():
    arrays = layer_arrays(s.EXPOSURE_MAP["results"], {"bev-01": "Beverwijk Centrum"}, "en", "µg/m³")
    assert arrays["lat"] == [52.487, 52.494, 52.511] and arrays["visible"] is True
    sizes = arrays["marker"]["size"]
    assert sizes[1] > sizes[0] > sizes[2]  # 50 % > 25 % > never downwind
    assert arrays["marker"]["color"] == ["#b2182b", diverging_colour(-2.0, 4.0), NO_INCREMENT]
    assert arrays["customdata"] == [["bev-01", "Beverwijk Centrum"], None, ["hee-01", "hee-01"]]  # a kit opens
    assert arrays["hovertext"][0] == ("Beverwijk Centrum (bev-01)<br>downwind: 25% of 8000 hours<br>difference: "
                                      "4.0 µg/m³ (95%: 1.0 to 7.0)")  # fmt: skip
    assert arrays["hovertext"][1].startswith("station NL49570 (NL49570)<br>downwind: 50%")
    assert "no difference to compute" in arrays["hovertext"][2]
    assert layer_arrays([], {}, "en", "µg/m³")["visible"] is False


def test_diverging_colours_run_blue_white_red_and_clamp():
    assert diverging_colour(-9.0, 3.0) == "#{:02x}{:02x}{:02x}".format(*LOW)
    assert diverging_colour(3.0, 3.0) == "#{:02x}{:02x}{:02x}".format(*HIGH)
    assert diverging_colour(0.0, 3.0) == "#f7f7f7" and diverging_colour(None, 3.0) == NO_INCREMENT


def test_episodes_are_shaded_by_kind_with_one_legend_entry_per_kind_and_the_source_named():
    figure = add_episodes(go.Figure(), s.EPISODES * 2, "en", "µg/m³", {"tata-steel-ijmuiden": "Tata Steel"})
    kinds = [shape.name for shape in figure.layout.shapes]
    assert kinds == ["episode-regional", "episode-local"] * 2
    assert [t.showlegend for t in figure.data] == [True, True, False, False]
    assert figure.data[1].name == "episode (local)"  # legend name; the hover names the source
    assert (
        "episode (local, wind from Tata Steel): 29 Dec 2019 22:00 – 30 Dec 2019 00:00, peak 80.0 µg/m³"
        in (figure.data[1].hovertext[0])
    )
    assert figure.layout.shapes[0].x0 == datetime(2019, 12, 31, 23, 0)  # Dutch local time, as the kit chart


def test_the_timeline_strip_places_episodes_along_the_window_and_clips_them():
    start, end = datetime(2019, 12, 29, 0, tzinfo=UTC), datetime(2020, 1, 1, 0, tzinfo=UTC)  # 72 h
    segments = timeline_strip(s.EPISODES, start, end, "nl", "µg/m³", {"tata-steel-ijmuiden": "Tata Steel"})
    regional, local = segments
    assert regional.style["left"] == "97.22%" and regional.style["width"] == "2.78%"  # cut at the window's end
    assert local.style["left"] == "29.17%" and local.style["width"] == "2.78%"
    assert "episode (lokaal, wind van Tata Steel)" in local.title and "piek 80,0 µg/m³" in local.title
    assert timeline_strip(s.EPISODES, datetime(2021, 1, 1, tzinfo=UTC), datetime(2021, 1, 2, tzinfo=UTC), "nl",
                          "µg/m³") == []  # fmt: skip


def test_trend_chart_draws_the_three_lines_and_only_the_events_in_its_months_linked_to_their_source():
    figure = trend_figure(s.TREND, s.EVENTS, "Beverwijk-Creutzberglaan", "en", "pm25")
    assert [t.name for t in figure.data] == ["monthly mean", "without season", "weather-normalised"]
    assert figure.data[0].x[0] == "2022-01-01" and len(figure.data[0].x) == 24
    events = [a for a in figure.layout.annotations if a.name == "event"]
    assert [(a.text, a.x, a.hovertext) for a in events] == [("<b>1</b>", "2023-11-03",
                                                             "2023-11-03: Green Steel plan submitted")]  # fmt: skip
    assert list(figure.layout.xaxis.range) == ["2022-01-01", "2023-12-01"]
    listed = event_list(events_shown(s.TREND["results"], s.EVENTS), "nl")
    [item] = listed.children
    assert item.children[0] == "2023-11-03: Groen Staal-plan ingediend (" and item.children[1].href == (
        "https://example.org/plan"
    )
    assert figure.layout.title.text == "PM2.5 per month, Beverwijk-Creutzberglaan"


def test_trend_sentences_give_slope_interval_method_or_the_apis_reason():
    lines = trend_sentences(s.TREND, "nl", "pm25", {"tata-steel-ijmuiden": "Tata Steel IJmuiden"})
    assert lines[0] == "Trend: -0,4 µg/m³ per jaar (95%-interval -0,9 tot 0,1; trend-theilsen-mbb-v1)."
    assert lines[1].startswith("Verschil benedenwinds van Tata Steel IJmuiden: -0,8 µg/m³ per jaar")
    short = trend_sentences(s.SHORT_TREND, "en", "pm25", {})
    assert short == ["No trend can be computed: deseasonalising needs every calendar month in at least two years; "
                     "8 months given"]  # fmt: skip
    figure = trend_figure(s.SHORT_TREND, [], "x", "en", "pm25")
    assert [t.name for t in figure.data] == ["monthly mean", "weather-normalised"]  # no deseasonalised line


def test_before_after_shows_both_differences_with_their_intervals():
    figure = compare_figure(s.COMPARE, "en", "pm25")
    measured, normalised = figure.data
    assert measured.x[0] == -1.8 and math.isclose(measured.error_x.arrayminus[0], 1.1)
    assert math.isclose(measured.error_x.array[0], 1.2)
    assert normalised.y[0] == "weather-normalised" and normalised.x[0] == -1.1
    assert compare_sentence(s.COMPARE, "nl", "pm25").startswith("Voor: 11,2 µg/m³, na: 9,4 µg/m³; verschil -1,8")


def test_every_figure_sentence_says_what_it_cannot_prove_in_both_languages():
    for key in [k for k in TEXTS["en"] if k.endswith("_caption") and k != "kits_caption"]:
        assert "not" in TEXTS["en"][key], key
        assert "geen" in TEXTS["nl"][key] or "niet" in TEXTS["nl"][key], key


def test_periods_are_whole_years_rolling_spans_or_the_default():
    now = datetime(2026, 12, 2, 13, 20, tzinfo=UTC)
    assert period_choices(now)[:4] == ["30d", "1y", "2025", "2024"] and period_choices(now)[-1] == "2019"
    assert period_bounds("2023", now) == (datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))
    assert period_bounds("../etc", now) == period_bounds("1y", now)
    assert months_around("2023-11-03") == ("2022-11", "2023-10", "2023-12", "2024-11")
    assert month_after("2023-12") == datetime(2024, 1, 1, tzinfo=UTC) and month_start("2023-13") is None


@pytest.mark.parametrize("bad", ["kit:../export", "station:NL4957", "area:GM03750", "kit:x", None, 5, "kit:A-B"])
def test_places_from_the_browser_are_checked_before_any_request(bad):
    with pytest.raises(InvalidPlace):
        checked_place(bad)


def test_the_subscribe_form_checks_address_and_target_and_sends_the_band_rule():
    assert subscription_form("no-at-sign", "area:GM0375", "episode", None, None, "nl") == "alerts_bad_email"
    assert subscription_form("a@b.nl", "station:NL49570", "episode", None, None, "nl") == "alerts_no_target"
    form = subscription_form(" a@b.nl ", "area:GM0375", "band", 4, 3, "en")
    assert form == {"email": "a@b.nl", "target": "area:GM0375", "language": "en", "quantity": "pm25",
                    "trigger": "band", "scale": "eaqi-2024", "band": 4, "hours": 3}  # fmt: skip
    assert "band" not in subscription_form("a@b.nl", "kit:bev-01", "episode", 4, 3, "nl")
