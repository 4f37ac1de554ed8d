"""/v1/owner: a kit's owner sees how the kit is doing, exports its data and deletes it, with the owner token shown
at registration (X-Owner-Token; stored only as a hash, never the broker password). An unknown kit and a wrong token
get the same 404, so the token cannot be used to learn which kits exist."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import psycopg
from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api import export
from api.queries import owner as owner_queries
from api.queries import series as timeseries
from api.responses import json_response
from api.settings import ApiSettings
from ijlucht import broker, kithealth, kithistory, kits, owners
from ijlucht.contract import KIT_ID_PATTERN
from ijlucht.quantities import KEYS

router = APIRouter(prefix="/v1/owner", tags=["owner"])

KitId = Annotated[str, Path(pattern=KIT_ID_PATTERN.pattern, examples=["zeestraat-12"], description="kit id")]
OwnerToken = Annotated[
    str, Header(alias="X-Owner-Token", pattern=owners.TOKEN_PATTERN, description="the owner token from registration")
]
NOT_YOURS = {404: {"description": "no kit with this id has this owner token"}}
PRIVATE = {"Cache-Control": "no-store"}  # the owner's own answer: no cache may keep it
REJECTS_SHOWN = 20
ARCHIVE_START = datetime(2000, 1, 1, tzinfo=UTC)


MIN_LON, MIN_LAT, MAX_LON, MAX_LAT = owners.service_area()
SensorName = Literal[owners.supported_sensors()]  # type: ignore[valid-type]


class KitMove(BaseModel):
    """A kit's new place from now on; what is not given stays as it was."""

    model_config = ConfigDict(extra="forbid", strict=True)
    lat: float = Field(ge=MIN_LAT, le=MAX_LAT, examples=[52.458], description="exact position: kept private")
    lon: float = Field(ge=MIN_LON, le=MAX_LON, examples=[4.615])
    height_m: float | None = Field(None, ge=0, le=100, description="height above ground, metres")
    indoor: bool | None = None
    sensors: list[SensorName] | None = Field(
        None,
        min_length=1,
        max_length=4,
        json_schema_extra={"uniqueItems": True},
        examples=[["sds011", "bme280"]],
        description="one particle sensor and one SHT sensor at most (docs/build/)",
    )


def move(settings: ApiSettings, kit_id: str, body: KitMove) -> dict[str, Any]:
    """Add the kit's new version (ijlucht/kithistory.py); 404 for an unknown kit, 422 for sensors that cannot
    share a kit."""
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        try:
            if body.sensors is not None:
                owners.firmware_module("config").check_sensors(list(body.sensors), hardware_only=True)
            sensors = tuple(body.sensors) if body.sensors is not None else None
            v = kithistory.move_kit(conn, settings, kit_id, body.lat, body.lon, body.height_m, body.indoor, sensors)
        except kits.KitNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(422, str(exc).removeprefix("config: ")) from None
    return {
        "kit_id": kit_id,
        "valid_from": v.valid_from,
        "municipality_code": v.municipality_code,
        "district_code": v.district_code,
        "height_m": v.height_m,
        "indoor": v.indoor,
        "sensors": v.sensors,
    }


async def _kit(request: Request, kit_id: str, token: str) -> dict[str, Any]:
    async with request.app.state.pool.connection() as conn:
        kit = await owner_queries.owner_kit(conn, kit_id, owners.hash_token(token))
        if kit is None:
            raise HTTPException(404, f"no kit {kit_id!r} with this owner token; use the token shown at registration")
        kit["rejects"] = await owner_queries.recent_rejects(conn, kit_id, REJECTS_SHOWN)
    return kit


