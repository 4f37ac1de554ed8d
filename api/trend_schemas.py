"""Response schemas of /v1/trend, /v1/compare and /v1/events (the schemathesis test checks real answers against
them)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from api.schemas import ListMeta


class IncrementSlope(BaseModel):
    emitter: str
    slope_per_year: float | None
    slope_low: float | None
    slope_high: float | None
    months: int


class TrendMeta(ListMeta):
    method: str
    normalisation: str | None
    source: str
    quantity: str
    unit: str
    ucum: str
    start: datetime
    end: datetime
    weather_station: str
    time_label: Literal["start"]
    slope_per_year: float | None
    slope_low: float | None
    slope_high: float | None
    slope_months: int
    slope_of: Literal["deseasonalised", "normalised"] | None
    slope_unit: str
    deseasonalised: bool
    note: str | None
    hours: int
    mean: float | None
    normalised_mean: float | None
    missing_wind_hours: int | None
    increments: list[IncrementSlope]
    increments_note: str | None


class TrendMonth(BaseModel):
    month: datetime
    mean: float | None
    deseasonalised: float | None
    normalised: float | None
    hours: int


class Trend(BaseModel):
    meta: TrendMeta
    results: list[TrendMonth]


class ComparePeriod(BaseModel):
    start: datetime
    end: datetime


class CompareMeta(ListMeta):
    method: str
    normalisation: str | None
    source: str
    quantity: str
    unit: str
    ucum: str
    before: ComparePeriod
    after: ComparePeriod
    weather_station: str
    same_months: bool
    note: str | None


class CompareRow(BaseModel):
    difference: float | None
    low: float | None
    high: float | None
    normalised_difference: float | None
    normalised_low: float | None
    normalised_high: float | None
    before_mean: float | None
    after_mean: float | None
    normalised_before_mean: float | None
    normalised_after_mean: float | None
    before_hours: int
    after_hours: int
    before_days: int
    after_days: int


class Compare(BaseModel):
    meta: CompareMeta
    results: list[CompareRow]


class Event(BaseModel):
    id: str
    date: date
    date_precision: Literal["day", "month", "year"]
    kind: str
    title_nl: str
    title_en: str
    place: str | None
    emitter: str | None
    source_url: str
    certainty: Literal["stated", "reported", "planned"]
    note: str | None


class Events(BaseModel):
    meta: ListMeta
    results: list[Event]
