"""/v1/series: time series of one or several kits and quantities, raw or from the rollups, page by page."""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api import corrected, params, schemas
from api.queries import series as timeseries
from api.responses import BUCKET_LABEL, list_response
from api.security import KeyDep
from api.settings import ApiSettings

MAX_ROWS = ApiSettings().api_max_rows  # declared in the schema; the running settings are checked too

router = APIRouter(prefix="/v1", tags=["series"])

SERIES_EXAMPLE = {
    "meta": {
        "count": 1,
        "next": None,
        "resolution": "hour",
        "time_label": "start",
        "start": "2026-11-28T00:00:00Z",
        "end": "2026-11-29T00:00:00Z",
        "licence": {"id": "ODbL-1.0", "name": "...", "url": "...", "attribution": "..."},
    },
    "results": [
        {
            "kit_id": "bev-01",
            "time": "2026-11-28T00:00:00Z",
            "quantity": "pm25",
            "unit": "µg/m³",
            "ucum": "ug/m3",
            "value": 7.1416666,
            "clean_value": 7.0,
            "n": 60,
            "n_clean": 59,
            "n_flagged": 2,
            "min": 5.2,
            "max": 9.8,
            "flags": None,
            **{c: 0 for c in timeseries.FLAG_COLUMNS},
        }
    ],
}


@router.get(
    "/series",
    summary="Time series of kits × quantities: raw, or mean/min/max/counts per 10 min, hour or (local) day",
    description="Long form, one row per kit, time and quantity, with its unit and UCUM code. Raw rows are ordered "
    "by kit and time, rollup rows by kit, quantity and time; a rollup row's `time` is the start of its bucket. "
    "`value` is the raw value as stored, or the mean of all values for rollups (`n` readings, `n_flagged` of them "
    "flagged, `n_<flag>` per flag); `clean_value` leaves out readings with an unclean flag (`n_clean` are left); "
    "`flags` is the quality bitmask of raw readings (docs/quality.md). When `meta.next` is not null it is the URL "
    "of the next page. Day buckets are Europe/Amsterdam calendar days.",
    responses={200: {"model": schemas.Series, "content": {"application/json": {"example": SERIES_EXAMPLE}}}},
)
async def series(
    request: Request,
    key: KeyDep,
    kits: params.Kits,
    quantities: params.Quantities = None,
    start: Annotated[str | None, params.time_query("from (inclusive); default: 24 h before end")] = None,
    end: params.End = None,
    resolution: Annotated[params.Resolution, Query(description="raw, 10min, hour or day")] = "raw",
    limit: Annotated[int | None, Query(ge=1, le=MAX_ROWS, description="rows per page; default 10,000")] = None,
    # Part of meta.next, not a parameter to make up: it is left out of the schema (follow the URL as given).
    cursor: Annotated[str | None, Query(max_length=500, include_in_schema=False)] = None,
    correction: Annotated[
        Literal["raw", "humidity", "calibrated"],
        Query(
            description="raw: values only; humidity (kohler-v1) or calibrated (kohler-linear-v1): each row also "
            "gets corrected_value, correction (the method version), correction_reason (why there is none) and "
            "calibration_id (docs/science.md); corrected rollup pages hold at most 1,000 rows"
        ),
    ] = "raw",
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
    fp = params.fingerprint(kit_ids, qs, res, start, end, limit, correction)
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
        if correction != "raw":
            q["limit"] = min(limit, corrected.PAGE_WITH_CORRECTION)
    async with request.app.state.pool.connection() as conn:
        rows = await timeseries.page(conn, query, q)
        results = timeseries.as_dicts(timeseries.raw_rows(rows, qs)) if res == "raw" else timeseries.rollup_dicts(rows)
        if correction != "raw":
            await corrected.annotate(conn, results, correction, res)
    next_url = None
    if len(rows) == q["limit"]:
        last = rows[-1]
        position = [last[0], last[1].isoformat()] if res == "raw" else [last[0], last[2], last[1].isoformat()]
        # start and end pinned: a default ("now") would move between pages, and the cursor belongs to one range
        next_url = str(
            request.url.include_query_params(
                start=params.rfc3339(start), end=params.rfc3339(end), cursor=params.encode_cursor(fp, position)
            )
        )
    meta = {"correction": correction} if correction != "raw" else {}
    return list_response(results, next_url, resolution=res, time_label=BUCKET_LABEL, start=start, end=end, **meta)


def _cursor_time(raw: str) -> datetime:
    try:
        return params.aware(datetime.fromisoformat(raw), "cursor")
    except (ValueError, params.InvalidParameter):
        raise params.InvalidParameter("cursor is not valid: pass next_cursor unchanged") from None
