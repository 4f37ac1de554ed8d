"""/v1/accounts: a resident registers a kit alone. A sign-up mails a one-time link to the address; following it
(within a day) registers the kit and shows its configuration (what `ijlucht-flash --config` reads), with the
broker password and the owner token, once. Domain: ijlucht/owners.py."""

from typing import Annotated, Any, Literal

import psycopg
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.queries import accounts as account_queries
from api.responses import json_response
from api.routes.admin import NOT_RESERVED_KIT_ID
from api.routes.keys import TEXT
from api.settings import ApiSettings
from ijlucht import broker, kits, mail, owners
from ijlucht.contract import KIT_ID_PATTERN
from ijlucht.mail import EMAIL_PATTERN
from ijlucht.ratelimit import client_address

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

MAX_PER_ADDRESS = 3  # sign-ups per address a day: nobody floods an inbox through us
MAX_PER_CLIENT = 10  # sign-ups per client address a day: nobody fills the table or the kit names
MIN_LON, MIN_LAT, MAX_LON, MAX_LAT = owners.service_area()
SensorName = Literal[owners.supported_sensors()]  # type: ignore[valid-type]


class KitSignup(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, examples=["resident@example.org"])
    kit_id: str = Field(
        pattern=KIT_ID_PATTERN.pattern,
        examples=["zeestraat-12"],
        description="the kit's name on the map and on the broker: 3-32 of a-z, 0-9 and '-'",
        json_schema_extra={"pattern": NOT_RESERVED_KIT_ID},
    )
    name: str = Field(min_length=1, max_length=100, pattern=TEXT, examples=["Balcony, Zeestraat"])
    lat: float = Field(ge=MIN_LAT, le=MAX_LAT, examples=[52.4874], description="exact position: kept private")
    lon: float = Field(ge=MIN_LON, le=MAX_LON, examples=[4.6573])
    height_m: float | None = Field(None, ge=0, le=100, description="height above ground, metres")
    indoor: bool = False
    sensors: list[SensorName] = Field(
        min_length=1,
        max_length=4,
        json_schema_extra={"uniqueItems": True},
        examples=[["sds011", "bme280"]],
        description="the firmware's sensor names; one particle sensor and one SHT sensor at most (docs/build/)",
    )


SUBJECT = "Bevestig uw IJlucht-meetkit / Confirm your IJlucht kit"
MAIL_TEXT = """(English below)

Hallo,

Iemand (hopelijk u) heeft met dit adres de meetkit "{kit_id}" ({name}) bij IJlucht aangemeld.

Open deze link binnen 24 uur om de kit te registreren; de pagina toont de instellingen en het wachtwoord van de kit
één keer:
{link}

Was u het niet? Dan kunt u deze mail negeren: zonder de link gebeurt er niets.

---

Hello,

Someone (we hope you) signed up the air-quality kit "{kit_id}" ({name}) with IJlucht for this address.

Open this link within 24 hours to register it; the page shows the kit's configuration and password once:
{link}

If it was not you, ignore this mail: nothing happens without the link.
"""


