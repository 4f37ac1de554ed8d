"""/v1/stations and /v1/weather: official reference stations (Luchtmeetnet) with their latest and hourly values,
and hourly weather (KNMI). Every hour is labelled by its start, in UTC."""

import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from api import params, reference_schemas
from api.queries import reference
from api.responses import BUCKET_LABEL, geojson_response, list_response
from api.settings import ApiSettings
from ijlucht import licence
from ijlucht.reference import MASS_CONCENTRATION, WEATHER_UNITS

MAX_ROWS = ApiSettings().api_max_rows

router = APIRouter(prefix="/v1", tags=["reference"])

STATION_PATTERN = "^[A-Z]{2}[0-9]{5}$"  # as migration 060 checks it
_COMPONENT = "[A-Z0-9]{1,12}"
COMPONENTS_PATTERN = f"^{_COMPONENT}(?:,{_COMPONENT}){{0,19}}$"
_WEATHER_STATION = "[0-9]{3}"
WEATHER_STATIONS_PATTERN = f"^{_WEATHER_STATION}(?:,{_WEATHER_STATION}){{0,19}}$"

StationId = Annotated[str, Path(pattern=STATION_PATTERN, examples=["NL49570"], description="Luchtmeetnet number")]
Limit = Annotated[int, Query(ge=1, le=MAX_ROWS, description="rows per page; default 10,000")]
Cursor = Annotated[str | None, Query(max_length=500, include_in_schema=False)]  # part of meta.next only


def station_feature(row: dict[str, Any]) -> dict[str, Any]:
    located = row["lat"] is not None and row["lon"] is not None
    return {
        "type": "Feature",
        "id": row["station_id"],
        "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]} if located else None,
        "properties": {
            "station_id": row["station_id"],
            "name": row["name"],
            "operator": row["operator"],
            "position_source": row["position_source"],
            "components": row["components"],
            "latest": {c: {**v, **MASS_CONCENTRATION} for c, v in row["latest"].items()},
        },
    }


@router.get(
    "/stations",
    summary="Official reference stations (Luchtmeetnet) as GeoJSON, with the latest hourly value of each component",
    description="`latest` maps each component (Luchtmeetnet formula: PM25, PM10, NO2, ...) to its newest stored "
    "hour (`time`, the start of the hour, UTC), `value` as stored (reference values are never clipped, so they can "
    "be slightly negative) and unit. A station without a known position has `geometry: null`; `position_source` says "
    "where the position comes from (or why there is none). The licence is "
    "Luchtmeetnet's (`licence`).",
    responses={200: {"model": reference_schemas.StationCollection, "content": {"application/geo+json": {}}}},
)
async def list_stations(request: Request) -> Any:
    async with request.app.state.pool.connection() as conn:
        rows = await reference.stations(conn)
    return geojson_response(
        {
            "type": "FeatureCollection",
            "time_label": BUCKET_LABEL,
            "licence": licence.source_licence_json("luchtmeetnet"),
            "features": [station_feature(r) for r in rows],
        }
    )


