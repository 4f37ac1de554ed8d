"""/v1/alerts: residents subscribe to alerts for an area or a kit with a confirmed e-mail address (double opt-in),
unsubscribe with one click (RFC 8058), and anyone reads an area's alerts as an Atom feed. The address is stored only
to send the alerts and is never part of an answer. Domain: ijlucht/alerts.py; the sender: the alerts/ service."""

import html
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api import alert_feed
from api.queries import alerts as queries
from api.responses import json_response
from api.routes.accounts import _client
from api.routes.keys import EMAIL_PATTERN
from ijlucht import alert_texts, alerts, bands, mail, owners, webhook_targets

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

MAX_PER_ADDRESS = 5  # subscriptions per address a day: nobody floods an inbox through us
MAX_PER_CLIENT = 20  # per client address a day
CONFIRM_VALID_S = 24 * 3600
FEED_ENTRIES = 50
ALL_BANDS = max(len(b) for s in bands.SCALES.values() for b in s.bands.values())
TOKEN = Annotated[str, Query(pattern=owners.TOKEN_PATTERN, description="the token from the mail")]


class Subscription(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, examples=["resident@example.org"])
    target: str = Field(
        pattern=alerts.TARGET_PATTERN,
        max_length=40,
        examples=["area:GM0375"],
        description="area:<CBS municipality or district code> (see /v1/areas) or kit:<kit id>",
    )
    trigger: Literal["band", "episode"] = "band"
    quantity: Literal["pm25", "pm10"] = "pm25"
    scale: Literal[tuple(bands.SCALES)] = bands.DEFAULT_SCALE  # type: ignore[valid-type]
    band: int = Field(4, ge=2, le=ALL_BANDS, description="band index reached (1 = best); band trigger only")
    hours: int = Field(2, ge=1, le=alerts.MAX_HOURS, description="for at least this many hours in a row")
    language: Literal["nl", "en"] = "nl"
    webhook_url: str | None = Field(
        None,
        max_length=webhook_targets.MAX_URL_LENGTH,
        examples=["https://example.org/ijlucht-hook"],
        description="also POST each alert here, signed (docs/researchers.md); public addresses only",
    )


@router.post(
    "/subscriptions",
    status_code=202,
    summary="Subscribe to alerts for an area or a kit: a one-time confirmation link is mailed to the address",
    description="Band trigger: the hourly value (an area's median over its kits and stations) reaches `band` of "
    "`scale` for `hours` hours in a row. Episode trigger: an episode covers the target. One alert per episode: "
    f"the next only after {alerts.QUIET_HOURS} quiet hours. Data are indicative.",
    responses={
        202: {"description": "the mail is on its way"},
        404: {"description": "no such kit (or not public)"},
        422: {"description": "the target, band or webhook URL cannot be used (the answer says why)"},
        429: {"description": "too many subscriptions for this address or from this client today"},
        503: {"description": "the mail could not be sent; nothing was stored"},
    },
)
async def subscribe(body: Subscription, request: Request) -> Any:
    settings = request.app.state.settings
    rule = alerts.Rule(body.trigger, body.quantity, body.scale, body.band if body.trigger == "band" else 1, body.hours)
    try:
        alerts.check_rule(rule)
        kind, ident = alerts.check_target(body.target)
    except alerts.RuleRefused as exc:
        raise HTTPException(422, str(exc)) from None
    if body.webhook_url is not None:
        try:
            await run_in_threadpool(webhook_targets.resolve, body.webhook_url, settings.alerts_webhook_allow_networks)
        except webhook_targets.WebhookRefused as exc:
            raise HTTPException(422, f"webhook_url: {exc}") from None
    client = _client(request)
    pool = request.app.state.pool
    async with pool.connection() as conn:
        if kind == "kit" and not await queries.kit_watchable(conn, ident):
            raise HTTPException(404, f"no public kit {ident!r}; see /v1/kits")
        per_address, per_client = await queries.recent(conn, body.email, client)
        if per_address >= MAX_PER_ADDRESS:
            raise HTTPException(429, f"{MAX_PER_ADDRESS} subscriptions for this address today already; try tomorrow")
        if per_client >= MAX_PER_CLIENT and client not in settings.api_rate_exempt:
            raise HTTPException(429, f"{MAX_PER_CLIENT} subscriptions from your address today already; try tomorrow")
    token = owners.new_token()
    link = str(request.url_for("confirm_alert").include_query_params(token=token))
    subject, text = alert_texts.CONFIRM[body.language]
    webhook = alert_texts.WEBHOOK_LINE[body.language].format(url=body.webhook_url) if body.webhook_url else ""
    what = alert_texts.describe(rule, body.target, body.language)
    message = text.format(what=what, webhook=webhook, link=link, indicative=alert_texts.INDICATIVE[body.language])
    try:
        await run_in_threadpool(mail.send_mail, settings, body.email, subject, message)
    except mail.MailNotSent as exc:
        raise HTTPException(503, f"{exc}; nothing was stored, try again later", headers={"Retry-After": "60"}) from None
    async with pool.connection() as conn:
        watch = await queries.ensure_watch(conn, body.target, rule)
        await queries.store_subscription(
            conn,
            {
                "watch": watch,
                "email": body.email,
                "language": body.language,
                "webhook_url": body.webhook_url,
                "webhook_secret": secrets.token_urlsafe(32) if body.webhook_url else None,
                "confirm_hash": owners.hash_token(token),
                "unsubscribe": owners.new_token(),
                "client": client,
                "valid_s": CONFIRM_VALID_S,
            },
        )
    return json_response({"detail": "a confirmation link was mailed to the address; it works for 24 hours"}, 202)


