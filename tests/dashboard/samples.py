"""API responses shaped exactly like /v1/map/latest and /v1/series, for the pure dashboard tests."""

import copy
from datetime import UTC, datetime, timedelta

from api.models import band_json


def latest(features, quantity="pm25", scale="eaqi-2024", stale_after_s=900):
    """A /v1/map/latest answer; features without a `band` get the one the API gives their value on `scale`."""
    features = copy.deepcopy(list(features))
    for f in features:
        p = f["properties"]
        if "band" not in p:
            p["band"] = None if p.get("excluded") else band_json(quantity, p["value"], scale)
    return {
        "type": "FeatureCollection",
        "quantity": quantity,
        "unit": "µg/m³",
        "scale": scale,
        "generated_at": "2026-11-29T00:00:00+00:00",
        "stale_after_s": stale_after_s,
        "features": features,
    }


def point(kit_id, name, lon, lat, value, online=True, stale=False, time="2026-11-28T23:59:00+00:00", **extra):
    """One feature of /v1/map/latest."""
    return {
        "type": "Feature",
        "id": kit_id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "kit_id": kit_id,
            "name": name,
            "municipality": extra.get("municipality", "Beverwijk"),
            "district": extra.get("district"),
            "online": online,
            "last_seen": time,
            "stale": stale,
            "value": value,
            "time": time if value is not None else None,
            "flags": 0,
        },
    }


POINTS = [
    point("bev-01", "Beverwijk Centrum", 4.657, 52.487, 7.1),  # redelijk / fair
    point("wij-01", "Wijk aan Zee", 4.596, 52.493, 95.0, time="2026-11-28T23:58:00+00:00"),  # zeer slecht
    point("vel-01", "IJmuiden", 4.619, 52.458, 3.0, online=False, municipality="Velsen"),  # offline: grey
    point("hee-01", "Heemskerk", 4.673, 52.511, None, municipality="Heemskerk"),  # no value: grey
    point("hee-02", "Heemskerk Oost", 4.690, 52.515, 4.0, stale=True, municipality="Heemskerk"),  # stale: grey
]
LATEST = latest(POINTS)


def latest_on(scale: str) -> dict:
    """LATEST as the API answers it for `scale`."""
    return latest(POINTS, scale=scale)


def series(kit_id, values, start=datetime(2026, 11, 28, 12, 0, tzinfo=UTC), step_minutes=5, flags=None):
    """/v1/series rows of one kit."""
    return [
        {
            "kit_id": kit_id,
            "time": (start + timedelta(minutes=step_minutes * i)).isoformat(),
            "quantity": "pm25",
            "value": v,
            "n": 1,
            "n_flagged": int(bool((flags or {}).get(i))),
            "flags": (flags or {}).get(i, 0),
        }
        for i, v in enumerate(values)
    ]
