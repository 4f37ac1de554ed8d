"""/v1/admin: kit registration, disabling and password rotation, and exact kit data — admin API key only."""

from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.queries import admin as admin_queries
from api.responses import json_response, list_response
from api.routes import owner
from api.security import require_admin
from api.settings import ApiSettings
from ijlucht import broker, contract, dynsec, kits, owners
from ijlucht.contract import KIT_ID_PATTERN

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])

KitId = Annotated[str, Path(pattern=KIT_ID_PATTERN.pattern, examples=["bev-01"], description="kit id")]
TEXT = r"^[^\x00-\x1f\x7f]*$"
# The schema's kit id leaves out the ids of the platform's own accounts (ijlucht.dynsec.reserved_reason), which
# the server refuses with a reason (422), so that no id the schema allows is refused.
_RESERVED = sorted({*dynsec.RESERVED_IDS, *dynsec.SERVICE_ACCOUNTS})
NOT_RESERVED_KIT_ID = (
    "^(?!(?:" + "|".join(_RESERVED) + ")$)"
    "(?!" + "|".join(p.replace("$", "\\$") for p in dynsec.RESERVED_PREFIXES) + ")" + KIT_ID_PATTERN.pattern.lstrip("^")
)  # printable text: no control characters (and no NUL, which PostgreSQL refuses)


