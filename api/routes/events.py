"""/v1/events: dated events (plant closures, permits, enforcement, announcements) from data/events, each with its
public source, for marking charts. Nothing is computed from them."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import params, trend_schemas
from api.responses import list_response
from ijlucht import events as dated

router = APIRouter(prefix="/v1", tags=["trends"])

DATE_PATTERN = "^20[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
EMITTER_PATTERN = "^[a-z0-9][a-z0-9-]{0,63}$"


@router.get(
    "/events",
    summary="Dated events with a public source link, oldest first (for the trend and before/after charts)",
    description="`date_precision` says whether the date is a day, a month (then the first of the month) or a year; "
    "`certainty` is `stated` (the source dates the event itself), `reported` (the date of a news report; the event "
    "may be a little earlier) or `planned` (an announced step that may move). `from`/`until` filter by date "
    "(until exclusive; an empty range gives no events); `emitter` by the source of pollution the event concerns "
    "(see /v1/emitters).",
    responses={200: {"model": trend_schemas.Events}},
)
async def events(
    start: Annotated[
        str | None,
        Query(alias="from", description="first date (YYYY-MM-DD)", json_schema_extra={"pattern": DATE_PATTERN}),
    ] = None,
    until: Annotated[
        str | None,
        Query(description="until this date, exclusive (YYYY-MM-DD)", json_schema_extra={"pattern": DATE_PATTERN}),
    ] = None,
    emitter: Annotated[
        str | None, Query(description="emitter id", json_schema_extra={"pattern": EMITTER_PATTERN})
    ] = None,
) -> Any:
    first, last = _date(start, "from"), _date(until, "until")
    return list_response([e.as_json() for e in dated.between(first, last, emitter)], None)


def _date(raw: str | None, name: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else _bad(raw, name)
    except ValueError:
        return _bad(raw, name)


def _bad(raw: str, name: str) -> date:
    raise params.InvalidParameter(f"{name} {raw[:20]!r} is not a date: write YYYY-MM-DD, e.g. 2023-11-03")
