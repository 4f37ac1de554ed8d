"""Between the trend routes and the science: which place a `source` names, its hourly series and the hourly wind
as arrays, and the answers of /v1/trend and /v1/compare built from ijlucht/science (trend, deweather, compare).

The science is pure (arrays in, numbers out); this module only reads (api/queries/trend.py) and shapes answers.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from fastapi import HTTPException
from psycopg import AsyncConnection

from api import params
from api.queries import trend as queries
from ijlucht import geo, sources
from ijlucht.contract import KIT_ID_PATTERN
from ijlucht.reference import COMPONENT_OF_QUANTITY
from ijlucht.science import compare, deweather, direction, trend

_KIT = KIT_ID_PATTERN.pattern.strip("^$")
_STATION = "[A-Z]{2}[0-9]{5}"
# Known CBS codes only, as api/params.py publishes them: every code the schema allows is an area the server knows.
_AREA = "(?:" + "|".join(sorted([*geo.area_names("municipality"), *geo.area_names("district")])) + ")"
SOURCE_PATTERN = f"^(?:station:{_STATION}|kit:{_KIT}|area:{_AREA})$"
_SOURCE = re.compile(SOURCE_PATTERN)
DEFAULT_WEATHER_STATION = "225"  # KNMI IJmuiden, on the pier: the coastal wind of the IJmond
WEATHER_STATION_PATTERN = "^[0-9]{3}$"


@dataclass(frozen=True)
class Place:
    source: str  # as asked: station:NL49570, kit:bev-01, area:GM0375
    kind: str  # station, kit, external, area
    key: str
    lat: float | None = None
    lon: float | None = None
    level: str | None = None  # of an area


def parse_source(raw: str) -> tuple[str, str]:
    if not _SOURCE.fullmatch(raw):
        raise params.InvalidParameter(
            f"source {raw[:60]!r} is not a place: use station:<Luchtmeetnet number> (station:NL49570), "
            "kit:<kit id> (kit:bev-01) or area:<CBS municipality or district code> (area:GM0375)"
        )
    kind, key = raw.split(":", 1)
    return kind, key


async def place(conn: AsyncConnection, raw: str, quantity: str) -> Place:
    """The place a source names; 404 when it is not known, 422 when it cannot have this quantity."""
    kind, key = parse_source(raw)
    if kind == "station":
        if quantity not in COMPONENT_OF_QUANTITY:
            raise params.InvalidParameter(
                f"stations give {', '.join(COMPONENT_OF_QUANTITY)} among the platform's quantities, not {quantity}"
            )
        row = await queries.station(conn, key)
        if row is None:
            raise HTTPException(404, f"no reference station {key!r}; see /v1/stations")
        return Place(raw, "station", key, row[1], row[2])
    if kind == "kit":
        row = await queries.kit(conn, key)
        if row is None:
            raise HTTPException(404, f"no public kit {key!r}; see /v1/kits")
        return Place(raw, row[3], key, row[1], row[2])
    level = "municipality" if key.startswith("GM") else "district"
    if key not in geo.area_names(level):
        raise params.InvalidParameter(f"area {key!r} is not a known CBS {level} code; see /v1/areas?level={level}")
    return Place(raw, "area", key, level=level)


async def hours_of(conn: AsyncConnection, where: Place, quantity: str, start: datetime, end: datetime) -> pd.Series:
    """The place's hourly values in [start, end), indexed by the start of the hour (UTC)."""
    if where.kind == "station":
        rows = await queries.station_hours(conn, where.key, COMPONENT_OF_QUANTITY[quantity], start, end)
    elif where.kind == "area":
        rows = await queries.area_hours(conn, where.level or "municipality", where.key, quantity, start, end)
    else:
        rows = await queries.kit_hours(conn, where.key, where.kind, quantity, start, end)
    index = pd.DatetimeIndex([r[0] for r in rows], tz="UTC") if rows else pd.DatetimeIndex([], tz="UTC")
    return pd.Series([r[1] for r in rows], index=index, dtype=float)


@dataclass
class Wind:
    cells: np.ndarray  # deweather cell of each hour of the series (MISSING without wind)
    state: np.ndarray
    direction: np.ndarray
    speed: np.ndarray
    long_run: np.ndarray  # climate over all the station's stored hours


async def wind_at(conn: AsyncConnection, station: str, hours: pd.DatetimeIndex, start: datetime, end: datetime) -> Wind:
    rows = await queries.weather_hours(conn, station, start, end)
    frame = pd.DataFrame(rows, columns=["hour", "state", "dir", "speed"]).set_index("hour")
    if len(frame):
        frame.index = pd.DatetimeIndex(frame.index).tz_convert("UTC")
    frame = frame.reindex(hours)
    state = frame["state"].to_numpy(dtype=object)
    direction = frame["dir"].to_numpy(dtype=float)
    speed = frame["speed"].to_numpy(dtype=float)
    counts = await queries.weather_climate(conn, station)
    long_run = deweather.climate(
        deweather.weather_cells(
            np.array([c[0] for c in counts], dtype=object),
            np.array([np.nan if c[1] is None else c[1] for c in counts], dtype=float),
            np.array([np.nan if c[2] is None else c[2] for c in counts], dtype=float),
        ),
        np.array([c[3] for c in counts], dtype=float),
    )
    return Wind(deweather.weather_cells(state, direction, speed), state, direction, speed, long_run)