@router.get(
    "/kits/{kit_id}",
    summary="The owner's view of a kit: online state, health, firmware update, rejects with advice, latest reading",
    responses=NOT_YOURS,
)
async def owner_view(request: Request, kit_id: KitId, token: OwnerToken) -> Any:
    kit = await _kit(request, kit_id, token)
    update = kit.pop("update")
    if update is not None:
        update["took"] = kit["firmware"] == update["version"]
    rejects = [
        {"received_at": when, "reason": reason, "advice": kithealth.advice(reason)}
        for when, reason in kit.pop("rejects")
    ]
    info = kit.pop("info")
    return json_response(
        {
            **kit,
            "disabled": kit.pop("disabled_at") is not None,
            "health": kithealth.health(info),
            "update": update,
            "rejects": rejects,
            "delete_choices": owners.DELETE_CHOICES,
        },
        headers=PRIVATE,
    )


@router.get(
    "/kits/{kit_id}/export",
    summary="All of the kit's readings since its registration, as CSV or Parquet (indoor and private ones too)",
    responses={**NOT_YOURS, 200: {"content": {"text/csv": {}, export.MEDIA["parquet"]: {}}, "description": "the file"}},
)
async def owner_export(
    request: Request,
    kit_id: KitId,
    token: OwnerToken,
    format: Annotated[Literal["csv", "parquet"], Query(description="csv or parquet")] = "csv",
) -> export.DeadlineStream:
    await _kit(request, kit_id, token)
    settings = request.app.state.settings
    quantities = list(KEYS)
    # From the start of the archive: a kit may send readings from before its registration, all of them its owner's.
    q = timeseries.query_params([kit_id], quantities, ARCHIVE_START, datetime.now(UTC), True)
    source = timeseries.batches(
        request.app.state.pool,
        timeseries.raw_query(quantities, paged=False),
        q,
        lambda rows: timeseries.raw_rows(rows, quantities),
        settings.api_export_idle_ms,
    )
    if format == "csv":
        body = export.as_csv(source, export.header_lines("raw", "UTC", str(request.url)), "UTC")
    else:
        body = export.as_parquet(source)
    return export.streamed_file(request, body, format, f"ijlucht_{kit_id}.{format}", PRIVATE)


@router.post(
    "/kits/{kit_id}/move",
    summary="The kit moved (or changed height, indoor/outdoor or sensors): a new version from now; the past stays",
    description="Sensors: at most one particle sensor (pms5003, pms5003t, sds011, sps30, sps30_i2c) and at most "
    "one SHT sensor (sht3x, sht4x).",
    responses={**NOT_YOURS, 422: {"description": "sensors that cannot share a kit (the answer says why)"}},
)
async def owner_move(request: Request, kit_id: KitId, token: OwnerToken, body: KitMove) -> Any:
    await _kit(request, kit_id, token)
    moved = await run_in_threadpool(move, request.app.state.settings, kit_id, body)
    return json_response(moved, headers=PRIVATE)


def _delete(settings: ApiSettings, kit_id: str, measurements: str) -> None:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        try:
            owners.delete_kit(conn, settings, kit_id, measurements)
        except kits.KitNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except broker.BrokerAccountError as exc:
            raise HTTPException(
                503, f"nothing was deleted: the broker did not remove the account ({exc}); try again"
            ) from None


@router.delete(
    "/kits/{kit_id}",
    summary="Delete the kit: e-mail address and exact position go; the measurements stay anonymously or go too",
    description="measurements=keep: "
    + owners.DELETE_CHOICES["keep"]
    + " measurements=delete: "
    + owners.DELETE_CHOICES["delete"],
    responses={**NOT_YOURS, 503: {"description": "the broker did not remove the account: nothing was deleted"}},
)
async def owner_delete(
    request: Request,
    kit_id: KitId,
    token: OwnerToken,
    measurements: Annotated[Literal["keep", "delete"], Query(description="keep them anonymously, or delete them")],
) -> Any:
    await _kit(request, kit_id, token)
    await run_in_threadpool(_delete, request.app.state.settings, kit_id, measurements)
    return json_response({"kit_id": kit_id, "deleted": True, "measurements": measurements}, headers=PRIVATE)
