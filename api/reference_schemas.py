"""Response schemas of reference stations, weather and calibrations (the schemathesis test checks real answers
against them). Reference data keep their source's licence in `licence` (ijlucht/licence.py)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from api.schemas import Licence, ListMeta, Point, Unit


class ComponentLatest(Unit):
    time: datetime
    value: float


class StationProperties(BaseModel):
    station_id: str
    name: str
    operator: str
    position_source: str | None  # where the position comes from, or why there is none
    components: list[str]
    latest: dict[str, ComponentLatest]


class StationFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: Point | None
    properties: StationProperties


class StationCollection(BaseModel):
    type: Literal["FeatureCollection"]
    time_label: Literal["start"]
    licence: Licence
    features: list[StationFeature]


class StationValue(Unit):
    component: str
    time: datetime
    value: float


class StationSeriesMeta(ListMeta):
    station_id: str
    name: str
    time_label: Literal["start"]
    start: datetime
    end: datetime


class StationSeries(BaseModel):
    meta: StationSeriesMeta
    results: list[StationValue]


class WeatherHour(BaseModel):
    station_id: str
    name: str
    time: datetime
    wind_state: Literal["direction", "calm", "variable"] | None
    wind_from: int | None
    wind_speed: float | None
    temperature: float | None
    humidity: float | None


class WeatherMeta(ListMeta):
    units: dict[str, Unit]
    time_label: Literal["start"]
    start: datetime
    end: datetime


class Weather(BaseModel):
    meta: WeatherMeta
    results: list[WeatherHour]


class Period(BaseModel):
    start: datetime | None
    end: datetime | None


class CalibrationRecord(BaseModel):
    id: int
    kit_id: str
    source: str | None
    external_id: str | None
    station_id: str
    method: str
    period: Period
    n: int
    coefficients: dict[str, float] | None
    metrics: dict[str, object]
    metrics_unit: Unit
    valid: bool
    reason: str | None
    created_at: datetime


class OneCalibration(CalibrationRecord):
    licence: Licence


class Calibrations(BaseModel):
    meta: ListMeta
    results: list[CalibrationRecord]
