from datetime import UTC, datetime, timedelta

from dashboard.kit_chart import corrected_trace, kit_figure, message_figure, with_gaps
from tests.dashboard.samples import series

NAMES = {"bev-01": "Beverwijk Centrum", "wij-01": "Wijk aan Zee"}
HOURLY = series("bev-01", [6.0, 7.0], step_minutes=60) + series("wij-01", [20.0, 25.0], step_minutes=60)


def chart(language="nl", raw=None, hourly=None, quantity="pm25"):
    raw = series("bev-01", [5.0 + i for i in range(12)], flags={3: 4}) if raw is None else raw
    return kit_figure("bev-01", NAMES, quantity, raw, HOURLY if hourly is None else hourly, language)


def test_chart_has_raw_hourly_flagged_and_compared_kits():
    fig = chart()
    assert [t.name for t in fig.data] == [
        "PM2,5 uurgemiddelde", "PM2,5 meting", "gemarkeerde meting (twijfelachtig)", "Wijk aan Zee (uurgemiddelde)"
    ]  # fmt: skip
    assert list(fig.data[1].y) == [5.0 + i for i in range(12)]
    assert list(fig.data[0].y) == [6.0, 7.0]
    assert list(fig.data[2].y) == [8.0] and fig.data[2].marker.symbol == "x"
    assert list(fig.data[2].customdata) == ["vastgelopen waarde"]  # flag 4 in words in the hover text
    humid = series("bev-01", [5.0, 6.0], flags={1: 8})
    assert list(chart("en", raw=humid).data[2].customdata) == ["high humidity (dust may read high)"]
    assert list(fig.data[3].y) == [20.0, 25.0]


def test_hourly_means_sit_in_the_middle_of_their_hour_in_dutch_local_time():
    assert chart().data[0].x[0] == datetime(2026, 11, 28, 13, 30)  # 12:00 UTC hour → 13:00–14:00 in Amsterdam


def test_who_24h_guideline_line_for_pm25_and_pm10_but_not_for_temperature():
    fig = chart()
    assert [s.y0 for s in fig.layout.shapes] == [15.0]
    assert any("WHO-advieswaarde PM2,5" in a.text and "15 µg/m³" in a.text for a in fig.layout.annotations)
    pm10 = kit_figure("bev-01", NAMES, "pm10", [], [], "en")
    assert [s.y0 for s in pm10.layout.shapes] == [45.0]
    assert list(kit_figure("bev-01", NAMES, "t", [], [], "en").layout.shapes) == []


def test_title_names_kit_and_quantity_and_follows_the_language():
    assert chart().layout.title.text == "Beverwijk Centrum: PM2,5, afgelopen 24 uur"
    en = chart("en")
    assert en.layout.title.text == "Beverwijk Centrum: PM2.5, last 24 hours"
    assert en.layout.yaxis.title.text == "PM2.5 (µg/m³)"
    assert "%b" in en.layout.xaxis.tickformat and chart().layout.xaxis.tickformat == "%H:%M\n%d-%m-%Y"


def test_chart_without_readings_says_so():
    assert chart(raw=[], hourly=[]).layout.title.text == "Beverwijk Centrum: geen metingen (afgelopen 24 uur)."


def test_missing_readings_break_the_line_instead_of_bridging_it():
    values = [1.0] * 40
    raw = [r for i, r in enumerate(series("bev-01", values)) if not 10 <= i < 30]
    ys = list(chart(raw=raw).data[1].y)
    assert ys.count(None) == 1 and ys.index(None) == 10


def test_regular_series_has_no_breaks():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    times = [start + timedelta(minutes=i) for i in range(10)]
    assert with_gaps(times, list(range(10))) == (times, list(range(10)))


def test_message_figure_carries_the_sentence_wrapped():
    assert message_figure("woord " * 40).layout.annotations[0].text.count("<br>") >= 2


def test_corrected_means_are_a_trace_named_with_their_method_and_none_say_why():
    rows = series("bev-01", [10.0, 20.0, 30.0], step_minutes=60)
    for r, corrected in zip(rows, [7.0, None, 21.0], strict=True):
        r |= {"corrected_value": corrected, "correction": "kohler-v1" if corrected else None,
              "correction_reason": None if corrected else "no plausible humidity"}  # fmt: skip
    trace, note = corrected_trace(rows, "bev-01", "pm25", "en")
    assert note is None and trace.name == "PM2.5 corrected (kohler-v1)" and list(trace.y) == [7.0, None, 21.0]
    for r in rows:
        r |= {"corrected_value": None, "correction": None, "correction_reason": "no calibration for this kit"}
    trace, note = corrected_trace(rows, "bev-01", "pm25", "nl")  # never the raw means in their place
    assert trace is None and note == "Geen gecorrigeerde waarden in deze periode: no calibration for this kit."
