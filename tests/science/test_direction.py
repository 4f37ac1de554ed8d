"""Bearings, outline spans and the hourly wind classes of `direction-v1`, on hand-made places and emitters."""

import math

import numpy as np
import pytest

from ijlucht.science import direction as d

# A square emitter of about 1.1 km × 1.4 km, 10 km due south of the place P.
P_LAT, P_LON = 52.60, 4.60
SQUARE = d.Emitter(
    "square",
    "Square works",
    52.51,
    4.60,
    ((4.59, 52.505), (4.61, 52.505), (4.61, 52.515), (4.59, 52.515), (4.59, 52.505)),
)


def _hours(dirs, states=None, speeds=None):
    n = len(dirs)
    states = states or ["direction"] * n
    speeds = speeds or [5.0] * n
    return np.array(dirs, dtype=float), np.array(states, dtype=object), np.array(speeds, dtype=float)


def test_bearing_due_north_east_south_west():
    assert d.bearing_deg(52.0, 4.6, 52.1, 4.6) == pytest.approx(0.0, abs=1e-9)
    assert d.bearing_deg(52.0, 4.6, 52.0, 4.7) == pytest.approx(90.0, abs=0.05)
    assert d.bearing_deg(52.1, 4.6, 52.0, 4.6) == pytest.approx(180.0)
    assert d.bearing_deg(52.0, 4.7, 52.0, 4.6) == pytest.approx(270.0, abs=0.05)


def test_distance_of_a_tenth_degree_of_latitude_is_about_11_km():
    assert d.distance_km(52.0, 4.6, 52.1, 4.6) == pytest.approx(11.12, abs=0.01)
    assert d.distance_km(52.0, 4.6, 52.0, 4.6) == 0.0


def test_source_due_south_with_wind_from_180_is_downwind():
    view = d.view_of(P_LAT, P_LON, SQUARE)
    assert view.rule == "outline" and not view.inside and not view.adjacent
    assert view.bearing_deg == pytest.approx(180.0)
    assert view.distance_km == pytest.approx(10.0, abs=0.02)
    # From 9.5 km the square's 1.36 km width spans 2·atan(0.68/9.5) ≈ 8.2°, centred on 180°.
    assert view.span_width_deg == pytest.approx(2 * math.degrees(math.atan(0.68 / 9.46)), abs=0.1)
    assert view.span_from_deg < 180.0 < view.span_to_deg
    classes = d.classify_hours(*_hours([180, 0, 90, 270, 200, 360]), view)
    assert list(classes) == ["downwind", "upwind", "crosswind", "crosswind", "crosswind", "upwind"]


def test_tolerance_widens_the_outline_span_by_ten_degrees_each_side():
    view = d.view_of(P_LAT, P_LON, SQUARE)
    just_in = view.span_to_deg + d.TOLERANCE_DEG - 0.5
    just_out = view.span_to_deg + d.TOLERANCE_DEG + 0.5
    assert list(d.classify_hours(*_hours([just_in, just_out]), view)) == ["downwind", "crosswind"]


def test_span_across_north_wraps_around_360():
    # Place due south of the square: the square is due north, its span runs from about 356° to 4°.
    view = d.view_of(52.42, 4.60, SQUARE)
    assert view.span_from_deg > 350.0 and view.span_to_deg < 10.0
    assert view.span_width_deg < 20.0
    classes = d.classify_hours(*_hours([360, 5, 355, 10, 180, 90]), view)
    assert list(classes) == ["downwind", "downwind", "downwind", "downwind", "upwind", "crosswind"]


def test_angular_distance_to_an_arc_across_north():
    dist = d.angular_distance_to_arc(np.array([350.0, 0.0, 15.0, 40.0, 300.0]), 340.0, 30.0)
    assert list(dist) == [0.0, 0.0, 5.0, 30.0, 40.0]


def test_calm_variable_and_missing_hours_are_classes_of_their_own():
    view = d.view_of(P_LAT, P_LON, SQUARE)
    dirs, states, speeds = _hours(
        [np.nan, np.nan, np.nan, 180, 180, np.nan],
        ["calm", "variable", None, "direction", "direction", "direction"],
        [0.0, 2.0, 5.0, 0.2, np.nan, 5.0],
    )
    classes = d.classify_hours(dirs, states, speeds, view)
    # Speed below 0.5 m/s is calm whatever the vane says; a direction without a speed still counts.
    assert list(classes) == ["calm", "variable", "missing", "calm", "downwind", "missing"]


def test_place_inside_the_outline_uses_the_centre_bearing_rule():
    # West part of the square, 0.45 km west of the centre: inside.
    view = d.view_of(52.51, 4.5935, SQUARE)
    assert view.inside and view.rule == "centre"
    assert view.outline_distance_km == 0.0
    assert view.bearing_deg == pytest.approx(90.0, abs=0.1)
    assert view.span_width_deg == 2 * d.CENTRE_HALF_SPAN_DEG
    classes = d.classify_hours(*_hours([90, 150, 160, 270]), view)
    assert list(classes) == ["downwind", "downwind", "crosswind", "upwind"]


def test_place_just_outside_the_outline_is_adjacent_and_uses_the_centre_rule():
    view = d.view_of(52.518, 4.60, SQUARE)  # 0.33 km north of the north edge
    assert view.adjacent and not view.inside and view.rule == "centre"
    assert view.outline_distance_km == pytest.approx(0.334, abs=0.01)
    assert view.bearing_deg == pytest.approx(180.0)


def test_place_at_the_centre_is_surrounded_and_every_wind_direction_is_downwind():
    view = d.view_of(52.511, 4.601, SQUARE)
    assert view.rule == "surrounded" and view.bearing_deg is None and view.span_width_deg == 360.0
    classes = d.classify_hours(*_hours([0, 90, 180, np.nan], ["direction"] * 3 + ["calm"]), view)
    assert list(classes) == ["downwind", "downwind", "downwind", "calm"]


def test_concave_outline_seen_from_its_notch_is_not_inside():
    # A U-shaped works open to the north; the place sits in the notch, outside the outline.
    u = d.Emitter(
        "u",
        "U",
        52.5,
        4.6,
        (
            (4.58, 52.49),
            (4.62, 52.49),
            (4.62, 52.52),
            (4.61, 52.52),
            (4.61, 52.50),
            (4.59, 52.50),
            (4.59, 52.52),
            (4.58, 52.52),
        ),
    )
    view = d.view_of(52.515, 4.60, u)
    assert not view.inside
    assert view.span_width_deg > 180.0


def test_sectors_are_centred_on_north():
    assert list(d.sector_of([0, 360, 14.9, 15.1, 180, 345.1, np.nan], 12)) == [0, 0, 0, 1, 6, 0, -1]
    edges = d.sector_edges(12)
    assert edges[0] == (0.0, 345.0, 15.0) and edges[6] == (180.0, 165.0, 195.0)
    assert list(d.sector_of([5.0, 5.1], 36)) == [1, 1] and d.sector_of([4.9], 36)[0] == 0


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="same length"):
        d.classify_hours(np.array([1.0]), np.array(["direction", "calm"], dtype=object), np.array([1.0]), None)
