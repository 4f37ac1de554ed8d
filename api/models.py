"""Response shapes of the API and their conversion from database rows (pure)."""

from datetime import datetime
from typing import Any

from ijlucht import quality
from ijlucht.quantities import BY_KEY, KEYS

UNITS = {k: BY_KEY[k].unit for k in KEYS}


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def _value(v: float | None, key: str) -> float | None:
    # Stored as float4: round to the quantity's resolution so 7.1 does not come out as 7.099999904632568.
    return None if v is None else round(float(v), BY_KEY[key].decimals)


def kit_feature(row: dict[str, Any]) -> dict[str, Any]:
    """A kit as a GeoJSON Feature with its latest reading (null when it has none)."""
    latest = None
    if row.get("latest_time") is not None:
        latest = {"time": _iso(row["latest_time"]), **{k: _value(row[k], k) for k in KEYS}}
        latest["flags"] = row["latest_flags"]
        latest["flag_names"] = quality.flag_names(row["latest_flags"])
    geometry = None
    if row["lat"] is not None and row["lon"] is not None:
        geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
    return {
        "type": "Feature",
        "id": row["kit_id"],
        "geometry": geometry,
        "properties": {
            "kit_id": row["kit_id"],
            "name": row["name"],
            "municipality": row["municipality"],
            "indoor": row["indoor"],
            "online": row["online"],
            "last_seen": _iso(row["last_seen"]),
            "firmware": row["firmware"],
            "latest": latest,
        },
    }


def feature_collection(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "units": UNITS, "features": [kit_feature(r) for r in rows]}


def reading_item(row: dict[str, Any]) -> dict[str, Any]:
    return {"time": _iso(row["time"]), **{k: _value(row[k], k) for k in KEYS}, "flags": row["flags"]}
