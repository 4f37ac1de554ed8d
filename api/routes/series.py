"""/v1/series: time series of one or several kits and quantities, raw or from the rollups, page by page."""

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import params, schemas, timeseries
from api.responses import json_response
from api.security import KeyDep

router = APIRouter(prefix="/v1", tags=["series"])

SERIES_EXAMPLE = {
    "resolution": "hour",
    "start": "2026-11-28T00:00:00+00:00",
    "end": "2026-11-29T00:00:00+00:00",
    "results": [
        {
            "kit_id": "bev-01",
            "time": "2026-11-28T00:00:00+00:00",
            "quantity": "pm25",
            "value": 7.1,
            "n": 60,
            "n_flagged": 2,
            "min": 5.2,
            "max": 9.8,
            "flags": None,
        }
    ],
    "next_cursor": None,
}


@router.get(
    "/series",
    summary="Time series of kits × quantities: raw, or mean/min/max/counts per 10 min, hour or (local) day",
    description="Long form, one row per kit, time and quantity. Raw rows are ordered by kit and time, rollup rows "
    "by kit, quantity and time. `value` is the mean for rollups (`n` readings, `n_flagged` of them flagged); "
    "`flags` is the quality bitmask of raw readings (docs/quality.md). When `next_cursor` is not null, ask again "
    "with the same parameters and `cursor=<next_cursor>`. Day buckets are Europe/Amsterdam calendar days.",
    responses={200: {"model": schemas.Series, "content": {"application/json": {"example": SERIES_EXAMPLE}}}},
)
async def series(
    request: Request,
    key: KeyDep,
    kits: Annotated[str, Query(description="kit ids, comma-separated", examples=["bev-01,wij-01"])],
    quantities: Annotated[str | None, Query(description="quantity keys, comma-separated; default all")] = None,
    start: Annotated[datetime | None, Query(description="ISO 8601; default: 24 h before end")] = None,
    end: Annotated[datetime | None, Query(description="ISO 8601, exclusive; default: now")] = None,
    resolution: Annotated[params.Resolution, Query(description="raw, 10min, hour or day")] = "raw",
    limit: Annotated[int | None, Query(ge=1, le=10_000_000, description="rows per page; default 10,000")] = None,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
) -> Any:
    settings = request.app.state.settings
    kit_ids = params.kit_list(kits, settings.api_max_kits)
    qs = params.quantity_list(quantities)
    res = params.resolution(resolution)
    start, end = params.time_range(start, end, timedelta(hours=24))
    limit = limit or settings.api_page_default
    if limit > settings.api_max_rows:
        raise params.InvalidParameter(f"limit {limit} is above the maximum of {settings.api_max_rows} rows a page")
    private = key is not None and key.role == "admin"
    fp = params.fingerprint(kit_ids, qs, res, start, end, limit)
    q = timeseries.query_params(kit_ids, qs, start, end, private)
    q["limit"] = limit
    if res == "raw":
        # A page holds `limit` readings; each gives one row per quantity it has.
        q["limit"] = max(1, limit // len(qs))
        if cursor:
            q["after_kit"], after = params.decode_cursor(cursor, fp, 2)
            q["after_time"] = _cursor_time(after)
        query = timeseries.raw_query(qs, paged=True, after=bool(cursor))
    else:
        if cursor:
            q["after_kit"], q["after_quantity"], after = params.decode_cursor(cursor, fp, 3)
            q["after_time"] = _cursor_time(after)
        query = timeseries.rollup_query(res, paged=True, after=bool(cursor))
    async with request.app.state.pool.connection() as conn, conn.cursor(binary=True) as cur:
        await cur.execute(query, q)
        rows = await cur.fetchall()
    next_cursor = None
    if len(rows) == q["limit"]:
        last = rows[-1]
        position = [last[0], last[1].isoformat()] if res == "raw" else [last[0], last[2], last[1].isoformat()]
        next_cursor = params.encode_cursor(fp, position)
    results = timeseries.as_dicts(timeseries.raw_rows(rows, qs)) if res == "raw" else timeseries.rollup_dicts(rows)
    return json_response(
        {
            "resolution": res,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "results": results,
            "next_cursor": next_cursor,
        }
    )


def _cursor_time(raw: str) -> datetime:
    try:
        return params.aware(datetime.fromisoformat(raw))
    except ValueError:
        raise params.InvalidParameter("cursor is not valid: pass next_cursor unchanged") from None
