"""Response schemas of /v1/emitters, /v1/direction, /v1/exposure and /v1/exposure/map (issue 16); the schemathesis
test checks real answers against them."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from api.schemas import ListMeta


class LatLon(BaseModel):
    lat: float
    lon: float


class EmitterItem(BaseModel):
    id: str
    name: str
    centre: LatLon
    source_note: str
    outline: dict[str, Any]  # GeoJSON Polygon


class EmitterList(BaseModel):
    meta: ListMeta
    results: list[EmitterItem]


class EmitterView(BaseModel):
    id: str
    name: str
    bearing_deg: float | None
    distance_km: float
    span_from_deg: float
    span_to_deg: float
    downwind_from_deg: float
    downwind_to_deg: float
    inside: bool
    adjacent: bool
    rule: Literal["outline", "centre", "surrounded"]


class HoursMean(BaseModel):
    hours: int
    mean: float | None


class DirectionMeta(ListMeta):
    method: str
    place: str
    name: str
    quantity: str
    unit: str
    ucum: str
    start: datetime
    end: datetime
    sectors: int
    sector_width_deg: float
    percentile: float
    threshold: float | None
    weather_station: str
    background: Literal["none", "regional"]
    hours_without_background: int | None
    hours: int
    calm: HoursMean
    variable: HoursMean
    missing_wind_hours: int
    emitters: list[EmitterView]
    position_source: str | None


class SectorRow(BaseModel):
    sector: int
    centre_deg: float
    from_deg: float
    to_deg: float
    speed_from: float | None
    speed_to: float | None
    hours: int
    mean: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p90: float | None
    cpf: float | None


class Direction(BaseModel):
    meta: DirectionMeta
    results: list[SectorRow]


class Interval(BaseModel):
    level: float
    bootstrap: Literal["days"]
    resamples: int
    seed: int


class ExposureMeta(ListMeta):
    method: str
    direction_method: str
    place: str
    name: str
    quantity: str
    unit: str
    ucum: str
    start: datetime
    end: datetime
    weather_station: str
    background: Literal["none", "regional"]
    hours_without_background: int | None
    hours: int
    interval: Interval
    emitters: list[EmitterView]
    position_source: str | None


class ExposureRow(BaseModel):
    emitter: str
    speed_from: float | None
    speed_to: float | None
    downwind_hours: int
    upwind_hours: int
    crosswind_hours: int
    calm_hours: int
    mean_downwind: float | None
    mean_otherwise: float | None
    increment: float | None
    increment_low: float | None
    increment_high: float | None


class Exposure(BaseModel):
    meta: ExposureMeta
    results: list[ExposureRow]


class EmitterRef(BaseModel):
    id: str
    name: str
    centre: LatLon


class LeftOut(BaseModel):
    place: str
    reason: str


class MapMeta(ListMeta):
    method: str
    direction_method: str
    emitter: EmitterRef
    quantity: str
    unit: str
    ucum: str
    weather_station: str
    background: Literal["regional"]
    start: datetime
    end: datetime
    days_computed_now: int
    interval: Interval
    left_out: list[LeftOut]


class MapRow(BaseModel):
    place: str
    kind: Literal["kit", "station"]
    name: str
    lat: float
    lon: float
    hours: int
    downwind_hours: int
    downwind_share: float | None
    mean_downwind: float | None
    mean_otherwise: float | None
    increment: float | None
    increment_low: float | None
    increment_high: float | None


class ExposureMap(BaseModel):
    meta: MapMeta
    results: list[MapRow]
