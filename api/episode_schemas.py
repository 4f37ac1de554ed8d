"""Response models of /v1/episodes (for the OpenAPI schema; the route builds plain dicts)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from api.schemas import ListMeta


class EpisodeWind(BaseModel):
    dir_deg: float | None
    speed: float | None
    state: Literal["direction", "calm", "variable", "missing"]


class Episode(BaseModel):
    kind: Literal["regional", "local"]
    quantity: str
    start: datetime
    end: datetime
    hours: int
    peak_value: float
    peak_place: str
    places: list[str]
    wind: EpisodeWind
    emitter: str | None
    unit: str
    method: str


class EpisodeThresholds(BaseModel):
    high: float | None
    local_factor: float
    local_excess: float | None
    local_max_share: float
    regional_min_places: int
    regional_share: float
    merge_gap_hours: int
    stuck_min_hours: int


class EpisodesMeta(ListMeta):
    method: str
    quantity: str
    unit: str
    start: datetime
    end: datetime
    time_label: Literal["start"]
    weather_station: str
    places: int
    thresholds: EpisodeThresholds


class Episodes(BaseModel):
    meta: EpisodesMeta
    results: list[Episode]
