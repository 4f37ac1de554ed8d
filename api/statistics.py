"""Statistics over hourly means (rollup_hourly), per kit or per area, optionally by hour of day or day of week.

For an area the kits' hourly means are averaged per hour first, so a kit with many hours does not outweigh the
others within an hour. Only clean values count (docs/quality.md): the rollups' clean means, which leave out
readings with a quality.UNCLEAN flag; `n_excluded` says how many readings were left out, `n_hours` counts the
hours with a clean value. `hours_above_who`: hours whose mean exceeds the WHO 2021 24-hour guideline level of the
quantity (ijlucht.bands.WHO_2021_24H_AQG) — an indicator of how often, not a compliance test (the guideline is a
24-hour mean). Hours of day and days of week are local (Europe/Amsterdam); days of week are ISO (1 = Monday).
"""

from typing import Any

from psycopg import sql

PERCENTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.98)
GROUPS = {"kit": "r.kit_id", "municipality": "k.municipality_code", "district": "k.district_code"}
SLOTS = {
    "all": "NULL::int",
    "hour_of_day": "extract(hour FROM h.bucket AT TIME ZONE 'Europe/Amsterdam')::int",
    "day_of_week": "extract(isodow FROM h.bucket AT TIME ZONE 'Europe/Amsterdam')::int",
}

STATS = """
WITH h AS (
    SELECT r.bucket, {group} AS g, avg(r.clean_mean) AS v, sum(r.n - r.n_clean) AS excluded
    FROM rollup_hourly r JOIN kits k USING (kit_id)
    WHERE r.quantity = %(quantity)s AND r.bucket >= %(start)s AND r.bucket < %(end)s
      AND (%(private)s OR k.public) AND {selection}
    GROUP BY 1, 2
)
SELECT h.g, {slot} AS slot, count(h.v) AS n_hours, avg(h.v) AS mean, min(h.v) AS min, max(h.v) AS max,
       percentile_cont(%(percentiles)s::float8[]) WITHIN GROUP (ORDER BY h.v) AS percentiles,
       count(*) FILTER (WHERE h.v > %(guideline)s) AS hours_above_who, sum(h.excluded)::bigint AS n_excluded
FROM h
GROUP BY 1, 2
ORDER BY 1, 2
"""


def stats_query(group: str, by: str) -> sql.Composed:
    selection = "r.kit_id = ANY(%(kits)s)" if group == "kit" else GROUPS[group] + " = ANY(%(areas)s)"
    return sql.SQL(STATS).format(group=sql.SQL(GROUPS[group]), selection=sql.SQL(selection), slot=sql.SQL(SLOTS[by]))


def stats_item(row: tuple, group: str, decimals: int, guideline: float | None) -> dict[str, Any]:
    """A result; a group whose every value was left out keeps its row (n_hours 0, no mean) to say so."""
    g, slot, n_hours, mean, lo, hi, pct, above, excluded = row
    item: dict[str, Any] = {"kit_id" if group == "kit" else "area": g, "slot": slot, "n_hours": n_hours}
    item["mean"] = None if mean is None else round(mean, decimals)
    item["min"] = None if lo is None else round(lo, decimals)
    item["max"] = None if hi is None else round(hi, decimals)
    item["percentiles"] = None
    if pct is not None:
        item["percentiles"] = {f"p{round(p * 100)}": round(v, decimals) for p, v in zip(PERCENTILES, pct, strict=True)}
    item["hours_above_who"] = above if guideline is not None else None
    item["n_excluded"] = excluded
    return item
