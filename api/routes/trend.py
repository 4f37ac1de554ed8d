"""/v1/trend and /v1/compare: is the air getting better at a kit, station or area, with weather and season taken
out where the data allow; and the difference between two periods (e.g. around a dated change at a plant).
Methods and what they cannot prove: docs/science.md ("Trends and before/after")."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.routing import APIRouter

from api import params, trend_schemas, trends
from api.responses import BUCKET_LABEL, list_response, unit_json

router = APIRouter(prefix="/v1", tags=["trends"])

DEFAULT_SPAN = timedelta(days=730)
MAX_SPAN = timedelta(days=3660)  # ten years: 120 months keep the bootstrap of the slope fast
MAX_PERIOD = timedelta(days=1830)  # each period of a comparison: five years

Source = Annotated[
    str,
    Query(
        description="station:<Luchtmeetnet number>, kit:<kit id> or area:<CBS municipality or district code>",
        json_schema_extra={"pattern": trends.SOURCE_PATTERN},
        examples=["station:NL49570"],
    ),
]
WeatherStation = Annotated[
    str,
    Query(
        description="KNMI station whose wind normalises the series (default 225 IJmuiden)",
        json_schema_extra={"pattern": trends.WEATHER_STATION_PATTERN},
        examples=["225"],
    ),
]
Quantity = Annotated[params.QuantityKey, Query(description="quantity key", examples=["pm25"])]

TREND_EXAMPLE = {
    "meta": {
        "count": 1,
        "next": None,
        "method": "trend-theilsen-mbb-v1",
        "normalisation": "deweather-additive-v1",
        "source": "station:NL49570",
        "quantity": "pm25",
        "unit": "µg/m³",
        "ucum": "ug/m3",
        "slope_per_year": -0.41,
        "slope_low": -0.95,
        "slope_high": 0.12,
        "slope_unit": "µg/m³ per year",
        "deseasonalised": True,
        "note": None,
        "increments": [{"emitter": "tata-steel-ijmuiden", "slope_per_year": -0.8, "slope_low": -2.1,
                        "slope_high": 0.4, "months": 24}],
    },
    "results": [{"month": "2023-01-01T00:00:00Z", "mean": 9.1, "deseasonalised": 8.2, "normalised": 8.5, "hours": 743}],
}  # fmt: skip


@router.get(
    "/trend",
    summary="Monthly means, deseasonalised and weather-normalised, with a Theil–Sen slope per year and its 95 % "
    "interval, for a kit, station or area; and the same slope for the downwind increment of each emitter",
    description="Months are UTC calendar months; a month's mean needs 240 hours. Deseasonalising needs every "
    "calendar month in at least two years: with less, `deseasonalised` is false, there is no slope, and `note` says "
    "why (monthly and weather-normalised means are still given, and `mean` / `normalised_mean` over the whole "
    "range). `normalise=weather` fits concentration on wind sector × speed and hour of day within each month and "
    "gives each month under the station's long-run wind (`deweather-additive-v1`); the slope is then that of the "
    "normalised series. The interval comes from a block bootstrap over months. A trend shows a change, not its "
    "cause (docs/science.md).",
    responses={200: {"model": trend_schemas.Trend, "content": {"application/json": {"example": TREND_EXAMPLE}}}},
)
async def trend(
    request: Request,
    source: Source,
    quantity: Quantity = "pm25",
    start: Annotated[str | None, params.time_query("from (inclusive); default: 2 years before end")] = None,
    end: params.End = None,
    normalise: Annotated[
        Literal["none", "weather"], Query(description="none, or weather: remove what wind and hour of day explain")
    ] = "none",
    weather_station: WeatherStation = trends.DEFAULT_WEATHER_STATION,
) -> Any:
    quantity = params.quantity(quantity)
    station = _weather_station(weather_station)
    start_t, end_t = params.time_range(start, end, DEFAULT_SPAN, MAX_SPAN)
    first, last = trends.month_range(start_t, end_t)
    async with request.app.state.pool.connection() as conn:
        where = await trends.place(conn, source, quantity)
        values = await trends.hours_of(conn, where, quantity, start_t, end_t)
        wind = await trends.wind_at(conn, station, values.index, start_t, end_t)
        increments, increments_note = await trends.increments_of(conn, where, values, wind)
    results, meta = trends.trend_answer(values, wind if normalise == "weather" else None, first, last, increments)
    unit = unit_json(quantity)
    return list_response(
        results, None, source=source, quantity=quantity, **unit, start=start_t, end=end_t, weather_station=station,
        time_label=BUCKET_LABEL, slope_unit=f"{unit['unit']} per year", increments_note=increments_note, **meta,
    )  # fmt: skip


@router.get(
    "/compare",
    summary="After − before: the difference of the hourly means of two periods with its 95 % interval (bootstrap "
    "by day), and the same for the weather-normalised values",
    description="Periods are [start, end); before must end before after starts, each at most five years. The "
    "interval draws whole days with replacement within each period. The weather-normalised difference uses the "
    "same model as /v1/trend (`deweather-additive-v1`), fitted over both periods. `same_months` is false when the "
    "periods cover different calendar months: the difference then includes the season, which the normalisation "
    "does not remove. A difference shows a change around a date, not that the dated event caused it.",
    responses={200: {"model": trend_schemas.Compare}},
)
async def compare(
    request: Request,
    source: Source,
    before_start: Annotated[str, params.time_query("start of the before period (inclusive)")],
    before_end: Annotated[str, params.time_query("end of the before period (exclusive)")],
    after_start: Annotated[str, params.time_query("start of the after period (inclusive)")],
    after_end: Annotated[str, params.time_query("end of the after period (exclusive)")],
    quantity: Quantity = "pm25",
    weather_station: WeatherStation = trends.DEFAULT_WEATHER_STATION,
) -> Any:
    quantity = params.quantity(quantity)
    station = _weather_station(weather_station)
    b0, b1 = _period(before_start, before_end, "before")
    a0, a1 = _period(after_start, after_end, "after")
    if b1 > a0:
        raise params.InvalidParameter("before_end must not be after after_start: the periods may not overlap")
    async with request.app.state.pool.connection() as conn:
        where = await trends.place(conn, source, quantity)
        before = await trends.hours_of(conn, where, quantity, b0, b1)
        after = await trends.hours_of(conn, where, quantity, a0, a1)
        wind_b = await trends.wind_at(conn, station, before.index, b0, b1)
        wind_a = await trends.wind_at(conn, station, after.index, a0, a1)
    result, meta = trends.compare_answer(before, after, trends.joined(wind_b, wind_a))
    return list_response(
        [result], None, source=source, quantity=quantity, **unit_json(quantity), before={"start": b0, "end": b1},
        after={"start": a0, "end": a1}, weather_station=station, **meta,
    )  # fmt: skip


def _weather_station(raw: str) -> str:
    if not raw.isascii() or not raw.isdigit() or len(raw) != 3:
        raise params.InvalidParameter(f"weather_station {raw[:20]!r} is not a KNMI station number (three digits)")
    return raw


def _period(start: str, end: str, name: str):
    s, e = params.parse_time(start, f"{name}_start"), params.parse_time(end, f"{name}_end")
    assert s is not None and e is not None
    if s >= e:
        raise params.InvalidParameter(f"{name}_start must be before {name}_end")
    if e - s > MAX_PERIOD:
        raise params.InvalidParameter(f"the {name} period may be at most {MAX_PERIOD.days} days")
    return s, e
