import pytest

from dashboard import markers
from dashboard.markers import band_of, colour_bands, hour_markers, latest_markers, newest_time
from ijlucht.bands import NO_BAND_COLOUR, band_for
from tests.dashboard.samples import LATEST, latest, latest_on, point


def colours(scale="eaqi-2024"):
    return [m.colour for m in latest_markers(latest_on(scale), scale)]


def test_markers_take_the_band_the_api_gave_not_one_of_their_own():
    feature = point("a", "A", 4.6, 52.5, 7.1)
    feature["properties"]["band"] = {"index": 5, "name_nl": "zeer slecht", "name_en": "very poor", "colour": "#123456"}
    (m,) = latest_markers(latest([feature]), "eaqi-2024")
    assert m.colour == "#123456" and m.band.name("en") == "very poor"
    feature["properties"]["band"] = None  # the API gave none (e.g. a value it does not band): grey
    (m,) = latest_markers(latest([feature]), "eaqi-2024")
    assert m.grey


def test_stale_texts_use_the_api_threshold():
    stale = point("a", "A", 4.6, 52.5, 4.0, stale=True)
    (m,) = latest_markers(latest([stale], stale_after_s=1800), "eaqi-2024")
    assert "more than 30 min" in markers.hover_text(m, "en", "pm25")
    (m,) = latest_markers({k: v for k, v in latest([stale]).items() if k != "stale_after_s"}, "eaqi-2024")
    assert "no reading for a while" in markers.hover_text(m, "en", "pm25")


def test_markers_take_the_band_colour_of_the_selected_scale():
    assert colours()[:2] == [band_for("pm25", 7.1).colour, band_for("pm25", 95.0).colour]
    assert band_for("pm25", 7.1).name_nl == "redelijk"
    assert colours("who2021")[0] == band_for("pm25", 7.1, "who2021").colour
    assert colours("lki")[1] == band_for("pm25", 95.0, "lki").colour != colours()[1]


def test_offline_stale_and_valueless_kits_are_grey():
    assert colours()[2:] == [NO_BAND_COLOUR] * 3
    assert [m.grey for m in latest_markers(LATEST, "eaqi-2024")] == [False, False, True, True, True]


def test_unknown_online_state_is_coloured_by_its_value():
    (m,) = latest_markers(latest([point("a", "A", 4.6, 52.5, 20.0, online=None)]), "eaqi-2024")
    assert m.colour == band_for("pm25", 20.0).colour


def test_kits_without_a_location_are_left_off_the_map():
    nowhere = point("nol-01", "Nowhere", 4.6, 52.5, 5.0)
    nowhere["geometry"] = None
    assert [m.kit_id for m in latest_markers(latest([nowhere, point("a", "A", 4.6, 52.5, 5)]), "eaqi-2024")] == ["a"]


@pytest.mark.parametrize(
    ("quantity", "value", "index"), [("t", -3.0, 1), ("t", 12.0, 4), ("t", 30.0, 7), ("rh", 95, 5)]
)
def test_quantities_without_health_bands_get_neutral_value_bins(quantity, value, index):
    assert band_of(quantity, value, "eaqi-2024").index == index
    bins = colour_bands(quantity, "eaqi-2024")
    assert not set(b.colour for b in bins) & {b.colour for b in colour_bands("pm25", "eaqi-2024")}


def test_hover_names_kit_value_unit_band_and_local_time_in_both_languages():
    ms = latest_markers(LATEST, "eaqi-2024")
    nl = markers.hover_text(ms[0], "nl", "pm25")
    assert "Beverwijk Centrum" in nl and "PM2,5: 7,1 µg/m³ — redelijk" in nl and "29-11-2026 00:59" in nl
    assert "PM2.5: 7.1 µg/m³ — fair" in markers.hover_text(ms[0], "en", "pm25")
    assert "offline" in markers.hover_text(ms[2], "nl", "pm25")
    assert "geen waarde" in markers.hover_text(ms[3], "nl", "pm25")
    assert "15 min" in markers.hover_text(ms[4], "en", "pm25")


def test_hour_markers_use_the_hourly_mean_of_the_chosen_hour_and_keep_positions():
    hourly = {"quantity": "pm25", "hours": ["2026-11-28T10:00:00+00:00", "2026-11-28T11:00:00+00:00"],
              "kits": {"bev-01": [3.0, 60.0], "wij-01": [None, 8.0]}}  # fmt: skip
    ms = hour_markers(latest_markers(LATEST, "eaqi-2024"), hourly, 0, "eaqi-2024")
    assert [m.value for m in ms] == [3.0, None, None, None, None]
    assert ms[0].time == "2026-11-28T10:00:00+00:00" and ms[0].colour == band_for("pm25", 3.0).colour
    assert ms[2].colour == NO_BAND_COLOUR  # no hourly series: grey
    assert [m.value for m in hour_markers(ms, hourly, 1, "eaqi-2024")][:2] == [60.0, 8.0]