@router.get(
    "/stations/{station_id}/series",
    summary="Hourly values of one reference station, per component, oldest first",
    description="Rows ordered by component and hour; `time` is the start of the hour (UTC); `value` as stored. "
    "When `meta.next` is not null it is the URL of the next page.",
    responses={200: {"model": reference_schemas.StationSeries}},
)
async def station_series(
    request: Request,
    station_id: StationId,
    components: Annotated[
        str | None,
        Query(
            description="Luchtmeetnet formulas, comma-separated (at most 20); default all",
            json_schema_extra={"pattern": COMPONENTS_PATTERN},
            examples=["PM25,PM10"],
        ),
    ] = None,
    start: Annotated[str | None, params.time_query("from (inclusive); default: 7 days before end")] = None,
    end: params.End = None,
    limit: Limit = 10_000,
    cursor: Cursor = None,
) -> Any:
    comps = _list(components, COMPONENTS_PATTERN, "components", "Luchtmeetnet formulas like PM25,NO2")
    start_t, end_t = params.time_range(start, end, timedelta(days=7))
    fp = params.fingerprint(station_id, comps, start_t, end_t, limit)
    after = None
    if cursor:
        comp, at = params.decode_cursor(cursor, fp, 2)
        after = (comp, _cursor_time(at))
    async with request.app.state.pool.connection() as conn:
        found = await reference.stations(conn, station_id)
        if not found:
            raise HTTPException(404, f"no reference station {station_id!r}; see /v1/stations")
        rows = await reference.station_series(conn, station_id, comps, start_t, end_t, limit, after)
    next_url = None
    if len(rows) == limit:
        last = rows[-1]
        next_url = _next(request, start_t, end_t, params.encode_cursor(fp, [last[0], last[1].isoformat()]))
    results = [{"component": c, "time": t, "value": v, **MASS_CONCENTRATION} for c, t, v in rows]
    return list_response(
        results,
        next_url,
        station_id=station_id,
        name=found[0]["name"],
        time_label=BUCKET_LABEL,
        start=start_t,
        end=end_t,
        licence=licence.source_licence_json("luchtmeetnet"),
    )


@router.get(
    "/weather",
    summary="Hourly weather per KNMI station: wind (from, speed), temperature, humidity",
    description="`wind_state` is `direction` (then `wind_from` gives where the wind comes from, 1-360 degrees, 360 = "
    "north), `calm` or `variable` (then `wind_from` is null: calm and variable are not directions). Rows ordered by "
    "station and hour; `time` is the start of the hour (UTC). Units in `meta.units`. KNMI's licence in "
    "`meta.licence`. When `meta.next` is not null it is the URL of the next page.",
    responses={200: {"model": reference_schemas.Weather}},
)
async def weather(
    request: Request,
    stations: Annotated[
        str | None,
        Query(
            description="KNMI station numbers, comma-separated (at most 20); default all",
            json_schema_extra={"pattern": WEATHER_STATIONS_PATTERN},
            examples=["225,240"],
        ),
    ] = None,
    start: Annotated[str | None, params.time_query("from (inclusive); default: 24 h before end")] = None,
    end: params.End = None,
    limit: Limit = 10_000,
    cursor: Cursor = None,
) -> Any:
    ids = _list(stations, WEATHER_STATIONS_PATTERN, "stations", "KNMI station numbers like 225,240")
    start_t, end_t = params.time_range(start, end, timedelta(hours=24))
    fp = params.fingerprint(ids, start_t, end_t, limit)
    after = None
    if cursor:
        station, at = params.decode_cursor(cursor, fp, 2)
        after = (station, _cursor_time(at))
    async with request.app.state.pool.connection() as conn:
        rows = await reference.weather(conn, ids, start_t, end_t, limit, after)
    next_url = None
    if len(rows) == limit:
        last = rows[-1]
        next_url = _next(
            request, start_t, end_t, params.encode_cursor(fp, [last["station_id"], last["time"].isoformat()])
        )
    return list_response(
        rows,
        next_url,
        units=WEATHER_UNITS,
        time_label=BUCKET_LABEL,
        start=start_t,
        end=end_t,
        licence=licence.source_licence_json("knmi"),
    )


def _list(raw: str | None, pattern: str, name: str, hint: str) -> list[str] | None:
    if raw is None:
        return None
    if not re.fullmatch(pattern, raw):
        raise params.InvalidParameter(f"{name} must be {hint}, comma-separated without spaces (at most 20)")
    return list(dict.fromkeys(raw.split(",")))


def _next(request: Request, start: datetime, end: datetime, cursor: str) -> str:
    # start and end pinned: a default ("now") would move between pages
    return str(request.url.include_query_params(start=params.rfc3339(start), end=params.rfc3339(end), cursor=cursor))


def _cursor_time(raw: str) -> datetime:
    try:
        return params.aware(datetime.fromisoformat(raw), "cursor")
    except (ValueError, params.InvalidParameter):
        raise params.InvalidParameter("cursor is not valid: follow meta.next unchanged") from None
