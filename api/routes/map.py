"""/v1/map: what the live map and its time slider draw — latest value and band of every public outdoor kit, and
hourly means over up to a week. The latest-values answer is cached for a few seconds and carries an ETag.

A kit whose latest reading carries an unclean quality flag (quality.UNCLEAN) keeps its raw value but is marked
`excluded` and gets no band; hourly means are clean means, with the values left out counted (docs/quality.md)."""

import asyncio
import gzip
import hashlib
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response

from api import corrected, models, params, schemas
from api.queries import kits as queries
from api.responses import BUCKET_LABEL, GEOJSON, JSON_OPTIONS, json_response, unit_json
from ijlucht import quality

router = APIRouter(prefix="/v1/map", tags=["map"])

QuantityParam = Annotated[params.QuantityKey, Query(description="quantity key (see /v1/quantities)", examples=["pm25"])]
MAX_HOURLY_SPAN = timedelta(days=7)

LATEST_EXAMPLE = {
    "type": "FeatureCollection",
    "quantity": "pm25",
    "unit": "µg/m³",
    "ucum": "ug/m3",
    "scale": "eaqi-2024",
    "generated_at": "2026-11-29T00:00:05Z",
    "stale_after_s": 900,
    "features": [
        {
            "type": "Feature",
            "id": "bev-01",
            "geometry": {"type": "Point", "coordinates": [4.6573, 52.4874]},
            "properties": {
                "kit_id": "bev-01",
                "name": "Beverwijk Centrum",
                "municipality": "Beverwijk",
                "district": "Centrum",
                "online": True,
                "last_seen": "2026-11-28T23:59:00Z",
                "stale": False,
                "value": 7.1,
                "time": "2026-11-28T23:59:00Z",
                "flags": 0,
                "excluded": False,
                "band": {"index": 2, "name_nl": "redelijk", "name_en": "fair", "colour": "#f2d948"},
            },
        }
    ],
}


def feature_head(
    kit_id: str, name: str, municipality: str | None, district: str | None, lon: float, lat: float
) -> bytes:
    """A feature's JSON up to its changing properties: `{"type":"Feature",...,"properties":{...,"district":..,`."""
    feature = {
        "type": "Feature",
        "id": kit_id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"kit_id": kit_id, "name": name, "municipality": municipality, "district": district},
    }
    return orjson.dumps(feature)[:-2] + b","


def feature_tail(row: tuple, quantity: str, scale: str, stale: bool) -> bytes:
    """The changing properties of a feature and the closing braces: `"online":...,"band":...}}`."""
    return orjson.dumps(tail_properties(row, quantity, scale, stale), option=JSON_OPTIONS)[1:] + b"}"


def tail_properties(row: tuple, quantity: str, scale: str, stale: bool) -> dict[str, Any]:
    _, online, last_seen, t, v, flags = row
    excluded = flags is not None and not quality.is_clean(flags)
    props = {
        "online": online,
        "last_seen": None if last_seen is None else datetime.fromtimestamp(last_seen, UTC),
        "stale": stale,
        "value": v,
        "time": None if t is None else datetime.fromtimestamp(t, UTC),
        "flags": flags,
        "excluded": excluded,  # left out of public means: no band either, the value is not a verdict on the air
        "band": models.band_json(quantity, v, scale) if v is not None and not excluded else None,
    }
    return props


