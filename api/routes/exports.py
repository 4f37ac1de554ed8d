"""/v1/export: any selection (kits × quantities × time range, raw or averaged) streamed as CSV or Parquet."""

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from api import corrected, export, params
from api.queries import series as timeseries
from api.security import KeyDep

router = APIRouter(prefix="/v1", tags=["export"])


@router.get(
    "/export",
    summary="Download a selection as streamed CSV or Parquet, with no limit on the time range",
    description="Columns: " + ", ".join(timeseries.COLUMNS) + " — the rows of /v1/series, "
    "all pages in one file, ordered as there. CSV opens with `#` lines (licence, attribution, source, time labels: "
    "read with comment='#'); Parquet carries them as schema metadata. "
    "Streamed from a server-side cursor: any range, constant memory. "
    "At most a few exports run at once; others get 429 with Retry-After. An export ends after "
    "IJLUCHT_API_EXPORT_DEADLINE_S (300 s) however far it got: ask for large ranges in parts.",
    responses={
        200: {
            "content": {
                "text/csv": {"example": ",".join(timeseries.COLUMNS) + "\n"},
                export.MEDIA["parquet"]: {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "the file",
        }
    },
)
async def export_selection(
    request: Request,
    key: KeyDep,
    kits: params.Kits,
    quantities: params.Quantities = None,
    start: Annotated[str | None, params.time_query("from (inclusive); default: 30 days before end")] = None,
    end: params.End = None,
    resolution: Annotated[params.Resolution, Query(description="raw, 10min, hour or day")] = "hour",
    format: Annotated[Literal["csv", "parquet"], Query(description="csv or parquet")] = "csv",
    tz: Annotated[
        Literal["UTC", "Europe/Amsterdam"],
        Query(description="zone of the times in CSV (Parquet times are UTC timestamps)"),
    ] = "UTC",
    correction: Annotated[
        Literal["raw", "humidity", "calibrated"],
        Query(
            description="humidity or calibrated: four more columns, corrected_value, correction (the method "
            "version), correction_reason and calibration_id (docs/science.md)"
        ),
    ] = "raw",
) -> export.DeadlineStream:
    settings = request.app.state.settings
    kit_ids = params.kit_list(kits, settings.api_max_kits)
    qs = params.quantity_list(quantities)
    res = params.resolution(resolution)
    start, end = params.time_range(start, end, timedelta(days=30))
    q = timeseries.query_params(kit_ids, qs, start, end, bool(key and key.role == "admin"))
    if res == "raw":
        query = timeseries.raw_query(qs, paged=False)

        def to_rows(rows: list) -> list[tuple]:
            return timeseries.raw_rows(rows, qs)
    else:
        query = timeseries.rollup_query(res, paged=False)
        to_rows = timeseries.rollup_rows

    source = timeseries.batches(request.app.state.pool, query, q, to_rows, settings.api_export_idle_ms)
    columns, schema = timeseries.COLUMNS, export.PARQUET_SCHEMA
    if correction != "raw":
        source = corrected.corrected_batches(source, request.app.state.pool, correction, res)
        columns, schema = (*columns, *corrected.COLUMNS), export.CORRECTED_PARQUET_SCHEMA
    if format == "csv":
        body = export.as_csv(source, export.header_lines(res, tz, str(request.url)), tz, columns)
    else:
        body = export.as_parquet(source, schema)
    name = f"ijlucht_{res}_{start:%Y%m%dT%H%M}_{end:%Y%m%dT%H%M}.{format}"
    return export.streamed_file(request, body, format, name)
