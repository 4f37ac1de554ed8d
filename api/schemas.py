"""Response schemas for the OpenAPI document (the routes write orjson bytes themselves; these describe them, and the
schemathesis test checks real answers against them)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class Band(BaseModel):
    index: int
    name_nl: str
    name_en: str
    colour: str


class Point(BaseModel):
    type: Literal["Point"]
    coordinates: list[float]


class MapProperties(BaseModel):
    kit_id: str
    name: str
    municipality: str | None
    district: str | None
    online: bool
    last_seen: datetime | None
    stale: bool
    value: float | None
    time: datetime | None
    flags: int | None
    excluded: bool
    band: Band | None


class MapFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: Point
    properties: MapProperties


class MapLatest(BaseModel):
    type: Literal["FeatureCollection"]
    quantity: str
    unit: str
    scale: str
    generated_at: datetime
    stale_after_s: int
    features: list[MapFeature]


class MapHourly(BaseModel):
    quantity: str
    unit: str
    start: datetime
    end: datetime
    hours: list[datetime]
    kits: dict[str, list[float | None]]
    excluded: dict[str, list[int]]


class SeriesRow(BaseModel):
    kit_id: str
    time: datetime
    quantity: str
    value: float
    n: int
    n_flagged: int
    min: float
    max: float
    flags: int | None
    # Rollup rows with values left out of public figures (docs/quality.md): how many are clean, and their mean
    # (null when none is). Absent when all are clean: the clean mean is then `value`.
    n_clean: int | None = None
    clean_value: float | None = None


class Series(BaseModel):
    resolution: str
    start: datetime
    end: datetime
    results: list[SeriesRow]
    next_cursor: str | None


class Area(BaseModel):
    code: str
    name: str
    level: Literal["municipality", "district"]
    parent_code: str | None
    kits: int
    n_excluded: int
    mean: float | None
    band: Band | None


class Percentiles(BaseModel):
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float
    p98: float


class StatsRow(BaseModel):
    kit_id: str | None = None
    area: str | None = None
    slot: int | None
    n_hours: int
    mean: float | None
    min: float | None
    max: float | None
    percentiles: Percentiles | None
    hours_above_who: int | None
    n_excluded: int


class Guideline(BaseModel):
    value: float | None
    averaging: str
    source: str


class Stats(BaseModel):
    quantity: str
    unit: str
    group: Literal["kit", "municipality", "district"]
    by: Literal["all", "hour_of_day", "day_of_week"]
    start: datetime
    end: datetime
    guideline: Guideline | None
    results: list[StatsRow]


class Reading(BaseModel):
    time: datetime
    pm1: float | None
    pm25: float | None
    pm10: float | None
    t: float | None
    rh: float | None
    p: float | None
    flags: int


class Latest(Reading):
    flag_names: list[str]


class KitProperties(BaseModel):
    kit_id: str
    name: str
    municipality: str | None
    municipality_code: str | None
    district: str | None
    district_code: str | None
    indoor: bool
    exact_location: bool
    height_m: float | None
    sensors: list[str] | None
    online: bool | None
    disabled: bool
    last_seen: datetime | None
    firmware: str | None
    latest: Latest | None


class KitFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: Point | None
    properties: KitProperties


class KitCollection(BaseModel):
    type: Literal["FeatureCollection"]
    units: dict[str, str]
    features: list[KitFeature]


class KitFlat(KitProperties):
    lat: float | None
    lon: float | None


class KitListMeta(BaseModel):
    count: int
    units: dict[str, str]


class KitList(BaseModel):
    meta: KitListMeta
    results: list[KitFlat]


class Readings(BaseModel):
    kit_id: str
    start: datetime
    end: datetime
    units: dict[str, str]
    results: list[Reading]
