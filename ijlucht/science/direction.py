"""Where a place sees an emitter, and how each hour's wind relates to it (method `direction-v1`).

Geometry is on the sphere for bearings and distances (initial great-circle bearing, haversine) and on a local flat
projection for the outline (a few km, where the difference is centimetres).

Wind direction is meteorological: where the wind comes FROM, degrees clockwise from north. A place is *downwind*
of an emitter in an hour when the wind comes from the emitter's direction as seen from the place.

Rules of `direction-v1` (docs/science.md, "Direction analysis"):

* Outside and more than ADJACENT_KM from the outline: the emitter's direction is the arc the outline spans as seen
  from the place (rule `outline`).
* Inside the outline or within ADJACENT_KM of it (rule `centre`): the outline fills half the horizon or more, so its
  span says little; the emitter's direction is the bearing to its centre ± CENTRE_HALF_SPAN_DEG.
* Within SURROUNDED_KM of the centre (rule `surrounded`): there is no bearing; every wind direction is downwind.
* An hour is downwind when the wind direction lies within TOLERANCE_DEG of that arc, upwind when it lies at least
  90° from it, crosswind in between; calm (KNMI calm, or speed below CALM_BELOW_MS), variable and missing wind
  are classes of their own, never given a direction.
"""

import math
from dataclasses import dataclass

import numpy as np

METHOD = "direction-v1"
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
ADJACENT_KM = 0.5
CENTRE_HALF_SPAN_DEG = 60.0
SURROUNDED_KM = 0.25
TOLERANCE_DEG = 10.0  # KNMI reports DD in steps of 10°
UPWIND_FROM_DEG = 90.0
CALM_BELOW_MS = 0.5
CLASSES = ("downwind", "upwind", "crosswind", "calm", "variable", "missing")


@dataclass(frozen=True)
class Emitter:
    id: str
    name: str
    centre_lat: float
    centre_lon: float
    outline: tuple[tuple[float, float], ...]  # outer ring, (lon, lat) pairs, closed or not
    source_note: str = ""


@dataclass(frozen=True)
class EmitterView:
    """An emitter seen from one place. The span is the arc (clockwise from → to) the rule gives, before tolerance."""

    emitter_id: str
    bearing_deg: float | None  # to the centre; None when surrounded
    distance_km: float  # to the centre
    span_from_deg: float
    span_to_deg: float
    span_width_deg: float  # 360 = every direction
    inside: bool  # strictly inside the outline
    adjacent: bool  # outside, but within ADJACENT_KM of the outline
    outline_distance_km: float  # 0 when inside
    rule: str  # outline | centre | surrounded

    @property
    def downwind_from_deg(self) -> float:
        return (self.span_from_deg - TOLERANCE_DEG) % 360.0 if self.span_width_deg < 360 else 0.0

    @property
    def downwind_to_deg(self) -> float:
        return (self.span_to_deg + TOLERANCE_DEG) % 360.0 if self.span_width_deg < 360 else 360.0


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _local_xy(lat0: float, lon0: float, ring) -> list[tuple[float, float]]:
    """Ring (lon, lat) → km east/north of (lat0, lon0)."""
    kx = math.radians(1) * EARTH_RADIUS_KM * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_KM
    return [((lon - lon0) * kx, (lat - lat0) * ky) for lon, lat in ring]