@router.get(
    "/confirm",
    name="confirm_alert",
    summary="Follow the mailed link: switches the alert on (a webhook's signing secret is shown this once)",
    responses={404: {"description": "the link is unknown, used already or older than a day"}},
)
async def confirm(request: Request, token: TOKEN) -> Any:
    async with request.app.state.pool.connection() as conn:
        row = await queries.confirm(conn, owners.hash_token(token))
    if row is None:
        raise HTTPException(404, "this link is unknown, was used already or is older than a day; subscribe again")
    target, *rule_fields, language, unsubscribe_token, webhook_secret = row
    rule = alerts.Rule(*rule_fields)
    answer = {
        "detail": "the alert is on" if language == "en" else "de melding staat aan",
        "what": alert_texts.describe(rule, target, language),
        "indicative": alert_texts.INDICATIVE[language],
        "unsubscribe": str(request.url_for("unsubscribe_page").include_query_params(token=unsubscribe_token)),
        "webhook_secret": webhook_secret,
    }
    return json_response(answer, headers={"Cache-Control": "no-store"})


PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>IJlucht: afmelden / unsubscribe</title></head>
<body>
<h1>Afmelden / Unsubscribe</h1>
<p>Geen meldingen meer van IJlucht voor dit abonnement? Uw adres wordt dan verwijderd.</p>
<p>No more IJlucht alerts for this subscription? Your address is then deleted.</p>
<form method="post" action="{action}"><button type="submit">Afmelden / Unsubscribe</button></form>
</body></html>
"""


@router.get(
    "/unsubscribe",
    name="unsubscribe_page",
    summary="The page behind the unsubscribe link: a button that confirms (a link checker's visit changes nothing)",
    response_class=HTMLResponse,
    responses={404: {"description": "no subscription has this link (unsubscribed already?)"}},
)
async def unsubscribe_page(request: Request, token: TOKEN) -> Any:
    async with request.app.state.pool.connection() as conn:
        if not await queries.known_token(conn, token):
            raise HTTPException(404, "no subscription has this link; it was unsubscribed already")
    action = str(request.url_for("unsubscribe").include_query_params(token=token))
    return HTMLResponse(PAGE.format(action=html.escape(action)), headers={"Cache-Control": "no-store"})


@router.post(
    "/unsubscribe",
    name="unsubscribe",
    summary="Unsubscribe with one click (RFC 8058 List-Unsubscribe-Post): the subscription and address are deleted",
    responses={404: {"description": "no subscription has this link (unsubscribed already?)"}},
)
async def unsubscribe(request: Request, token: TOKEN) -> Any:
    async with request.app.state.pool.connection() as conn:
        if not await queries.unsubscribe(conn, token):
            raise HTTPException(404, "no subscription has this link; it was unsubscribed already")
    return json_response({"detail": "unsubscribed: the subscription and your address are deleted"})


@router.get(
    "/feed/{area}.atom",
    summary="An area's alerts as an Atom feed (PM2.5 'poor' or worse on the 2024 European index for 2 h)",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "the feed, newest first"},
        404: {"description": "no such area"},
    },
)
async def feed(
    request: Request,
    area: Annotated[str, Path(pattern=r"^(GM|WK)[0-9]{4,6}$", description="CBS code", examples=["GM0375"])],
) -> Any:
    if area not in alerts.area_codes():
        raise HTTPException(404, f"no area {area!r}: use a municipality (GM…) or district (WK…) code of /v1/areas")
    async with request.app.state.pool.connection() as conn:
        rows = await queries.feed(conn, f"area:{area}", alerts.FEED_RULES, FEED_ENTRIES)
    body = alert_feed.render(str(request.url), str(request.url_for("areas")), f"area:{area}", rows, datetime.now(UTC))
    return Response(body, media_type="application/atom+xml")
