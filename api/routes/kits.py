"""/v1/kits: the kits with their latest values (public positions only), and each kit's time series."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request

from api import models, params, schemas
from api.queries import kits as queries
from api.queries import reference as reference_queries
from api.responses import GEOJSON, geojson_response, json_response, list_response
from api.settings import ApiSettings
from ijlucht import licence, reference
from ijlucht.contract import KIT_ID_PATTERN

MAX_ROWS = ApiSettings().api_max_rows  # declared in the schema; the running settings are checked too

router = APIRouter(prefix="/v1/kits", tags=["kits"])

KitId = Annotated[str, Path(pattern=KIT_ID_PATTERN.pattern, examples=["bev-01"], description="kit id")]

FEATURE_EXAMPLE = {
    "type": "FeatureCollection",
    "units": models.UNITS,
    "licence": licence.licence_json(),
    "features": [
        {
            "type": "Feature",
            "id": "bev-01",
            "geometry": {"type": "Point", "coordinates": [4.657, 52.487]},
            "properties": {
                "kit_id": "bev-01",
                "name": "Beverwijk Centrum",
                "municipality": "Beverwijk",
                "municipality_code": "GM0375",
                "district": "Centrum",
                "district_code": "WK037500",
                "indoor": False,
                "exact_location": False,
                "height_m": 3.0,
                "sensors": ["pms5003", "bme280"],
                "disabled": False,
                "online": True,
                "last_seen": "2026-11-28T23:59:00Z",
                "firmware": "0.1.0",
                "latest": {
                    "time": "2026-11-28T23:59:00Z",
                    "pm1": 4.0,
                    "pm25": 7.1,
                    "pm10": 12.4,
                    "t": 9.8,
                    "rh": 81.2,
                    "p": 1013.2,
                    "flags": 0,
                    "flag_names": [],
                },
            },
        }
    ],
}


Format = Annotated[
    Literal["geojson", "json"], Query(description="geojson: a FeatureCollection; json: {meta, results} of flat kits")
]
AREA_TEXT = r"^[A-Za-z0-9 .'()-]{1,60}$"


@router.get(
    "",
    summary="Public kits with their latest reading, as GeoJSON or JSON; filter by area, box, indoor, online",
    description="Positions are public ones: jittered 40-100 m unless the owner opted in to the exact position; "
    "indoor kits have no position.",
    responses={
        200: {
            "model": schemas.KitCollection | schemas.KitList,
            "content": {GEOJSON: {"example": FEATURE_EXAMPLE}, "application/json": {}},
        }
    },
)
async def list_kits(
    request: Request,
    format: Format = "geojson",
    bbox: params.Bbox = None,
    municipality: Annotated[
        str | None, Query(pattern=AREA_TEXT, description="CBS code or name", examples=["GM0375"])
    ] = None,
    district: Annotated[
        str | None, Query(pattern=AREA_TEXT, description="CBS wijk code or name", examples=["WK037500"])
    ] = None,
    indoor: Annotated[bool | None, Query(description="only indoor (true) or outdoor (false) kits")] = None,
    online: Annotated[bool | None, Query(description="only kits that are (not) online")] = None,
) -> Any:
    box = params.bbox(bbox)
    async with request.app.state.pool.connection() as conn:
        rows = await queries.kits_with_latest(
            conn, municipality=municipality, district=district, indoor=indoor, online=online, bbox=box
        )
        stations = await reference_queries.stations(conn) if rows else []
    nearest = [reference.nearest_station(r["lat"], r["lon"], stations) for r in rows]
    if format == "json":
        results = [{**models.kit_json(r), "nearest_station": n} for r, n in zip(rows, nearest, strict=True)]
        return list_response(results, units=models.UNITS)
    collection = models.feature_collection(rows)
    for feature, n in zip(collection["features"], nearest, strict=True):
        feature["properties"]["nearest_station"] = n
    return geojson_response(collection)


@router.get(
    "/{kit_id}",
    summary="One kit with its latest reading, as a GeoJSON Feature (or flat JSON)",
    responses={
        200: {"model": schemas.OneKitFeature | schemas.OneKitFlat, "content": {GEOJSON: {}, "application/json": {}}}
    },
)
async def get_kit(request: Request, kit_id: KitId, format: Format = "geojson") -> Any:
    async with request.app.state.pool.connection() as conn:
        rows = await queries.kits_with_latest(conn, kit_id)
        stations = await reference_queries.stations(conn) if rows else []
    if not rows:
        raise HTTPException(404, f"no public kit with id {kit_id!r}")
    nearest = {"nearest_station": reference.nearest_station(rows[0]["lat"], rows[0]["lon"], stations)}
    # one kit: its latest values' units and the licence travel with it (a collection has them once, on top)
    extra = {"units": models.UNITS, "licence": licence.licence_json()}
    if format == "json":
        return json_response({**models.kit_json(rows[0]), **nearest, **extra})
    feature = models.kit_feature(rows[0])
    feature["properties"].update(nearest)
    return geojson_response({**feature, **extra})


@router.get(
    "/{kit_id}/readings",
    summary="Raw time series of one kit, all quantities, oldest first",
    responses={200: {"model": schemas.Readings}},
)
async def kit_readings(
    request: Request,
    kit_id: KitId,
    start: Annotated[str | None, params.time_query("from (inclusive); default: 24 h before end")] = None,
    end: params.End = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS, description="rows a page; meta.next: the next")] = 10_000,
) -> Any:
    start, end = params.time_range(start, end, timedelta(hours=24))
    max_rows = request.app.state.settings.api_max_rows
    if limit > max_rows:
        raise HTTPException(422, f"limit {limit} is above the maximum of {max_rows}; page by time or use /v1/series")
    async with request.app.state.pool.connection() as conn:
        if not await queries.kit_exists(conn, kit_id):
            raise HTTPException(404, f"no public kit with id {kit_id!r}")
        rows = await queries.readings_of_kit(conn, kit_id, start, end, limit)
    next_url = None
    if len(rows) == limit:  # times are unique per kit: the next page starts just after the last one
        after = rows[-1]["time"] + timedelta(microseconds=1)
        next_url = str(request.url.include_query_params(start=params.rfc3339(after), end=params.rfc3339(end)))
    results = [models.reading_item(r) for r in rows]
    return list_response(results, next_url, kit_id=kit_id, start=start, end=end, units=models.UNITS)