def render_latest(
    heads: dict[str, bytes],
    rows: list[tuple],
    quantity: str,
    scale: str,
    stale_after_s: int,
    now: datetime,
    memo: dict[str, Any],
) -> tuple[bytes, dict[str, Any]]:
    """The JSON of /v1/map/latest, and the memo for the next call.

    `heads`: feature_head of every kit (kept until a kit's public attributes change); `rows`: queries.map_latest,
    read afresh on every call. Only a row identical to the one of the previous call reuses its serialised feature
    (most kits have not sent a new reading within seconds); the bytes equal serialising everything afresh.
    """
    stale_before = now.timestamp() - stale_after_s
    fresh: dict[str, Any] = {}
    parts = []
    append = parts.append
    for row in rows:
        kit_id, t = row[0], row[3]
        stale = t is None or t < stale_before
        seen = memo.get(kit_id)
        if seen is not None and seen[1] is stale and seen[0] == row:
            feature = seen[2]
        else:
            head = heads.get(kit_id)
            if head is None:  # registered after the heads were read: on the map from the next call
                continue
            feature = head + feature_tail(row, quantity, scale, stale)
        fresh[kit_id] = (row, stale, feature)
        append(feature)
    top = {
        "type": "FeatureCollection",
        "quantity": quantity,
        **unit_json(quantity),
        "scale": scale,
        "generated_at": now,
        "stale_after_s": stale_after_s,  # the threshold behind `stale`, so clients need not copy it
    }
    return orjson.dumps(top, option=JSON_OPTIONS)[:-1] + b',"features":[' + b",".join(parts) + b"]}", fresh


async def corrected_latest(
    conn: Any, quantity: str, scale: str, kind: str, stale_after_s: int, heads: dict[str, bytes]
) -> bytes:
    """The map with corrected values beside the raw ones (not memoised: the raw map is the hot path)."""
    rows = await queries.map_latest(conn, quantity)
    fields = await corrected.latest_fields(conn, [r[0] for r in rows], quantity, kind)
    now = datetime.now(UTC)
    stale_before = now.timestamp() - stale_after_s
    parts = []
    for row in rows:
        head = heads.get(row[0])
        if head is None:
            continue
        stale = row[3] is None or row[3] < stale_before
        props = tail_properties(row, quantity, scale, stale)
        extra = fields.get(row[0], corrected.NO_READING)
        value = extra["corrected_value"]
        props["band"] = (
            models.band_json(quantity, value, scale) if value is not None and not props["excluded"] else None
        )
        parts.append(head + orjson.dumps({**props, **extra}, option=JSON_OPTIONS)[1:] + b"}")
    top = {"type": "FeatureCollection", "quantity": quantity, **unit_json(quantity), "scale": scale,
           "correction": kind, "generated_at": now, "stale_after_s": stale_after_s}  # fmt: skip
    return orjson.dumps(top, option=JSON_OPTIONS)[:-1] + b',"features":[' + b",".join(parts) + b"]}"


