"""Response schemas for the OpenAPI document (the routes write orjson bytes themselves; these describe them, and the
schemathesis test checks real answers against them)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, create_model

from api.queries.series import FLAG_COLUMNS


class Licence(BaseModel):
    id: str
    name: str
    url: str
    attribution: str


class ListMeta(BaseModel):
    """The meta of every list: how many results, the URL of the next page (null on the last), the data licence."""

    count: int
    next: str | None
    licence: Licence


class Unit(BaseModel):
    unit: str
    ucum: str


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
    # with correction=humidity|calibrated only (band then from the corrected value)
    corrected_value: float | None = None
    correction: str | None = None
    correction_reason: str | None = None
    calibration_id: int | None = None


class MapFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: Point
    properties: MapProperties


class MapLatest(BaseModel):
    type: Literal["FeatureCollection"]
    quantity: str
    unit: str
    ucum: str
    scale: str
    correction: Literal["humidity", "calibrated"] | None = None
    generated_at: datetime
    stale_after_s: int
    features: list[MapFeature]


class HourPosition(BaseModel):
    since: datetime  # the first hour of the window at this position
    lon: float
    lat: float


class MapHourly(BaseModel):
    quantity: str
    unit: str
    ucum: str
    time_label: Literal["start"]
    start: datetime
    end: datetime
    hours: list[datetime]
    kits: dict[str, list[float | None]]
    excluded: dict[str, list[int]]
    positions: dict[str, list[HourPosition]]
    # with correction=humidity|calibrated only: the method version per kit, and why a kit has no corrected hour
    correction: Literal["humidity", "calibrated"] | None = None
    methods: dict[str, str | None] | None = None
    reasons: dict[str, str | None] | None = None


class _SeriesRow(BaseModel):
    kit_id: str
    time: datetime
    quantity: str
    unit: str
    ucum: str
    value: float
    clean_value: float | None  # mean of the clean values (docs/quality.md); null when none is clean
    n: int
    n_clean: int
    n_flagged: int
    min: float
    max: float
    flags: int | None
    # with correction=humidity|calibrated only (ijlucht/corrections.py): the value beside the raw one, the method
    # version that made it, or why there is none
    corrected_value: float | None = None
    correction: str | None = None
    correction_reason: str | None = None
    calibration_id: int | None = None


# n_<flag> per quality flag (null in rollup rows written before migration 030 until they are recomputed)
SeriesRow = create_model("SeriesRow", __base__=_SeriesRow, **{c: (int | None, ...) for c in FLAG_COLUMNS})  # type: ignore[call-overload]


class SeriesMeta(ListMeta):
    resolution: Literal["raw", "10min", "hour", "day"]
    correction: Literal["humidity", "calibrated"] | None = None
    time_label: Literal["start"]
    start: datetime
    end: datetime


class Series(BaseModel):
    meta: SeriesMeta
    results: list[SeriesRow]  # type: ignore[valid-type]


class Area(BaseModel):
    code: str
    name: str
    level: Literal["municipality", "district"]
    parent_code: str | None
    kits: int
    n_excluded: int
    mean: float | None
    band: Band | None


class AreasMeta(ListMeta, Unit):
    level: Literal["municipality", "district"]
    quantity: str
    scale: str
    stale_after_s: int


class Areas(BaseModel):
    meta: AreasMeta
    results: list[Area]


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


class StatsMeta(ListMeta, Unit):
    quantity: str
    group: Literal["kit", "municipality", "district"]
    by: Literal["all", "hour_of_day", "day_of_week"]
    start: datetime
    end: datetime
    guideline: Guideline | None


class Stats(BaseModel):
    meta: StatsMeta
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


class NearestStation(BaseModel):
    station_id: str
    name: str
    components: list[str]
    distance_m: int


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
    # the nearest official station (the list and the one-kit record), null when none or no public position
    nearest_station: NearestStation | None = None


class KitFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: Point | None
    properties: KitProperties


class KitCollection(BaseModel):
    type: Literal["FeatureCollection"]
    units: dict[str, Unit]
    licence: Licence
    features: list[KitFeature]


class KitFlat(KitProperties):
    lat: float | None
    lon: float | None


class OneKitFeature(KitFeature):
    units: dict[str, Unit]
    licence: Licence


class OneKitFlat(KitFlat):
    units: dict[str, Unit]
    licence: Licence


class KitListMeta(ListMeta):
    units: dict[str, Unit]


class KitList(BaseModel):
    meta: KitListMeta
    results: list[KitFlat]


class ReadingsMeta(ListMeta):
    kit_id: str
    start: datetime
    end: datetime
    units: dict[str, Unit]


class Readings(BaseModel):
    meta: ReadingsMeta
    results: list[Reading]


class QuantityItem(Unit):
    key: str
    label_nl: str
    label_en: str
    minimum: float
    maximum: float


class Quantities(BaseModel):
    meta: ListMeta
    results: list[QuantityItem]


class Flag(BaseModel):
    bit: int
    value: int
    name: str
    unclean: bool


class FlagsMeta(ListMeta):
    method_version: str
    docs: str


class Flags(BaseModel):
    meta: FlagsMeta
    results: list[Flag]


class ScaleBand(BaseModel):
    index: int
    name_nl: str
    name_en: str
    colour: str
    lower: float | None
    upper: float | None


class Scale(BaseModel):
    key: str
    default: bool
    label_nl: str
    label_en: str
    source: str | None
    averaging: dict[str, str] | None  # per quantity: the averaging time the thresholds are meant for
    bands: dict[str, list[ScaleBand]]


class Scales(BaseModel):
    meta: ListMeta
    results: list[Scale]


class SourceLicence(BaseModel):
    key: str
    name: str
    licence: str
    licence_url: str
    attribution: str


class Licences(BaseModel):
    meta: ListMeta
    results: list[SourceLicence]
