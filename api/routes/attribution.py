"""/v1/emitters, /v1/direction, /v1/exposure and /v1/exposure/map: is it the steelworks? (issue 16)

Thin: parameters checked here, reading in api/queries/attribution.py, computing in api/attribution.py with the pure
methods of ijlucht/science. Method and rules: docs/science.md, "Direction analysis" and "Source exposure".
"""

import itertools
import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from api import attribution, attribution_schemas, params
from api.responses import list_response, unit_json
from ijlucht import sources

router = APIRouter(prefix="/v1", tags=["attribution"])

CONCENTRATIONS = Literal["pm1", "pm25", "pm10"]
DEFAULT_SPAN = timedelta(days=365)
MAX_SPAN = timedelta(days=1096)  # three years of hours in memory for one place
MAP_MAX_SPAN = timedelta(days=366)
_NUM = r"[0-9]{1,2}(?:\.[0-9]{1,2})?"
SPEED_BINS_PATTERN = f"^{_NUM}(?:,{_NUM}){{0,9}}$"
EMITTER_PATTERN = "^[a-z0-9][a-z0-9-]{1,62}$"
WEATHER_PATTERN = "^[0-9]{3}$"

Place = Annotated[
    str | None,
    Query(
        description="the place: station:<Luchtmeetnet number> or kit:<kit id> (also accepted as `place`)",
        json_schema_extra={"pattern": attribution.PLACE_PATTERN},
        examples=["station:NL49553"],
    ),
]
PlaceAlias = Annotated[
    str | None, Query(description="same as `source`", json_schema_extra={"pattern": attribution.PLACE_PATTERN})
]
Quantity = Annotated[CONCENTRATIONS, Query(description="concentration to analyse", examples=["pm25"])]
WeatherStation = Annotated[
    str, Query(description="KNMI station whose wind is used", pattern=WEATHER_PATTERN, examples=["225"])
]
SpeedBins = Annotated[
    str,
    Query(
        description="ascending wind-speed bin edges in m/s, comma-separated (at most 10); the last bin is open",
        pattern=SPEED_BINS_PATTERN,
        examples=["0,2,4,6,10"],
    ),
]
Emitter = Annotated[
    str | None, Query(description="emitter id (see /v1/emitters); default all", pattern=EMITTER_PATTERN)
]


def _place(source: str | None, place: str | None) -> str:
    given = [p for p in (source, place) if p is not None]
    if len(given) != 1:
        raise params.InvalidParameter("give the place once, as source=station:NL49553 or source=kit:<kit id>")
    if not re.fullmatch(attribution.PLACE_PATTERN, given[0]):
        raise params.InvalidParameter("source must be station:<Luchtmeetnet number> (station:NL49553) or kit:<kit id>")
    return given[0]


def _edges(raw: str) -> list[float]:
    edges = [float(x) for x in raw.split(",")]
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise params.InvalidParameter("speed_bins must be ascending, e.g. 0,2,4,6,10")
    return edges


def _answer(e: attribution.AnalysisError) -> HTTPException:
    return HTTPException(e.status, e.reason)


@router.get(
    "/emitters",
    summary="Known sources of pollution (emitters): name, centre, outline and where they come from",
    description="From data/sources (facts as data). The outline is a GeoJSON Polygon; `source_note` says where the "
    "centre and the outline come from (the steelworks' outline is approximate).",
    responses={200: {"model": attribution_schemas.EmitterList}},
)
async def emitters() -> Any:
    results = [
        {
            "id": e.id,
            "name": e.name,
            "centre": {"lat": e.centre_lat, "lon": e.centre_lon},
            "source_note": e.source_note,
            "outline": sources.outline_geometry(e.id),
        }
        for e in sources.emitters().values()
    ]
    return list_response(results)