def _client(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    return client_address(peer, request.headers.get("x-forwarded-for"), request.app.state.trusted_proxies)


@router.post(
    "/signups",
    status_code=202,
    summary="Sign a kit up: a one-time confirmation link is mailed to the address",
    description="The sensors must be a combination the firmware drives: at most one particle sensor (pms5003, "
    "pms5003t, sds011, sps30, sps30_i2c) and at most one SHT sensor (sht3x, sht4x).",
    responses={
        202: {"description": "the mail is on its way"},
        409: {"description": "a kit (or another address's open sign-up) has this name already"},
        422: {
            "description": "the name is reserved, the position outside the service area or the sensors cannot "
            "share a kit (the answer says which)"
        },
        429: {"description": "too many sign-ups for this address or from this client today"},
        503: {"description": "the mail could not be sent; nothing was stored"},
    },
)
async def sign_up(body: KitSignup, request: Request) -> Any:
    settings = request.app.state.settings
    signup = owners.Signup(
        body.email,
        body.kit_id,
        body.name,
        body.lat,
        body.lon,
        body.indoor,
        tuple(body.sensors),
        None if body.height_m is None else round(body.height_m, 2),
    )
    try:
        owners.check_signup(signup)
    except owners.SignupRefused as exc:
        raise HTTPException(422, str(exc)) from None
    client = _client(request)
    pool = request.app.state.pool
    async with pool.connection() as conn:
        per_address, per_client = await account_queries.recent_signups(conn, body.email, client)
        if per_address >= MAX_PER_ADDRESS:
            raise HTTPException(429, f"{MAX_PER_ADDRESS} sign-ups for this address today already; try tomorrow")
        # The API's exempt addresses (the dashboard on this host) are limited per address only, as everywhere.
        if per_client >= MAX_PER_CLIENT and client not in settings.api_rate_exempt:
            raise HTTPException(429, f"{MAX_PER_CLIENT} sign-ups from your address today already; try tomorrow")
        if await account_queries.name_taken(conn, body.kit_id, body.email):
            raise HTTPException(409, f"the name {body.kit_id!r} is taken; pick another")
    token = owners.new_token()
    # The sign-up page on the dashboard (dashboard/signup_page.py) asks before it follows the link: a mail scanner
    # opening it cannot use up the one view of the password.
    link = f"{settings.site_url}{owners.CONFIRM_PAGE}?token={token}"
    text = MAIL_TEXT.format(kit_id=body.kit_id, name=body.name, link=link)
    try:
        await run_in_threadpool(mail.send_mail, settings, body.email, SUBJECT, text)
    except mail.MailNotSent as exc:
        raise HTTPException(503, f"{exc}; nothing was stored, try again later", headers={"Retry-After": "60"}) from None
    async with pool.connection() as conn:
        await account_queries.store_signup(conn, signup, client, owners.hash_token(token), owners.SIGNUP_VALID_S)
    return json_response({"detail": f"a confirmation link was mailed to {body.email}; it works for 24 hours"}, 202)


def _confirm(settings: ApiSettings, token: str) -> owners.Registered | None:
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        try:
            return owners.confirm_signup(conn, settings, token)
        except kits.KitExists as exc:
            raise HTTPException(409, f"{exc}: the name was taken meanwhile; sign up again with another") from None
        except OSError as exc:  # the operator's configuration, not the resident's link: it still works afterwards
            raise HTTPException(
                503,
                f"nothing was changed: the platform cannot read the CA certificate for kits ({exc.strerror}); "
                "try the link again later",
                headers={"Retry-After": "60"},
            ) from None
        except broker.BrokerAccountError as exc:
            raise HTTPException(
                503,
                f"nothing was changed: the broker did not take the account ({exc}); try the link again later",
                headers={"Retry-After": "60"},
            ) from None


@router.get(
    "/confirm",
    name="confirm_signup",
    summary="Follow the mailed link: registers the kit and shows its configuration, password and owner token once",
    responses={
        404: {"description": "the link is unknown, used already or older than a day"},
        409: {"description": "the kit's name was taken meanwhile"},
        503: {"description": "the broker did not take the account: nothing was changed, the link still works"},
    },
)
async def confirm_signup(
    request: Request,
    token: Annotated[str, Query(pattern=owners.TOKEN_PATTERN, description="the token from the mail")],
) -> Any:
    made = await run_in_threadpool(_confirm, request.app.state.settings, token)
    if made is None:
        raise HTTPException(404, "this link is unknown, was used already or is older than a day; sign up again")
    note = "shown once and stored only as hashes: save kit_config as kit.json and keep the owner token"
    if made.approval_pending:
        note += "; the kit can connect once an operator has approved it"
    return json_response(
        {
            "kit_id": made.config["kit_id"],
            "approval_pending": made.approval_pending,
            "kit_config": made.config,
            "owner_token": made.owner_token,
            # the owner page on the dashboard's host (dashboard/owner_page.py); keep the link private
            "owner_page": f"/kit/{made.config['kit_id']}?token={made.owner_token}",
            "flash": "ijlucht-flash write --config kit.json --wifi-ssid <your Wi-Fi> --port <serial port>",
            "note": note,
        },
        headers={"Cache-Control": "no-store"},  # a password is nobody else's: no cache may keep this answer
    )