def _segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _outline_span(xy: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Unwrapped bearings along the ring (place at the origin): (start, end, winding in turns).

    Following the outline, each step turns by the short way; the bearings seen form one arc [min, max] of the
    unwrapped angle (the outline is one connected line), and the total turn is ±360° only when the place is inside.
    """
    angles = [math.degrees(math.atan2(x, y)) for x, y in xy]
    unwrapped = [angles[0]]
    for a in angles[1:] + angles[:1]:
        step = (a - unwrapped[-1] + 180.0) % 360.0 - 180.0
        unwrapped.append(unwrapped[-1] + step)
    winding = round((unwrapped[-1] - unwrapped[0]) / 360.0)
    return min(unwrapped), max(unwrapped), winding


def view_of(lat: float, lon: float, emitter: Emitter) -> EmitterView:
    """How `emitter` is seen from (lat, lon): bearing and distance to its centre and the arc of its direction."""
    ring = list(emitter.outline)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    xy = _local_xy(lat, lon, ring)
    lo, hi, winding = _outline_span(xy)
    inside = winding != 0
    edge_km = min(_segment_distance(0.0, 0.0, xy[i], xy[(i + 1) % len(xy)]) for i in range(len(xy)))
    d_centre = distance_km(lat, lon, emitter.centre_lat, emitter.centre_lon)
    adjacent = not inside and edge_km <= ADJACENT_KM
    if d_centre <= SURROUNDED_KM:
        bearing, start, width, rule = None, 0.0, 360.0, "surrounded"
    else:
        bearing = bearing_deg(lat, lon, emitter.centre_lat, emitter.centre_lon)
        if inside or adjacent:
            start, width, rule = bearing - CENTRE_HALF_SPAN_DEG, 2 * CENTRE_HALF_SPAN_DEG, "centre"
        else:
            start, width, rule = lo, hi - lo, "outline"
    width = min(width, 360.0)
    return EmitterView(
        emitter_id=emitter.id,
        bearing_deg=None if bearing is None else round(bearing, 3),
        distance_km=round(d_centre, 4),
        span_from_deg=round(start % 360.0, 3),
        span_to_deg=round((start + width) % 360.0, 3) if width < 360 else 360.0,
        span_width_deg=round(width, 3),
        inside=inside,
        adjacent=adjacent,
        outline_distance_km=0.0 if inside else round(edge_km, 4),
        rule=rule,
    )


def angular_distance_to_arc(direction: np.ndarray, arc_from: float, arc_width: float) -> np.ndarray:
    """Degrees from each direction to the clockwise arc [arc_from, arc_from + arc_width]; 0 inside it.

    Works across north (an arc 350° → 20° holds 355° and 5°).
    """
    d = np.asarray(direction, dtype=float)
    if arc_width >= 360.0:
        return np.zeros_like(d)
    past_start = (d - arc_from) % 360.0
    in_arc = past_start <= arc_width
    before = (arc_from - d) % 360.0
    after = past_start - arc_width
    return np.where(in_arc, 0.0, np.minimum(before, after))


def classify_hours(wind_dir, wind_state, wind_speed, view: EmitterView) -> np.ndarray:
    """Class of each hour towards one emitter: downwind, upwind, crosswind, calm, variable or missing.

    wind_dir: degrees FROM (NaN when none); wind_state: 'direction' | 'calm' | 'variable' | None per hour;
    wind_speed: m/s (NaN when unknown; the direction alone then decides).
    """
    d = np.asarray(wind_dir, dtype=float)
    state = np.asarray(wind_state, dtype=object)
    speed = np.asarray(wind_speed, dtype=float)
    n = d.shape[0]
    if state.shape[0] != n or speed.shape[0] != n:
        raise ValueError("wind_dir, wind_state and wind_speed must have the same length")
    out = np.full(n, "missing", dtype="<U9")
    has_dir = (state == "direction") & ~np.isnan(d)
    calm = (state == "calm") | (np.isin(state, ("direction", "variable")) & (speed < CALM_BELOW_MS))
    apart = angular_distance_to_arc(np.where(has_dir, d, 0.0), view.span_from_deg, view.span_width_deg)
    out[has_dir & (apart <= TOLERANCE_DEG)] = "downwind"
    out[has_dir & (apart > TOLERANCE_DEG) & (apart < UPWIND_FROM_DEG)] = "crosswind"
    out[has_dir & (apart >= UPWIND_FROM_DEG)] = "upwind"
    out[state == "variable"] = "variable"
    out[calm] = "calm"
    return out


def sector_of(wind_dir, sectors: int) -> np.ndarray:
    """Sector index 0…sectors−1 of each direction, sectors centred on north (sector 0 holds 360° and 0°).

    NaN directions give −1.
    """
    if sectors < 1:
        raise ValueError("sectors must be at least 1")
    d = np.asarray(wind_dir, dtype=float)
    width = 360.0 / sectors
    idx = np.floor(((np.nan_to_num(d) + width / 2) % 360.0) / width).astype(int) % sectors
    return np.where(np.isnan(d), -1, idx)


def sector_edges(sectors: int) -> list[tuple[float, float, float]]:
    """(centre, from, to) in degrees for each sector centred on north; sector 0 runs from 360 − w/2 to w/2."""
    width = 360.0 / sectors
    return [(i * width, (i * width - width / 2) % 360.0, (i * width + width / 2) % 360.0) for i in range(sectors)]