def _number(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def month_range(start: datetime, end: datetime) -> tuple[int, int]:
    """Month numbers of the first and the last month [start, end) touches."""
    last = pd.Timestamp(end).tz_convert("UTC") - pd.Timedelta(microseconds=1)
    first_last = trend.month_number(pd.DatetimeIndex([pd.Timestamp(start).tz_convert("UTC"), last]))
    return int(first_last[0]), int(first_last[1])


def trend_answer(
    values: pd.Series, wind: Wind | None, first: int, last: int, increments: dict[str, tuple] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(results, meta) of /v1/trend for hourly values (and wind when the answer is weather-normalised)."""
    y = values.to_numpy(dtype=float)
    months = trend.month_number(values.index)
    normal = None
    if wind is not None:
        normal = deweather.normalised(y, wind.cells, values.index.hour.to_numpy(), months - first, wind.long_run)
    found = trend.trend(months, y, first, last, normal, increments)
    results = []
    for i in range(last - first + 1):
        results.append(
            {
                "month": trend.month_start(first + i).to_pydatetime(),
                "mean": _number(found.mean[i]),
                "deseasonalised": _number(found.deseasonalised[i]) if found.deseasonalised is not None else None,
                "normalised": _number(found.normalised[i]) if found.normalised is not None else None,
                "hours": int(found.hours[i]),
            }
        )
    s = found.slope
    deseasonalised = found.deseasonalised is not None
    meta: dict[str, Any] = {
        "method": trend.METHOD,
        "normalisation": deweather.METHOD if wind is not None else None,
        "slope_per_year": s.per_year,
        "slope_low": s.low,
        "slope_high": s.high,
        "slope_months": s.months,
        "slope_of": None if s.per_year is None else ("normalised" if wind is not None else "deseasonalised"),
        "deseasonalised": deseasonalised,
        "note": found.note,
        "hours": int(np.count_nonzero(~np.isnan(y))),
        "mean": _number(float(np.nanmean(y))) if np.any(~np.isnan(y)) else None,
        "normalised_mean": None,
        "missing_wind_hours": None,
        "increments": [
            {"emitter": e, "slope_per_year": v.per_year, "slope_low": v.low, "slope_high": v.high, "months": v.months}
            for e, v in found.increments.items()
        ],
    }
    if normal is not None and wind is not None:
        meta["normalised_mean"] = _number(float(np.nanmean(normal))) if np.any(~np.isnan(normal)) else None
        meta["missing_wind_hours"] = int(np.count_nonzero((wind.cells < 0) & ~np.isnan(y)))
    return results, meta


def compare_answer(before: pd.Series, after: pd.Series, wind: Wind | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the one result, meta) of /v1/compare; `wind` covers the hours of before then after."""
    both = pd.concat([before, after])
    y = both.to_numpy(dtype=float)
    days = compare.day_number(both.index)
    is_before = np.arange(y.size) < before.size
    raw = compare.difference(days[is_before], y[is_before], days[~is_before], y[~is_before])
    result: dict[str, Any] = {
        "difference": raw.difference,
        "low": raw.low,
        "high": raw.high,
        "before_mean": _number(raw.before_mean),
        "after_mean": _number(raw.after_mean),
        "before_hours": raw.before_hours,
        "after_hours": raw.after_hours,
        "before_days": raw.before_days,
        "after_days": raw.after_days,
        "normalised_difference": None,
        "normalised_low": None,
        "normalised_high": None,
        "normalised_before_mean": None,
        "normalised_after_mean": None,
    }
    months = trend.month_number(both.index)
    if wind is not None and y.size:
        groups = months - months.min()
        normal = deweather.normalised(y, wind.cells, both.index.hour.to_numpy(), groups, wind.long_run)
        n = compare.difference(days[is_before], normal[is_before], days[~is_before], normal[~is_before])
        result.update(
            normalised_difference=n.difference,
            normalised_low=n.low,
            normalised_high=n.high,
            normalised_before_mean=_number(n.before_mean),
            normalised_after_mean=_number(n.after_mean),
        )
    calendar = months % 12
    same = set(calendar[is_before].tolist()) == set(calendar[~is_before].tolist()) and raw.before_hours > 0
    note = None
    if raw.difference is None:
        note = f"too few days with values for an interval: each period needs at least {compare.MIN_DAYS}"
    elif not same:
        note = (
            "the periods cover different calendar months, so the difference includes the season, which weather "
            "normalisation does not remove; compare the same months (e.g. whole years)"
        )
    meta = {
        "method": compare.METHOD,
        "normalisation": deweather.METHOD if wind is not None else None,
        "same_months": same,
        "note": note,
    }
    return result, meta


def joined(first: Wind, second: Wind) -> Wind:
    """The wind of two series' hours one after the other (before then after), with the same long-run record."""
    return Wind(
        np.concatenate([first.cells, second.cells]),
        np.concatenate([first.state, second.state]),
        np.concatenate([first.direction, second.direction]),
        np.concatenate([first.speed, second.speed]),
        first.long_run,
    )


async def increments_of(
    conn: AsyncConnection, where: Place, values: pd.Series, wind: Wind
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], str | None]:
    """Per emitter: (downwind, classified) masks of the series' hours (classes of direction-v1: downwind against
    upwind and crosswind; calm, variable and missing wind are left out); and why there are none, if so."""
    if where.kind == "area":
        return {}, "no emitter increments for an area: its kits see the emitters from different directions"
    if where.lat is None or where.lon is None:
        return {}, "no emitter increments: the place has no public position"
    out = {}
    for emitter in sources.emitters().values():
        view = direction.view_of(where.lat, where.lon, emitter)
        classes = direction.classify_hours(wind.direction, wind.state, wind.speed, view)
        classified = np.isin(classes, ("downwind", "upwind", "crosswind"))
        out[emitter.id] = (classes == "downwind", classified)
    return out, None
