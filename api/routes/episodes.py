"""/v1/episodes: periods of high concentration, regional or local (ijlucht/science/episodes.py, docs/science.md)."""

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request

from api import episode_schemas, params
from api.queries import episodes as queries
from api.responses import BUCKET_LABEL, list_response
from ijlucht import sources
from ijlucht.science import episodes

router = APIRouter(prefix="/v1", tags=["science"])

DEFAULT_SPAN = timedelta(days=7)
MAX_SPAN = timedelta(days=92)  # a season: the background is computed hour by hour over every place
QUANTITY_PATTERN = "^[A-Za-z0-9]{1,12}$"
PLACE_PATTERN = "^(?:station:[A-Z]{2}[0-9]{5}|kit:[a-z0-9][a-z0-9-]{2,31})$"
WEATHER_STATION_PATTERN = "^[0-9]{3}$"
UNIT = "µg/m³"


def _frame(rows: list[tuple]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    d = pd.DataFrame(rows, columns=["place", "hour", "value"])
    d["hour"] = pd.to_datetime(d["hour"], utc=True)
    return d.pivot_table(index="hour", columns="place", values="value", aggfunc="mean").astype(float)


def _wind(rows: list[tuple]) -> pd.DataFrame | None:
    if not rows:
        return None
    d = pd.DataFrame(rows, columns=["hour", "wind_dir", "wind_state", "wind_speed"])
    return d.set_index(pd.DatetimeIndex(pd.to_datetime(d.pop("hour"), utc=True)))


def _result(e: episodes.Episode) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "quantity": e.quantity,
        "start": e.start.to_pydatetime(),
        "end": e.end.to_pydatetime(),
        "hours": e.hours,
        "peak_value": round(e.peak_value, 2),
        "peak_place": e.peak_place,
        "places": e.places,
        "wind": {"dir_deg": e.wind.dir_deg, "speed": e.wind.speed, "state": e.wind.state},
        "emitter": e.emitter,
        "unit": UNIT,
        "method": e.method,
    }


@router.get(
    "/episodes",
    summary="Episodes of high concentration of one component: regional (many places high together) or local (one "
    "place far above the others, with the emitter the wind came from)",
    description="Found in the hourly values of reference stations, public outdoor IJlucht kits (clean hourly means) "
    "and imported kits, with the wind of one KNMI station. `start`/`end` of an episode are the start of its first "
    "hour and the end of its last (UTC). Rules and thresholds: docs/science.md, section Episodes; `meta.thresholds` "
    "gives them for the quantity asked. The range may be at most 92 days.",
    responses={200: {"model": episode_schemas.Episodes}},
)
async def list_episodes(
    request: Request,
    quantity: Annotated[
        str,
        Query(
            description="pm25, pm10, or a reference component (so2, co, no2, …), any case",
            json_schema_extra={"pattern": QUANTITY_PATTERN},
            examples=["pm25"],
        ),
    ] = "pm25",
    start: Annotated[str | None, params.time_query("from (inclusive); default: 7 days before end")] = None,
    end: params.End = None,
    kind: Annotated[Literal["regional", "local"] | None, Query(description="only this kind")] = None,
    place: Annotated[
        str | None,
        Query(
            description="only episodes this place took part in: station:ID or kit:ID",
            json_schema_extra={"pattern": PLACE_PATTERN},
            examples=["station:NL49553"],
        ),
    ] = None,
    weather_station: Annotated[
        str, Query(description="KNMI station for the wind", json_schema_extra={"pattern": WEATHER_STATION_PATTERN})
    ] = "225",
) -> Any:
    for name, value, pattern, hint in (
        ("quantity", quantity, QUANTITY_PATTERN, "a component like pm25 or SO2"),
        ("place", place, PLACE_PATTERN, "station:NL49553 or kit:<kit id>"),
        ("weather_station", weather_station, WEATHER_STATION_PATTERN, "a KNMI number like 225"),
    ):
        if value is not None and not re.fullmatch(pattern, value):
            raise params.InvalidParameter(f"{name} {value[:40]!r} is not {hint}")
    key = quantity.lower()
    start_t, end_t = params.time_range(start, end, DEFAULT_SPAN, MAX_SPAN)
    async with request.app.state.pool.connection() as conn:
        rows = await queries.hourly_values(conn, key, start_t, end_t)
        positions = await queries.positions(conn)
        wind_rows = await queries.wind(conn, weather_station, start_t, end_t)
    values = _frame(rows)
    found = episodes.find_episodes(values, key, _wind(wind_rows), positions, list(sources.emitters().values()))
    results = [_result(e) for e in found if (kind is None or e.kind == kind) and (place is None or place in e.places)]
    return list_response(
        results,
        None,
        method=episodes.METHOD,
        quantity=key,
        unit=UNIT,
        start=start_t,
        end=end_t,
        time_label=BUCKET_LABEL,
        weather_station=weather_station,
        places=int(values.shape[1]),
        thresholds=episodes.thresholds(key),
    )
