import pytest

from dashboard.i18n import TEXTS, format_hour, format_number, format_time, text


def test_every_text_exists_in_dutch_and_english():
    assert set(TEXTS["nl"]) == set(TEXTS["en"])


def test_dutch_is_the_default_for_unknown_languages():
    assert text("title", None) == TEXTS["nl"]["title"]
    assert text("title", "fr") == TEXTS["nl"]["title"]


def test_labels_switch_language():
    assert text("chart_hint", "nl").startswith("Klik op een kit")
    assert text("chart_hint", "en").startswith("Click a kit")


def test_placeholders_are_filled():
    assert (
        text("chart_title", "en", name="Wijk aan Zee", quantity="PM10", span="last 24 hours")
        == "Wijk aan Zee: PM10, last 24 hours"
    )


@pytest.mark.parametrize(("language", "expected"), [("nl", "7,1"), ("en", "7.1")])
def test_numbers_use_the_decimal_mark_of_the_language(language, expected):
    assert format_number(7.1, language) == expected


def test_times_are_shown_in_dutch_local_time_across_daylight_saving():
    assert format_time("2026-11-28T23:59:00+00:00", "nl") == "29-11-2026 00:59"
    assert format_time("2026-07-01T12:00:00+00:00", "nl") == "01-07-2026 14:00"
    assert format_time("2026-07-01T12:00:00+00:00", "en") == "01 Jul 2026 14:00"


def test_hours_are_named_with_weekday_in_the_language():
    assert format_hour("2026-11-28T13:00:00+00:00", "nl") == "za 28-11 14:00"
    assert format_hour("2026-11-28T13:00:00+00:00", "en") == "Sat 28 Nov 14:00"
