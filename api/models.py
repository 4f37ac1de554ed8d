"""Response shapes of the API and their conversion from database rows (pure)."""

from functools import lru_cache
from typing import Any

from api.responses import UNITS
from ijlucht import bands, licence, quality
from ijlucht.quantities import KEYS

__all__ = ["UNITS", "band_json", "feature_collection", "kit_feature", "kit_json", "reading_item"]


# Times stay datetimes (the response writes them as RFC 3339 with Z, api/responses.py); values are read as the
# shortest decimal of the stored float4 by the query layer (real::text::float8: 1.87, not 1.8700000047683716),
# given as stored: rounding is for display only.


@lru_cache(maxsize=65_536)
def band_json(quantity: str, v: float | None, scale: str) -> dict[str, Any] | None:
    """{index, name_nl, name_en, colour} of the band `v` falls in on `scale`, or None (values repeat: cached)."""
    band = bands.band_for(quantity, v, scale)
    if band is None:
        return None
    return {"index": band.index, "name_nl": band.name_nl, "name_en": band.name_en, "colour": band.colour}


def _latest(row: dict[str, Any]) -> dict[str, Any] | None:
    if row.get("latest_time") is None:
        return None
    latest = {"time": row["latest_time"], **{k: row[k] for k in KEYS}}
    latest["flags"] = row["latest_flags"]
    latest["flag_names"] = quality.flag_names(row["latest_flags"])
    return latest


def _properties(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "kit_id": row["kit_id"],
        "name": row["name"],
        "municipality": row["municipality"],
        "municipality_code": row["municipality_code"],
        "district": row["district"],
        "district_code": row["district_code"],
        "indoor": row["indoor"],
        "exact_location": bool(row["exact_location"]) and row["lat"] is not None,
        "height_m": row["height_m"],
        "sensors": row["sensors"],
        "online": row["online"],
        "disabled": row["disabled"],
        "last_seen": row["last_seen"],
        "firmware": row["firmware"],
        "latest": _latest(row),
    }


def kit_feature(row: dict[str, Any]) -> dict[str, Any]:
    """A kit as a GeoJSON Feature at its public position (none for indoor kits), with its latest reading."""
    geometry = None
    if row["lat"] is not None and row["lon"] is not None:
        geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
    return {"type": "Feature", "id": row["kit_id"], "geometry": geometry, "properties": _properties(row)}


def kit_json(row: dict[str, Any]) -> dict[str, Any]:
    """A kit as a flat JSON object; lat/lon are the public position."""
    return {**_properties(row), "lat": row["lat"], "lon": row["lon"]}


def feature_collection(rows: list[dict[str, Any]]) -> dict[str, Any]:
    # units and licence are foreign members (RFC 7946 section 6.1): GeoJSON readers keep the features as they are
    return {
        "type": "FeatureCollection",
        "units": UNITS,
        "licence": licence.licence_json(),
        "features": [kit_feature(r) for r in rows],
    }


def reading_item(row: dict[str, Any]) -> dict[str, Any]:
    return {"time": row["time"], **{k: row[k] for k in KEYS}, "flags": row["flags"]}
