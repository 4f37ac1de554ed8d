"""Pure fallbacks: the answers of /v1/map/latest, /v1/map/hourly, /v1/series and /v1/areas, derived from /v1/kits
and /v1/kits/{id}/readings for an API that does not serve those endpoints yet. Same shapes as the API's."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from statistics import fmean
from typing import Any

from dashboard.geo import Outlines, area_of
from dashboard.i18n import parse_time
from ijlucht.bands import band_for
from ijlucht.quantities import BY_KEY

STALE_AFTER = timedelta(minutes=15)  # no reading for longer: the kit is greyed as stale


def band_dict(quantity: str, value: float | None, scale: str) -> dict[str, Any] | None:
    band = band_for(quantity, value, scale)
    if band is None:
        return None
    return {"index": band.index, "name_nl": band.name_nl, "name_en": band.name_en, "colour": band.colour}


def is_stale(last_seen: str | None, now: datetime) -> bool:
    return last_seen is None or now - parse_time(last_seen) > STALE_AFTER


def latest_from_kits(
    kits: dict[str, Any], quantity: str, scale: str, outlines: Outlines, now: datetime | None = None
) -> dict[str, Any]:
    """/v1/map/latest from /v1/kits: one feature per kit with its value of `quantity`, band and staleness."""
    now = now or datetime.now(UTC)
    features = []
    for feature in kits.get("features", []):
        props = feature.get("properties") or {}
        latest = props.get("latest") or {}
        geometry = feature.get("geometry")
        value = latest.get(quantity)
        district = props.get("district")
        if district is None and geometry and geometry.get("type") == "Point":
            district = area_of(outlines.districts, *geometry["coordinates"][:2])
        last_seen = props.get("last_seen") or latest.get("time")
        features.append(
            {
                "type": "Feature",
                "id": feature.get("id"),
                "geometry": geometry,
                "properties": {
                    "kit_id": props.get("kit_id") or str(feature.get("id")),
                    "name": props.get("name"),
                    "municipality": props.get("municipality"),
                    "district": district,
                    "online": props.get("online"),
                    "last_seen": last_seen,
                    "stale": is_stale(last_seen, now),
                    "value": value,
                    "time": latest.get("time"),
                    "flags": latest.get("flags", 0),
                    "firmware": props.get("firmware"),
                    "band": band_dict(quantity, value, scale),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "quantity": quantity,
        "unit": BY_KEY[quantity].unit,
        "scale": scale,
        "generated_at": now.isoformat(),
        "features": features,
    }


def hour_floor(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hourly_means(results: list[dict[str, Any]], quantity: str) -> dict[datetime, tuple[float, int]]:
    """Mean and count per UTC hour (start of the hour) of one kit's readings; None values are left out."""
    buckets: dict[datetime, list[float]] = defaultdict(list)
    for row in results:
        value = row.get(quantity)
        if value is not None and row.get("time"):
            buckets[hour_floor(parse_time(row["time"]))].append(value)
    return {hour: (fmean(values), len(values)) for hour, values in sorted(buckets.items())}


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    hour, hours = hour_floor(start), []
    while hour < end:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours


def hourly_map(
    readings_by_kit: dict[str, list[dict[str, Any]]], quantity: str, start: datetime, end: datetime
) -> dict[str, Any]:
    """/v1/map/hourly from each kit's readings: one mean (or None) per kit per hour."""
    hours = hours_between(start, end)
    kits = {}
    for kit_id, results in readings_by_kit.items():
        means = hourly_means(results, quantity)
        kits[kit_id] = [round(means[h][0], 2) if h in means else None for h in hours]
    return {
        "quantity": quantity,
        "unit": BY_KEY[quantity].unit,
        "hours": [h.isoformat() for h in hours],
        "kits": kits,
    }


def series_rows(kit_id: str, results: list[dict[str, Any]], quantity: str, resolution: str) -> list[dict[str, Any]]:
    """/v1/series rows (raw or hour) of one kit from its readings."""
    if resolution == "raw":
        return [
            {"kit_id": kit_id, "time": r["time"], "quantity": quantity, "value": r.get(quantity), "n": 1,
             "n_flagged": int(bool(r.get("flags"))), "flags": r.get("flags", 0)}
            for r in results
            if r.get(quantity) is not None
        ]  # fmt: skip
    flagged = defaultdict(int)
    for r in results:
        if r.get(quantity) is not None and r.get("flags"):
            flagged[hour_floor(parse_time(r["time"]))] += 1
    return [
        {"kit_id": kit_id, "time": hour.isoformat(), "quantity": quantity, "value": round(mean, 2), "n": n,
         "n_flagged": flagged[hour], "flags": 0}
        for hour, (mean, n) in hourly_means(results, quantity).items()
    ]  # fmt: skip


def areas_from_latest(latest: dict[str, Any], level: str, outlines: Outlines, scale: str) -> list[dict[str, Any]]:
    """/v1/areas from /v1/map/latest: mean of the fresh values per municipality or district, with kit counts."""
    quantity = latest["quantity"]
    names = area_names(outlines, level)
    by_area: dict[str, list[float]] = defaultdict(list)
    for feature in latest.get("features", []):
        p = feature["properties"]
        code = _area_code(p, level, names, outlines, feature.get("geometry"))
        # as /v1/areas: only fresh values without an unclean quality flag count (docs/quality.md)
        if code is None or p.get("value") is None or p.get("online") is False or p.get("stale") or p.get("excluded"):
            continue
        by_area[code].append(p["value"])
    rows = []
    for code, values in sorted(by_area.items(), key=lambda kv: names.get(kv[0], kv[0])):
        mean = round(fmean(values), 2)
        rows.append(
            {"code": code, "name": names.get(code, code), "kits": len(values), "mean": mean,
             "band": band_dict(quantity, mean, scale)}
        )  # fmt: skip
    return rows


def area_names(outlines: Outlines, level: str) -> dict[str, str]:
    """CBS code → name; districts carry their municipality ("Centrum (Beverwijk)"): several have the same name."""
    municipalities = {
        f["properties"]["statcode"]: f["properties"]["statnaam"] for f in outlines.municipalities["features"]
    }
    if level != "district":
        return municipalities
    return {
        f["properties"][
            "statcode"
        ]: f"{f['properties']['statnaam']} ({municipalities.get(f['properties'].get('gemeente'), '?')})"
        for f in outlines.districts["features"]
    }


def _area_code(
    props: dict[str, Any], level: str, names: dict[str, str], outlines: Outlines, geometry: dict[str, Any] | None
) -> str | None:
    if level == "district" and props.get("district"):
        return props["district"]
    if level == "municipality" and props.get("municipality"):
        by_name = {name: code for code, name in names.items()}
        if props["municipality"] in by_name:
            return by_name[props["municipality"]]
    if geometry and geometry.get("type") == "Point":
        collection = outlines.districts if level == "district" else outlines.municipalities
        return area_of(collection, *geometry["coordinates"][:2])
    return None
