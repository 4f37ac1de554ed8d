"""/v1/keys: researchers ask for a read API key themselves. The key goes to whoever can read the mail sent to the
address: a request mails a one-time link, and following it (within a day) shows the new reader key once."""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.queries import keys as key_queries
from api.responses import json_response
from ijlucht import apikeys, licence, mail
from ijlucht.mail import EMAIL_PATTERN

router = APIRouter(prefix="/v1/keys", tags=["keys"])

VALID_S = 24 * 3600  # a link works for a day
MAX_PER_DAY = 3  # requests per address a day: nobody floods an inbox through us
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # secrets.token_urlsafe(32)
TEXT = r"^[^\x00-\x1f\x7f]*$"


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, examples=["researcher@example.org"])
    name: str = Field(min_length=1, max_length=100, pattern=TEXT, examples=["A. Researcher"])
    purpose: str = Field(min_length=1, max_length=500, pattern=TEXT, examples=["PM2.5 exposure study, IJmond"])


MAIL_TEXT = """Hello {name},

Someone (we hope you) asked for a read key for the IJlucht API for this address, for:
{purpose}

Open this link within 24 hours to get the key (it is shown once):
{link}

If it was not you, ignore this mail: nothing happens without the link.

IJlucht data are open data under {licence}.
"""


@router.post(
    "/requests",
    status_code=202,
    summary="Ask for a read API key: a one-time confirmation link is mailed to the address",
    responses={
        202: {"description": "the mail is on its way"},
        429: {"description": "three requests for this address today already"},
        503: {"description": "the mail could not be sent; nothing was stored"},
    },
)
async def request_key(body: KeyRequest, request: Request) -> Any:
    settings = request.app.state.settings
    token = secrets.token_urlsafe(32)
    pool = request.app.state.pool
    async with pool.connection() as conn:
        if await key_queries.recent_requests(conn, body.email) >= MAX_PER_DAY:
            raise HTTPException(429, f"{MAX_PER_DAY} key requests for this address today already; try tomorrow")
    link = str(request.url_for("confirm_key").include_query_params(token=token))
    text = MAIL_TEXT.format(name=body.name, purpose=body.purpose, link=link, licence=licence.DATA_LICENCE.id)
    try:
        await run_in_threadpool(
            mail.send_mail, settings, body.email, "Your IJlucht API key: confirm your address", text
        )
    except mail.MailNotSent as exc:
        raise HTTPException(503, f"{exc}; nothing was stored, try again later", headers={"Retry-After": "60"}) from None
    async with pool.connection() as conn:
        await key_queries.store_request(conn, body.email, body.name, body.purpose, apikeys.hash_key(token), VALID_S)
    return json_response({"detail": f"a confirmation link was mailed to {body.email}; it works for 24 hours"}, 202)


@router.get(
    "/confirm",
    name="confirm_key",
    summary="Follow the mailed link: confirms the address and shows the new read key once",
    responses={404: {"description": "the link is unknown, used already or older than a day"}},
)
async def confirm_key(
    request: Request, token: Annotated[str, Query(pattern=TOKEN_PATTERN, description="the token from the mail")]
) -> Any:
    async with request.app.state.pool.connection() as conn:
        made = await key_queries.confirm_request(conn, apikeys.hash_key(token))
    if made is None:
        raise HTTPException(404, "this link is unknown, was used already or is older than a day; ask again")
    key, plain = made
    return json_response(
        {
            "key": plain,
            "prefix": key.prefix,
            "role": key.role,
            "note": "shown once and stored only as a hash: keep it now; send it as the X-API-Key header",
        },
        headers={"Cache-Control": "no-store"},  # a key is nobody else's: no cache may keep this answer
    )