class LatestCache:
    """(quantity, scale) -> (expires, etag, body); one computation at a time per key; the kits' feature heads."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, ...], tuple[float, str, bytes]] = {}
        self.locks: dict[tuple[str, ...], asyncio.Lock] = {}
        self.memos: dict[tuple[str, ...], dict[str, Any]] = {}
        self.heads: dict[str, bytes] = {}
        self.heads_version = -1
        self.gz: dict[tuple[str, ...], tuple[str, bytes]] = {}

    async def gzipped(self, key: tuple[str, ...], etag: str, body: bytes) -> bytes:
        """The answer gzipped, compressed once per answer (in a thread: zlib releases the GIL)."""
        got = self.gz.get(key)
        if got is None or got[0] != etag:
            async with self.locks.setdefault(key, asyncio.Lock()):
                got = self.gz.get(key)
                if got is None or got[0] != etag:
                    got = self.gz[key] = (etag, await asyncio.to_thread(gzip.compress, body, 4))
        return got[1]

    def fresh(self, key: tuple[str, ...]) -> tuple[str, bytes] | None:
        hit = self.entries.get(key)
        return (hit[1], hit[2]) if hit and hit[0] > time.monotonic() else None

    async def compute(self, conn: Any, key: tuple[str, str, str], stale_after_s: int) -> bytes:
        quantity, scale, kind = key
        version = await queries.map_version(conn)
        if version != self.heads_version:
            self.heads = {r[0]: feature_head(*r) for r in await queries.map_kits(conn)}
            self.heads_version = version
            self.memos.clear()  # they hold whole features, heads included
        if kind != "raw":
            return await corrected_latest(conn, quantity, scale, kind, stale_after_s, self.heads)
        rows = await queries.map_latest(conn, quantity)
        body, self.memos[key] = render_latest(
            self.heads, rows, quantity, scale, stale_after_s, datetime.now(UTC), self.memos.get(key, {})
        )
        return body


@router.get(
    "/latest",
    summary="Latest value and band of every public outdoor kit, as GeoJSON (ETag, If-None-Match)",
    description="Positions are the public (jittered) ones; indoor kits are left out. `stale`: no reading for more "
    "than `stale_after_s` seconds (a setting, 15 minutes by default). "
    "`excluded`: the latest reading carries an unclean quality flag (out_of_range, flatline; "
    "docs/quality.md): its raw value is shown, without a band, and it counts in no area mean. "
    "Answers are reused for a few seconds; send the ETag back as If-None-Match to get 304.",
    responses={
        200: {"model": schemas.MapLatest, "content": {GEOJSON: {"example": LATEST_EXAMPLE}}},
        304: {"description": "unchanged"},
    },
)
async def map_latest(
    request: Request,
    quantity: QuantityParam = "pm25",
    scale: Annotated[
        params.ScaleKey | None, Query(description="band scale key (see /v1/scales)", examples=["eaqi-2024"])
    ] = None,
    correction: Annotated[
        Literal["raw", "humidity", "calibrated"],
        Query(
            description="humidity or calibrated: each feature also gets corrected_value, correction (method "
            "version), correction_reason and calibration_id, and its band from the corrected value (docs/science.md)"
        ),
    ] = "raw",
) -> Response:
    quantity = params.quantity(quantity)
    scale = params.scale(scale)
    settings = request.app.state.settings
    cache: LatestCache = request.app.state.map_cache
    key = (quantity, scale, correction)
    hit = cache.fresh(key)
    if hit is None:
        async with cache.locks.setdefault(key, asyncio.Lock()):
            hit = cache.fresh(key)
            if hit is None:
                async with request.app.state.pool.connection() as conn:
                    body = await cache.compute(conn, key, settings.api_stale_after_s)
                etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
                cache.entries[key] = (time.monotonic() + settings.api_map_cache_s, etag, body)
                hit = (etag, body)
    etag, body = hit
    # Gzip (about a tenth of the size) only for reused answers: compressing is done once per answer, not per call.
    gz = "gzip" in request.headers.get("accept-encoding", "") and settings.api_map_cache_s > 0
    headers = {
        "ETag": etag[:-1] + '-gz"' if gz else etag,
        "Cache-Control": f"public, max-age={int(settings.api_map_cache_s)}",
        "Vary": "Accept-Encoding",
    }
    if etag[:-1] in request.headers.get("if-none-match", ""):  # either encoding's tag: the same content
        return Response(status_code=304, headers=headers)
    if gz:
        headers["Content-Encoding"] = "gzip"
        return Response(await cache.gzipped(key, etag, body), media_type=GEOJSON, headers=headers)
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get(
    "/hourly",
    summary="Clean hourly means of every public outdoor kit over up to 7 days (the map's time slider)",
    description="`kits`: per kit one clean mean per hour (readings with an unclean quality flag left out; null "
    "when none is left or the kit sent nothing). `excluded`: for kits with values left out, how many per hour. "
    "`positions`: per kit the public (shifted) position it had in these hours, each from the hour it took over "
    "(`since`): a kit that moved is drawn where it stood then; hours it spent indoors are left out.",
    responses={
        200: {
            "model": schemas.MapHourly,
            "content": {
                "application/json": {
                    "example": {
                        "quantity": "pm25",
                        "unit": "µg/m³",
                        "ucum": "ug/m3",
                        "time_label": "start",
                        "start": "2026-11-28T00:00:00Z",
                        "end": "2026-11-28T02:00:00Z",
                        "hours": ["2026-11-28T00:00:00Z", "2026-11-28T01:00:00Z"],
                        "kits": {"bev-01": [7.1, None]},
                        "excluded": {"bev-01": [0, 12]},
                        "positions": {"bev-01": [{"since": "2026-11-28T00:00:00Z", "lon": 4.6581, "lat": 52.4869}]},
                    }
                }
            },
        }
    },
)
async def map_hourly(
    request: Request,
    quantity: QuantityParam = "pm25",
    start: Annotated[
        str | None, params.time_query("from (inclusive); default: 24 h before end; at most 7 days")
    ] = None,
    end: params.End = None,
    correction: Annotated[
        Literal["raw", "humidity", "calibrated"],
        Query(
            description="humidity or calibrated: `kits` holds each hour's mean of the readings corrected one by one "
            "(null where there is none), `methods` each kit's method version and `reasons` why a kit has none "
            "(docs/science.md); raw means are then not in the answer"
        ),
    ] = "raw",
) -> Any:
    quantity = params.quantity(quantity)
    start, end = params.time_range(start, end, timedelta(hours=24), MAX_HOURLY_SPAN)
    first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = []
    h = first
    while h < end:
        hours.append(h)
        h += timedelta(hours=1)
    index = {h: i for i, h in enumerate(hours)}
    async with request.app.state.pool.connection() as conn:
        rows = await queries.map_hourly(conn, quantity, first, end)
    kits: dict[str, list[float | None]] = {}
    excluded: dict[str, list[int]] = {}
    positions: dict[str, list[dict[str, Any]]] = {}
    for kit_id, bucket, mean, left_out, lon, lat in rows:
        series = kits.get(kit_id)
        if series is None:
            series = kits[kit_id] = [None] * len(hours)
        i = index.get(bucket)
        if i is None:
            continue
        places = positions.setdefault(kit_id, [])
        if not places or (places[-1]["lon"], places[-1]["lat"]) != (lon, lat):
            places.append({"since": bucket, "lon": lon, "lat": lat})
        if mean is not None:
            series[i] = mean
        if left_out:
            excluded.setdefault(kit_id, [0] * len(hours))[i] = left_out
    extra = {}
    if correction != "raw":
        async with request.app.state.pool.connection() as conn:
            kits, extra = await corrected_hourly(conn, kits, hours, quantity, correction)
    return json_response(
        {
            "quantity": quantity,
            **unit_json(quantity),
            "time_label": BUCKET_LABEL,
            "start": first,
            "end": end,
            "hours": hours,
            "kits": kits,
            "excluded": excluded,
            "positions": positions,
            **extra,
        }
    )


async def corrected_hourly(
    conn: Any, kits: dict[str, list[float | None]], hours: list[datetime], quantity: str, kind: str
) -> tuple[dict[str, list[float | None]], dict[str, Any]]:
    """Each kit's hourly means corrected (as /v1/series does: readings corrected one by one, then averaged), with
    the method version per kit and, for a kit without any corrected hour, the reason."""
    rows = [{"kit_id": k, "time": hours[i], "quantity": quantity}
            for k, series in kits.items() for i, v in enumerate(series) if v is not None]  # fmt: skip
    await corrected.annotate(conn, rows, kind, "hour")
    index = {h: i for i, h in enumerate(hours)}
    out: dict[str, list[float | None]] = {k: [None] * len(hours) for k in kits}
    methods: dict[str, str | None] = dict.fromkeys(kits)
    reasons: dict[str, str | None] = dict.fromkeys(kits, "no reading")
    for r in rows:
        out[r["kit_id"]][index[r["time"]]] = r["corrected_value"]
        if r["corrected_value"] is not None:
            methods[r["kit_id"]], reasons[r["kit_id"]] = r["correction"], None
        elif methods[r["kit_id"]] is None:
            reasons[r["kit_id"]] = r["correction_reason"]
    return out, {"correction": kind, "methods": methods, "reasons": reasons}
