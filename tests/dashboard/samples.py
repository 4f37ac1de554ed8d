"""API responses shaped exactly like /v1/kits and /v1/kits/{id}/readings, for the pure dashboard tests."""

from datetime import UTC, datetime, timedelta


def kit(kit_id, name, lon, lat, pm25, online=True, time="2026-11-28T23:59:00+00:00"):
    latest = None
    if pm25 is not ...:
        latest = {"time": time, "pm1": 4.0, "pm25": pm25, "pm10": 12.4, "t": 9.8, "rh": 81.2, "p": 1013.2, "flags": 0}
    return {
        "type": "Feature",
        "id": kit_id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "kit_id": kit_id,
            "name": name,
            "municipality": "Beverwijk",
            "online": online,
            "last_seen": time,
            "latest": latest,
        },
    }


def kits(*features):
    return {"type": "FeatureCollection", "features": list(features)}


KITS = kits(
    kit("bev-01", "Beverwijk Centrum", 4.657, 52.487, 7.1),  # redelijk / fair
    kit("wij-01", "Wijk aan Zee", 4.596, 52.493, 95.0, time="2026-11-28T23:58:00+00:00"),  # zeer slecht
    kit("vel-01", "IJmuiden", 4.619, 52.458, 3.0, online=False),  # a value, but offline: grey
    kit("hee-01", "Heemskerk", 4.673, 52.511, None),  # latest without PM2.5: grey
    kit("hee-02", "Heemskerk Oost", 4.690, 52.515, ..., online=None),  # no reading at all: grey
)


def readings(kit_id="bev-01", n=12, step_minutes=5, start=datetime(2026, 11, 28, 12, 0, tzinfo=UTC), skip=()):
    results = []
    for i in range(n):
        if i in skip:
            continue
        t = start + timedelta(minutes=step_minutes * i)
        results.append(
            {
                "time": t.isoformat(),
                "pm1": 3.0,
                "pm25": 5.0 + i,
                "pm10": 9.0 + i,
                "t": 9.8,
                "rh": 81.2,
                "p": 1013.2,
                "flags": 0,
            }
        )
    return {"kit_id": kit_id, "units": {"pm25": "µg/m³", "pm10": "µg/m³"}, "results": results}


def latest(features, quantity="pm25", scale="eaqi-2024"):
    """A /v1/map/latest answer."""
    return {
        "type": "FeatureCollection",
        "quantity": quantity,
        "unit": "µg/m³",
        "scale": scale,
        "generated_at": "2026-11-29T00:00:00+00:00",
        "features": list(features),
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
            "band": None,
        },
    }


LATEST = latest(
    [
        point("bev-01", "Beverwijk Centrum", 4.657, 52.487, 7.1),  # redelijk / fair
        point("wij-01", "Wijk aan Zee", 4.596, 52.493, 95.0, time="2026-11-28T23:58:00+00:00"),  # zeer slecht
        point("vel-01", "IJmuiden", 4.619, 52.458, 3.0, online=False, municipality="Velsen"),  # offline: grey
        point("hee-01", "Heemskerk", 4.673, 52.511, None, municipality="Heemskerk"),  # no value: grey
        point("hee-02", "Heemskerk Oost", 4.690, 52.515, 4.0, stale=True, municipality="Heemskerk"),  # stale: grey
    ]
)


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
