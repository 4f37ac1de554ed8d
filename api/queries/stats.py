"""Statistics over hourly means (rollup_hourly), per kit or per area, optionally by hour of day or day of week.

For an area the kits' hourly means are averaged per hour first, so a kit with many hours does not outweigh the
others within an hour. Only clean values count (docs/quality.md): the rollups' clean means, which leave out
readings with a quality.UNCLEAN flag; `n_excluded` says how many readings were left out, `n_hours` counts the
hours with a clean value. `hours_above_who`: hours whose mean exceeds the WHO 2021 24-hour guideline level of the
quantity (ijlucht.bands.WHO_2021_24H_AQG) — an indicator of how often, not a compliance test (the guideline is a
24-hour mean). Hours of day and days of week are local (Europe/Amsterdam); days of week are ISO (1 = Monday).
An hour counts in the area, and as indoor or outdoor, where the kit stood when the hour began (kit_version_spans,
migration 052): a kit that moved keeps its past in the area it was in.
"""

from typing import Any

from psycopg import AsyncConnection, sql

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
    FROM rollup_hourly r JOIN kits kk USING (kit_id)
    JOIN kit_version_spans k ON k.kit_id = r.kit_id AND r.bucket >= k.span_from AND r.bucket < k.valid_to
    WHERE r.quantity = %(quantity)s AND r.bucket >= %(start)s AND r.bucket < %(end)s
      AND (%(private)s OR kk.public) AND {selection} AND {indoor}
    GROUP BY 1, 2
)
SELECT h.g, {slot} AS slot, count(h.v) AS n_hours, avg(h.v) AS mean, min(h.v) AS min, max(h.v) AS max,
       percentile_cont(%(percentiles)s::float8[]) WITHIN GROUP (ORDER BY h.v) AS percentiles,
       count(*) FILTER (WHERE h.v > %(guideline)s) AS hours_above_who, sum(h.excluded)::bigint AS n_excluded,
       %(has_guideline)s::boolean
FROM h
GROUP BY 1, 2
ORDER BY 1, 2
"""


def stats_query(group: str, by: str) -> sql.Composed:
    selection = "r.kit_id = ANY(%(kits)s)" if group == "kit" else GROUPS[group] + " = ANY(%(areas)s)"
    # Areas are about outdoor air: their figures leave indoor kits out, as /v1/areas and the map do; a kit asked for
    # by id is its own figure, indoor or not.
    indoor = sql.SQL("true" if group == "kit" else "NOT k.indoor")
    return sql.SQL(STATS).format(
        group=sql.SQL(GROUPS[group]), selection=sql.SQL(selection), slot=sql.SQL(SLOTS[by]), indoor=indoor
    )


def stats_item(row: tuple, group: str) -> dict[str, Any]:
    """A result (computed figures unrounded: rounding is for display); a group whose every value was left out keeps
    its row (n_hours 0, no mean) to say so. hours_above_who is null for quantities without a guideline."""
    g, slot, n_hours, mean, lo, hi, pct, above, excluded, has_guideline = row
    item: dict[str, Any] = {"kit_id" if group == "kit" else "area": g, "slot": slot, "n_hours": n_hours}
    item["mean"], item["min"], item["max"] = mean, lo, hi
    item["percentiles"] = None
    if pct is not None:
        item["percentiles"] = {f"p{round(p * 100)}": v for p, v in zip(PERCENTILES, pct, strict=True)}
    item["hours_above_who"] = above if has_guideline else None
    item["n_excluded"] = excluded
    return item


async def stats(conn: AsyncConnection, group: str, by: str, params: dict[str, Any]) -> list[tuple]:
    cur = await conn.execute(stats_query(group, by), params)
    return await cur.fetchall()


async def kits_in_areas(conn: AsyncConnection, group: str, codes: list[str]) -> int:
    """How many kits the areas hold (bounds the work of a statistics request before it runs)."""
    column = sql.Identifier("municipality_code" if group == "municipality" else "district_code")
    query = sql.SQL("SELECT count(DISTINCT kit_id) FROM kit_versions WHERE {} = ANY(%s) AND NOT indoor").format(column)
    cur = await conn.execute(query, (codes,))
    row = await cur.fetchone()
    return int(row[0]) if row else 0
