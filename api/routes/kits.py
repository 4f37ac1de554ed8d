"""/v1/kits: the kits with their latest values, and each kit's time series."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from api import models, queries
from ijlucht.contract import KIT_ID_PATTERN

router = APIRouter(prefix="/v1/kits", tags=["kits"])

KitId = Annotated[str, Path(pattern=KIT_ID_PATTERN.pattern, examples=["bev-01"], description="kit id")]

FEATURE_EXAMPLE = {
    "type": "FeatureCollection",
    "units": models.UNITS,
    "features": [
        {
            "type": "Feature",
            "id": "bev-01",
            "geometry": {"type": "Point", "coordinates": [4.657, 52.487]},
            "properties": {
                "kit_id": "bev-01",
                "name": "Beverwijk Centrum",
                "municipality": "Beverwijk",
                "indoor": False,
                "online": True,
                "last_seen": "2026-11-28T23:59:00+00:00",
                "firmware": "0.1.0",
                "latest": {
                    "time": "2026-11-28T23:59:00+00:00",
                    "pm1": 4.0,
                    "pm25": 7.1,
                    "pm10": 12.4,
                    "t": 9.8,
                    "rh": 81.2,
                    "p": 1013.2,
                    "flags": 0,
                    "flag_names": [],
                },
            },
        }
    ],
}


@router.get(
    "",
    summary="All public kits with their latest reading, as GeoJSON",
    responses={200: {"content": {"application/json": {"example": FEATURE_EXAMPLE}}}},
)
async def list_kits(request: Request) -> dict[str, Any]:
    async with request.app.state.pool.connection() as conn:
        rows = await queries.kits_with_latest(conn)
    return models.feature_collection(rows)


@router.get("/{kit_id}", summary="One kit with its latest reading, as a GeoJSON Feature")
async def get_kit(request: Request, kit_id: KitId) -> dict[str, Any]:
    async with request.app.state.pool.connection() as conn:
        rows = await queries.kits_with_latest(conn, kit_id)
    if not rows:
        raise HTTPException(404, f"no public kit with id {kit_id!r}")
    return models.kit_feature(rows[0])


@router.get("/{kit_id}/readings", summary="Time series of one kit, oldest first")
async def kit_readings(
    request: Request,
    kit_id: KitId,
    start: Annotated[datetime | None, Query(description="ISO 8601; default: 24 h before end")] = None,
    end: Annotated[datetime | None, Query(description="ISO 8601, exclusive; default: now")] = None,
    limit: Annotated[int, Query(ge=1, description="rows at most")] = 10_000,
) -> dict[str, Any]:
    end = _aware(end) if end else datetime.now(UTC)
    start = _aware(start) if start else end - timedelta(hours=24)
    if start >= end:
        raise HTTPException(422, "start must be before end")
    max_rows = request.app.state.settings.api_max_rows
    if limit > max_rows:
        raise HTTPException(422, f"limit {limit} is above the maximum of {max_rows}; page by time instead")
    async with request.app.state.pool.connection() as conn:
        if not await queries.kit_exists(conn, kit_id):
            raise HTTPException(404, f"no public kit with id {kit_id!r}")
        rows = await queries.readings_of_kit(conn, kit_id, start, end, limit)
    return {
        "kit_id": kit_id,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "units": models.UNITS,
        "results": [models.reading_item(r) for r in rows],
    }


def _aware(t: datetime) -> datetime:
    """Times without a zone are taken as UTC, as everywhere in the contract."""
    return t if t.tzinfo else t.replace(tzinfo=UTC)
