"""/v1/stats: mean, percentiles and hours above the WHO guideline per kit or area, overall or per hour/weekday."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api import params, schemas
from api.queries import stats as statistics
from api.responses import list_response, unit_json
from api.security import KeyDep
from ijlucht import bands

WHO_SOURCE = "WHO global air quality guidelines 2021, Table 0.1"

router = APIRouter(prefix="/v1", tags=["statistics"])

STATS_EXAMPLE = {
    "meta": {
        "count": 1,
        "next": None,
        "quantity": "pm25",
        "unit": "µg/m³",
        "ucum": "ug/m3",
        "group": "kit",
        "by": "hour_of_day",
        "start": "2026-10-29T00:00:00Z",
        "end": "2026-11-28T00:00:00Z",
        "guideline": {"value": 15.0, "averaging": "24h", "source": "WHO global air quality guidelines 2021, Table 0.1"},
        "licence": {"id": "ODbL-1.0", "name": "...", "url": "...", "attribution": "..."},
    },
    "results": [
        {
            "kit_id": "bev-01",
            "slot": 8,
            "n_hours": 30,
            "mean": 9.2,
            "min": 2.1,
            "max": 31.0,
            "percentiles": {"p10": 3.0, "p25": 5.1, "p50": 8.0, "p75": 11.9, "p90": 17.2, "p98": 28.0},
            "hours_above_who": 4,
            "n_excluded": 0,
        }
    ],
}


@router.get(
    "/stats",
    summary="Statistics of clean hourly means per kit or area: mean, percentiles, hours above the WHO guideline",
    description=statistics.__doc__ or "",
    responses={200: {"model": schemas.Stats, "content": {"application/json": {"example": STATS_EXAMPLE}}}},
)
async def stats(
    request: Request,
    key: KeyDep,
    quantity: Annotated[params.QuantityKey, Query(description="quantity key", examples=["pm25"])] = "pm25",
    kits: params.OptionalKits = None,
    municipality: params.Municipalities = None,
    district: params.Districts = None,
    start: Annotated[str | None, params.time_query("from (inclusive); default: 30 days before end")] = None,
    end: params.End = None,
    by: Annotated[Literal["all", "hour_of_day", "day_of_week"], Query(description="one row per group or per slot")] = (
        "all"
    ),
) -> Any:
    settings = request.app.state.settings
    quantity = params.quantity(quantity)
    start, end = params.time_range(start, end, timedelta(days=30))
    # `kits=` (empty) counts as given, so it is refused rather than quietly ignored beside an area.
    choices = (("kits", kits), ("municipality", municipality), ("district", district))
    given = [name for name, v in choices if v is not None]
    if len(given) != 1:
        raise params.InvalidParameter("give exactly one of kits, municipality or district")
    q: dict[str, Any] = {"quantity": quantity, "start": start, "end": end, "private": bool(key and key.role == "admin")}
    if kits is not None:
        group = "kit"
        q["kits"] = params.kit_list(kits, settings.api_max_kits)
        n_kits = len(q["kits"])
    else:
        group = given[0]
        codes = params.area_codes(municipality or district or "", group)
        q["areas"] = codes
        async with request.app.state.pool.connection() as conn:
            n_kits = await statistics.kits_in_areas(conn, group, codes)
    hours = (end - start).total_seconds() / 3600
    if n_kits * hours > settings.api_max_stats_kit_hours:
        raise params.InvalidParameter(
            f"{n_kits} kits × {hours:.0f} hours is more than {settings.api_max_stats_kit_hours:,} kit-hours; "
            "shorten the range or ask for fewer kits"
        )
    guideline = bands.WHO_2021_24H_AQG.get(quantity) if hasattr(bands, "WHO_2021_24H_AQG") else None
    q["guideline"] = guideline if guideline is not None else float("inf")
    q["has_guideline"] = guideline is not None
    q["percentiles"] = list(statistics.PERCENTILES)
    async with request.app.state.pool.connection() as conn:
        rows = await statistics.stats(conn, group, by, q)
    guideline_json = None
    if guideline is not None:
        guideline_json = {"value": guideline, "averaging": "24h", "source": WHO_SOURCE}
    results = [statistics.stats_item(r, group) for r in rows]
    return list_response(
        results, None, quantity=quantity, **unit_json(quantity), group=group, by=by, start=start, end=end,
        guideline=guideline_json,
    )  # fmt: skip