@router.get(
    "/direction",
    summary="Pollution rose and CPF of a kit or station: per wind sector and speed bin (method direction-v1)",
    description="Per sector (centred on north) and wind-speed bin: hours, mean, percentiles and the conditional "
    "probability function (share of the sector's hours above the `percentile` of all hours, Ashbaugh 1985). The "
    "first row of each sector is all speeds (speed_from and speed_to null). Calm and variable hours are reported "
    "apart in meta, with the bearing of each emitter. `background=regional` subtracts, hour by hour, the median of "
    "the other stations and kits within 20 km of the emitter that were not downwind of it. Correlation, not proof.",
    responses={200: {"model": attribution_schemas.Direction}},
)
async def direction(
    request: Request,
    source: Place = None,
    place: PlaceAlias = None,
    quantity: Quantity = "pm25",
    start: Annotated[str | None, params.time_query("from (inclusive); default: 365 days before end")] = None,
    end: params.End = None,
    sectors: Annotated[int, Query(ge=4, le=72, description="number of wind sectors, centred on north")] = 12,
    speed_bins: SpeedBins = "0,2,4,6,10",
    percentile: Annotated[float, Query(gt=0, lt=100, description="percentile for the CPF threshold")] = 75,
    weather_station: WeatherStation = "225",
    background: Annotated[Literal["none", "regional"], Query(description="subtract the regional background")] = "none",
    emitter: Emitter = None,
) -> Any:
    ref = _place(source, place)
    edges = _edges(speed_bins)
    start_t, end_t = params.time_range(start, end, DEFAULT_SPAN, MAX_SPAN)
    async with request.app.state.pool.connection() as conn:
        try:
            meta, rows = await attribution.direction_analysis(
                conn, ref, quantity, start_t, end_t, sectors, edges, percentile, weather_station, background,
                [emitter] if emitter else None,
            )  # fmt: skip
        except attribution.AnalysisError as e:
            raise _answer(e) from None
    return list_response(rows, None, **meta, **unit_json(quantity), start=start_t, end=end_t)


@router.get(
    "/exposure",
    summary="Source exposure of a kit or station: downwind hours, means and the increment with a 95 % interval",
    description="Each hour is classed downwind, upwind, crosswind, calm, variable or missing towards each emitter. "
    "increment = mean of downwind hours − mean of the other hours with known wind, after subtracting the regional "
    "background hour by hour (`background=regional`, the default: the median of the other stations and kits within "
    "20 km of the emitter that were not downwind of it), with a 95 % interval from a "
    "bootstrap over days (seeded: the same data give the same interval). One row per emitter for all speeds "
    "(speed_from and speed_to null), then one per wind-speed bin. Correlation, not proof.",
    responses={200: {"model": attribution_schemas.Exposure}},
)
async def exposure(
    request: Request,
    source: Place = None,
    place: PlaceAlias = None,
    quantity: Quantity = "pm25",
    start: Annotated[str | None, params.time_query("from (inclusive); default: 365 days before end")] = None,
    end: params.End = None,
    emitter: Emitter = None,
    weather_station: WeatherStation = "225",
    speed_bins: SpeedBins = "0,2,4,6,10",
    background: Annotated[
        Literal["none", "regional"], Query(description="subtract the regional background first (default)")
    ] = "regional",
) -> Any:
    ref = _place(source, place)
    edges = _edges(speed_bins)
    start_t, end_t = params.time_range(start, end, DEFAULT_SPAN, MAX_SPAN)
    async with request.app.state.pool.connection() as conn:
        try:
            meta, rows = await attribution.exposure_analysis(
                conn, ref, quantity, start_t, end_t, weather_station, edges, [emitter] if emitter else None, background
            )
        except attribution.AnalysisError as e:
            raise _answer(e) from None
    return list_response(rows, None, **meta, **unit_json(quantity), start=start_t, end=end_t)


@router.get(
    "/exposure/map",
    summary="The exposure map layer: downwind share and increment for every kit and station with a position",
    description="Whole UTC days (start and end widen to the days they touch; at most 366 days). Kits at their public "
    "position. Increments after the regional background, as /v1/exposure gives them by default. Built from per-day "
    "sums kept in the database; days computed before they could be complete are "
    "computed again on the next call. Places without a known position are listed in `meta.left_out`.",
    responses={200: {"model": attribution_schemas.ExposureMap}},
)
async def exposure_map(
    request: Request,
    emitter: Annotated[str, Query(description="emitter id (see /v1/emitters)", pattern=EMITTER_PATTERN)] = (
        "tata-steel-ijmuiden"
    ),
    quantity: Quantity = "pm25",
    start: Annotated[str | None, params.time_query("from (inclusive); default: 365 days before end")] = None,
    end: params.End = None,
    weather_station: WeatherStation = "225",
) -> Any:
    start_t, end_t = params.time_range(start, end, DEFAULT_SPAN, MAP_MAX_SPAN)
    async with request.app.state.pool.connection() as conn:
        try:
            meta, rows = await attribution.exposure_map(conn, emitter, quantity, start_t, end_t, weather_station)
        except attribution.AnalysisError as e:
            raise _answer(e) from None
    return list_response(rows, None, **meta, **unit_json(quantity))
