import math
from itertools import pairwise

import pytest

from ijlucht.bands import (
    DEFAULT_SCALE,
    EAQI_2024,
    GAS_KEYS,
    NO_BAND_COLOUR,
    SCALES,
    WHO_2021_24H_AQG,
    band_for,
    bands_of,
    worst_band,
)
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


@pytest.mark.parametrize("key", ["t", "rh", "p", "pm1", "so2", "unknown"])
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
        band_for("pm25", 1.0, scale="us-aqi")
    with pytest.raises(KeyError, match="who2021"):
        bands_of("pm25", "us-aqi")


def test_every_scaled_quantity_is_in_the_catalogue():
    for scale in SCALES.values():
        assert set(scale.bands) <= set(BY_KEY) | set(GAS_KEYS)
        assert set(scale.averaging) == set(scale.bands)


# WHO 2021 Table 0.1, 24-hour levels: AQG, then interim targets 4 → 1.
WHO_PM25 = [(15.0, 1), (15.01, 2), (25.0, 2), (37.5, 3), (37.6, 4), (50.0, 4), (75.0, 5), (75.01, 6)]
WHO_PM10 = [(45.0, 1), (45.5, 2), (50.0, 2), (75.0, 3), (100.0, 4), (150.0, 5), (150.5, 6)]


@pytest.mark.parametrize(("value", "index"), WHO_PM25)
def test_who_2021_pm25_bands_are_the_24h_guideline_and_interim_targets(value, index):
    assert band_for("pm25", value, "who2021").index == index


@pytest.mark.parametrize(("value", "index"), WHO_PM10)
def test_who_2021_pm10_bands_are_the_24h_guideline_and_interim_targets(value, index):
    assert band_for("pm10", value, "who2021").index == index


def test_who_2021_band_names_say_guideline_and_interim_target():
    pm25 = bands_of("pm25", "who2021")
    assert pm25[0].name_nl == "binnen WHO-advieswaarde"
    assert pm25[1].name_en == "above guideline, up to interim target 4"
    assert pm25[4].name_en == "above guideline, up to interim target 1"
    assert pm25[5].name_en == "above interim target 1"
    assert [b.upper for b in bands_of("no2", "who2021")] == [25, 50, 120, None]
    assert [b.upper for b in bands_of("o3", "who2021")] == [100, 120, 160, None]
    assert WHO_2021_24H_AQG["pm25"] == pm25[0].upper == 15.0


# RIVM LKI, lower bounds inclusive (science-notes §1.5).
LKI_PM25_LOWER = (0, 10, 15, 20, 30, 40, 50, 70, 90, 100, 140)
LKI_PM10_LOWER = (0, 10, 20, 30, 45, 60, 75, 100, 125, 150, 200)
LKI_O3_LOWER = (0, 15, 30, 40, 60, 80, 100, 140, 180, 200, 240)


@pytest.mark.parametrize(
    ("quantity", "lowers"),
    [("pm25", LKI_PM25_LOWER), ("pm10", LKI_PM10_LOWER), ("no2", LKI_PM10_LOWER), ("o3", LKI_O3_LOWER)],
)
def test_lki_levels_start_at_their_lower_bound(quantity, lowers):
    for level, lower in enumerate(lowers, start=1):
        assert band_for(quantity, lower, "lki").index == level
        if lower:
            assert band_for(quantity, lower - 0.01, "lki").index == level - 1
    assert band_for(quantity, 5000, "lki").index == 11


def test_lki_levels_carry_the_rivm_class_names():
    names = [b.name_nl for b in bands_of("pm25", "lki")]
    assert names[0] == "goed (1)" and names[2] == "goed (3)"
    assert names[3].startswith("matig") and names[5].startswith("matig")
    assert names[6].startswith("onvoldoende") and names[7].startswith("onvoldoende")
    assert names[8].startswith("slecht") and names[9].startswith("slecht")
    assert names[10] == "zeer slecht (11)"
    assert band_for("pm25", 45, "lki").name("en") == "moderate (6)"
    assert len({b.colour for b in bands_of("pm25", "lki")}) == 11


# con2lkiR test vectors (NO2, O3, PM10, PM2.5) → LKI, without the unverified "+1 when all equal" rule.
@pytest.mark.parametrize(
    ("no2", "o3", "pm10", "pm25", "lki"),
    [(15, 35, 4, 45, 6), (30, 20, 30, 40, 6), (100, 58, 101, 99, 9), (201, 201, 101, 110, 11)],
)
def test_overall_lki_is_the_worst_pollutant(no2, o3, pm10, pm25, lki):
    assert worst_band({"no2": no2, "o3": o3, "pm10": pm10, "pm25": pm25}, "lki").index == lki


def test_eaqi_2024_gases_and_overall_index():
    assert [b.upper for b in bands_of("no2")] == [10, 25, 60, 100, 150, None]
    assert [b.upper for b in bands_of("o3")] == [60, 100, 120, 160, 180, None]
    assert worst_band({"pm25": 4.0, "pm10": 50.0}).name_en == "moderate"
    assert worst_band({"pm25": None}) is None


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_every_scale_rises_and_has_a_source_and_labels(scale):
    s = SCALES[scale]
    assert s.source and s.label("nl") and s.label("en")
    for bands in s.bands.values():
        uppers = [b.upper for b in bands[:-1]]
        assert uppers == sorted(uppers) and bands[-1].upper is None
        assert all(b.lower == prev.upper for prev, b in pairwise(bands))
