import math

import pytest

from ijlucht.bands import DEFAULT_SCALE, EAQI_2024, NO_BAND_COLOUR, SCALES, band_for, bands_of
from ijlucht.quantities import BY_KEY

PM25_EDGES = [
    (0.0, 1),
    (5.0, 1),
    (5.01, 2),
    (15.0, 2),
    (15.01, 3),
    (50.0, 3),
    (50.01, 4),
    (90.0, 4),
    (90.01, 5),
    (140.0, 5),
    (140.01, 6),
    (999.0, 6),
]
PM10_EDGES = [
    (0.0, 1),
    (15.0, 1),
    (15.01, 2),
    (45.0, 2),
    (45.01, 3),
    (120.0, 3),
    (120.01, 4),
    (195.0, 4),
    (195.01, 5),
    (270.0, 5),
    (270.01, 6),
    (1999.0, 6),
]


def test_default_scale_is_the_revised_2024_index():
    assert DEFAULT_SCALE == EAQI_2024.key == "eaqi-2024"


@pytest.mark.parametrize(("value", "index"), PM25_EDGES)
def test_pm25_band_edges_follow_eaqi_2024_with_inclusive_upper_bounds(value, index):
    assert band_for("pm25", value).index == index


@pytest.mark.parametrize(("value", "index"), PM10_EDGES)
def test_pm10_band_edges_follow_eaqi_2024_with_inclusive_upper_bounds(value, index):
    assert band_for("pm10", value).index == index


def test_band_names_are_dutch_and_english_from_good_to_extremely_poor():
    names = [(b.name_nl, b.name_en) for b in bands_of("pm25")]
    assert names == [
        ("goed", "good"),
        ("redelijk", "fair"),
        ("matig", "moderate"),
        ("slecht", "poor"),
        ("zeer slecht", "very poor"),
        ("extreem slecht", "extremely poor"),
    ]
    assert band_for("pm25", 60).name("en") == "poor"
    assert band_for("pm25", 60).name("nl") == "slecht"


def test_every_band_has_its_own_colour_distinct_from_the_no_value_grey():
    colours = [b.colour for b in bands_of("pm25")]
    assert len(set(colours)) == 6
    assert NO_BAND_COLOUR not in colours
    assert all(c.startswith("#") and len(c) == 7 for c in colours)


@pytest.mark.parametrize("key", ["t", "rh", "p", "pm1", "no2", "unknown"])
def test_quantities_without_a_scale_have_no_band(key):
    assert band_for(key, 10.0) is None
    assert bands_of(key) == ()


@pytest.mark.parametrize("value", [-0.01, -5.0, None, math.nan, math.inf])
def test_negative_missing_and_non_finite_values_have_no_band(value):
    assert band_for("pm25", value) is None


def test_older_2017_index_is_selectable_and_stricter_at_the_low_end():
    assert band_for("pm25", 8.0, scale="eaqi-2017").index == 1
    assert band_for("pm25", 8.0).index == 2
    assert band_for("pm10", 150.01, scale="eaqi-2017").index == 6


def test_unknown_scale_raises_with_the_known_names():
    with pytest.raises(KeyError, match="eaqi-2024"):
        band_for("pm25", 1.0, scale="lki")


def test_every_scaled_quantity_is_in_the_catalogue():
    for scale in SCALES.values():
        assert set(scale.bands) <= set(BY_KEY)