class Owner(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1, max_length=100, pattern=TEXT)
    email: str = Field(max_length=200, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$", examples=["a@example.org"])


class KitRegistration(BaseModel):
    # strict: a value of another JSON type is refused, not converted (0 is not false), as the schema says
    model_config = ConfigDict(extra="forbid", strict=True)
    kit_id: str = Field(
        pattern=KIT_ID_PATTERN.pattern, examples=["bev-07"], json_schema_extra={"pattern": NOT_RESERVED_KIT_ID}
    )
    name: str = Field(min_length=1, max_length=100, pattern=TEXT, examples=["Beverwijk Zeestraat"])
    lat: float = Field(ge=-90, le=90, examples=[52.4874])
    lon: float = Field(ge=-180, le=180, examples=[4.6573])
    height_m: float | None = Field(None, ge=-10, le=500, description="height above ground, metres")
    indoor: bool = False
    exact_location_public: bool = Field(False, description="the owner opts in to publishing the exact position")
    owner: Owner | None = None
    sensors: list[Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")]] | None = Field(
        None, max_length=16, examples=[["pms5003", "bme280"]]
    )


def _settings(request: Request) -> ApiSettings:
    return request.app.state.settings


Settings = Annotated[ApiSettings, Depends(_settings)]


def _mqtt(settings: ApiSettings, kit_id: str, password: str) -> dict[str, Any]:
    return {
        "host": settings.kit_broker_host,
        "port": settings.mqtt_port,
        "tls_port": settings.mqtt_tls_port,
        "username": kit_id,
        "client_id": kit_id,  # the only client id the broker accepts for this account
        "password": password,
        "topic_prefix": f"{contract.TOPIC_ROOT}/{kit_id}",
        "note": "the password is shown once and stored only as a hash; rotate it if lost",
    }


def _broker_failed(e: broker.BrokerAccountError) -> HTTPException:
    return HTTPException(503, f"nothing was changed: the broker did not take the account change ({e}); try again")


def _register(settings: ApiSettings, body: KitRegistration) -> tuple[str, dict[str, Any]]:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        new = kits.NewKit(
            body.kit_id,
            body.name,
            body.lat,
            body.lon,
            indoor=body.indoor,
            # to the centimetre: what a height means, and never a float the database cannot hold (1e-300)
            height_m=None if body.height_m is None else round(body.height_m, 2),
            owner_name=body.owner.name if body.owner else None,
            owner_email=body.owner.email if body.owner else None,
            sensors=tuple(body.sensors) if body.sensors is not None else None,
            exact_location_public=body.exact_location_public,
        )
        try:
            password = kits.register_kit(conn, settings, new, replace=False)
        except kits.KitExists as e:
            raise HTTPException(409, str(e)) from None
        except kits.ReservedKitId as e:
            raise HTTPException(422, str(e)) from None
        except broker.BrokerAccountError as e:
            raise _broker_failed(e) from None
        row = admin_queries.admin_kits(conn, body.kit_id)[0]
    return password, _admin_kit(row)


def _admin_kit(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)  # datetimes are written as RFC 3339 with Z by the response
    out["owner"] = {"name": out.pop("owner_name"), "email": out.pop("owner_email")}
    return out


@router.post(
    "/kits",
    status_code=201,
    summary="Register a kit: its broker account works at once; the password is in this answer only",
    responses={
        409: {"description": "a kit with this id exists (of two registrations of one id, exactly one wins)"},
        422: {"description": "the id is malformed or reserved for the platform's own accounts (the answer says why)"},
        503: {"description": "the broker did not take the account: nothing was stored"},
    },
)
async def register(body: KitRegistration, settings: Settings) -> Any:
    password, kit = await run_in_threadpool(_register, settings, body)
    return json_response({"kit": kit, "mqtt": _mqtt(settings, body.kit_id, password)}, status_code=201)


@router.get("/kits", summary="All kits with exact position, owner and state")
async def list_all(settings: Settings) -> Any:
    rows = await run_in_threadpool(_fetch, settings, None)
    return list_response([_admin_kit(r) for r in rows])


@router.get("/kits/{kit_id}", summary="One kit with exact position and owner")
async def get_one(kit_id: KitId, settings: Settings) -> Any:
    rows = await run_in_threadpool(_fetch, settings, kit_id)
    if not rows:
        raise HTTPException(404, f"no kit with id {kit_id!r}")
    return json_response(_admin_kit(rows[0]))


def _fetch(settings: ApiSettings, kit_id: str | None) -> list[dict[str, Any]]:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        return admin_queries.admin_kits(conn, kit_id)


def _change(settings: ApiSettings, kit_id: str, action: str) -> str | bool | None:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        try:
            if action == "approve":
                return owners.approve_kit(conn, settings, kit_id)
            if action == "disable":
                kits.disable_kit(conn, settings, kit_id)
                return None
            return kits.rotate_password(conn, settings, kit_id)
        except kits.KitNotFound as e:
            raise HTTPException(404, str(e)) from None
        except broker.BrokerAccountError as e:
            raise _broker_failed(e) from None


@router.post(
    "/kits/{kit_id}/disable",
    summary="Disable a kit: its broker session is closed at once and its logins refused; its data stay",
)
async def disable(kit_id: KitId, settings: Settings) -> Any:
    await run_in_threadpool(_change, settings, kit_id, "disable")
    return json_response({"kit_id": kit_id, "disabled": True})


@router.post(
    "/kits/{kit_id}/password",
    summary="Rotate a kit's broker password (also re-enables a disabled kit); the new one is shown once",
)
async def rotate(kit_id: KitId, settings: Settings) -> Any:
    password = await run_in_threadpool(_change, settings, kit_id, "rotate")
    assert isinstance(password, str)
    return json_response({"kit_id": kit_id, "mqtt": _mqtt(settings, kit_id, password)})


@router.post(
    "/kits/{kit_id}/approve",
    summary="Approve a self-registered kit (IJLUCHT_KITS_NEED_APPROVAL): its account starts working",
)
async def approve(kit_id: KitId, settings: Settings) -> Any:
    was_waiting = await run_in_threadpool(_change, settings, kit_id, "approve")
    return json_response({"kit_id": kit_id, "approved": True, "was_waiting": was_waiting})


@router.post(
    "/kits/{kit_id}/move",
    summary="A kit moved: a new version of its position, height, indoor/outdoor or sensors from now; the past stays",
    responses={404: {"description": "no such kit"}, 422: {"description": "sensors that cannot share a kit"}},
)
async def admin_move(kit_id: KitId, settings: Settings, body: owner.KitMove) -> Any:
    return json_response(await run_in_threadpool(owner.move, settings, kit_id, body))