def test_newest_time_is_the_latest_value_time_over_all_kits():
    assert newest_time(latest_markers(LATEST, "eaqi-2024")) == "2026-11-28T23:59:00+00:00"
    assert newest_time([]) is None


def test_a_kit_left_out_of_public_means_is_grey_and_says_why():
    feature = point("bad", "Bad kit", 4.6, 52.5, 999999.0)
    feature["properties"]["excluded"] = True
    (m,) = latest_markers(latest([feature]), "eaqi-2024")
    assert m.band is None and m.grey and m.value == 999999.0
    assert "not counted: the reading carries a quality flag" in markers.hover_text(m, "en", "pm25")
    assert "niet meegeteld" in markers.hover_text(m, "nl", "pm25")


def test_a_flagged_but_counted_reading_says_its_flags_and_an_excluded_one_why_it_is_grey():
    humid = point("a", "A", 4.6, 52.5, 30.0)
    humid["properties"]["flags"] = 8 | 64  # high humidity, backfilled: still counted, keeps its band
    (m,) = latest_markers(latest([humid]), "eaqi-2024")
    assert not m.grey
    assert "gemarkeerd: hoge luchtvochtigheid (fijnstof kan te hoog lijken), later ingestuurd" in markers.hover_text(
        m, "nl", "pm25"
    )
    stuck = point("b", "B", 4.6, 52.5, 30.0)
    stuck["properties"].update(flags=4, excluded=True)
    (m,) = latest_markers(latest([stuck]), "eaqi-2024")
    assert m.grey and "not counted" in markers.hover_text(m, "en", "pm25")


def corrected_feature(kit_id, raw, corrected, method, reason=None, band=None):
    feature = point(kit_id, kit_id.upper(), 4.6, 52.5, raw)
    feature["properties"] |= {"corrected_value": corrected, "correction": method, "correction_reason": reason,
                              "calibration_id": None, "band": band}  # fmt: skip
    return feature


def test_corrected_markers_show_the_corrected_value_its_band_and_method_never_the_raw_value():
    band = {"index": 1, "name_nl": "goed", "name_en": "good", "colour": "#50f0e6"}
    answer = latest([corrected_feature("a", 30.0, 8.4, "kohler-v1", band=band),
                     corrected_feature("b", 30.0, None, None, "no valid calibration for kit b")])  # fmt: skip
    answer["correction"] = "humidity"
    a, b = latest_markers(answer, "eaqi-2024")
    assert a.value == 8.4 and a.colour == "#50f0e6" and a.method == "kohler-v1"
    assert "8.4" in markers.hover_text(a, "en", "pm25") and "kohler-v1" in markers.hover_text(a, "nl", "pm25")
    assert "30" not in markers.hover_text(a, "en", "pm25").split("<br>")[1]
    assert b.value is None and b.grey  # no corrected value: grey, not the raw 30
    hover = markers.hover_text(b, "en", "pm25")
    assert "no corrected value (no valid calibration for kit b)" in hover and "30" not in hover
    assert "geen gecorrigeerde waarde" in markers.hover_text(b, "nl", "pm25")


def test_raw_markers_ignore_corrected_fields():
    answer = latest([corrected_feature("a", 30.0, 8.4, "kohler-v1")])
    (m,) = latest_markers(answer, "eaqi-2024")
    assert m.value == 30.0 and not m.corrected and "kohler" not in markers.hover_text(m, "en", "pm25")


def test_corrected_hour_markers_name_the_method_or_the_reason_and_are_grey_without_a_corrected_mean():
    hourly = {"quantity": "pm25", "hours": ["2026-11-28T10:00:00+00:00"], "correction": "calibrated",
              "kits": {"bev-01": [6.0], "wij-01": [None]}, "methods": {"bev-01": "kohler-linear-v1", "wij-01": None},
              "reasons": {"bev-01": None, "wij-01": "no calibration for this kit"}}  # fmt: skip
    ms = hour_markers(latest_markers(LATEST, "eaqi-2024"), hourly, 0, "eaqi-2024")
    by_id = {m.kit_id: m for m in ms}
    assert "corrected with kohler-linear-v1" in markers.hover_text(by_id["bev-01"], "en", "pm25")
    assert by_id["wij-01"].grey
    assert "no corrected value (no calibration for this kit)" in markers.hover_text(by_id["wij-01"], "en", "pm25")
