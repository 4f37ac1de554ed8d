"""Health and readiness, and the catalogues the API labels with: quantities, quality flags, band scales."""

from typing import Any

from fastapi import APIRouter, Request

from api import schemas
from api.queries import service
from api.responses import json_response, list_response
from ijlucht import bands, licence, quality
from ijlucht.quantities import QUANTITIES

router = APIRouter(prefix="/v1")

REQUIRED_MIGRATIONS = [20, 21]  # the API reads what 020_api_privacy_keys.sql and 021_kits_public_version.sql add


@router.get("/health", tags=["health"], summary="Is the API up and its database reachable?")
async def health(request: Request) -> Any:
    async with request.app.state.pool.connection() as conn:
        licence = await service.timescaledb_license(conn)
    return json_response({"status": "ok", "timescaledb_license": licence})


@router.get(
    "/ready",
    tags=["health"],
    summary="Ready to serve: database reachable, schema migrated far enough, pool not exhausted",
    responses={503: {"description": "not ready; `checks` says why"}},
)
async def ready(request: Request) -> Any:
    pool = request.app.state.pool
    checks: dict[str, Any] = {}
    try:
        async with pool.connection(timeout=2) as conn:
            version, have = await service.schema_state(conn, REQUIRED_MIGRATIONS)
        checks["database"] = "ok"
        checks["schema_version"] = version
        missing = len(REQUIRED_MIGRATIONS) - have
        checks["schema"] = "ok" if not missing else f"{missing} API migration(s) missing: run `ijlucht migrate`"
    except Exception as e:  # readiness reports any failure as "not ready", with its reason
        checks["database"] = f"unreachable: {type(e).__name__}"
    stats = pool.get_stats()
    checks["pool"] = {"size": stats.get("pool_size"), "available": stats.get("pool_available")}
    ok = checks.get("database") == "ok" and checks.get("schema") == "ok"
    return json_response({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


@router.get(
    "/quantities",
    tags=["catalogue"],
    summary="Measured quantities: key, unit and UCUM code, labels, valid range",
    responses={200: {"model": schemas.Quantities}},
)
async def quantities() -> Any:
    return list_response(
        [
            {
                "key": q.key,
                "unit": q.unit,
                "ucum": q.ucum,
                "label_nl": q.label_nl,
                "label_en": q.label_en,
                "minimum": q.minimum,
                "maximum": q.maximum,
            }
            for q in QUANTITIES
        ]
    )


@router.get(
    "/flags",
    tags=["catalogue"],
    summary="Quality flags of readings: bit, value, name, whether it keeps a reading out of public figures",
    description="`meta.method_version` is the version of the flagging method (docs/quality.md).",
    responses={200: {"model": schemas.Flags}},
)
async def flags() -> Any:
    results = [
        {"bit": bit.bit_length() - 1, "value": bit, "name": name, "unclean": bool(bit & quality.UNCLEAN)}
        for bit, name in quality.NAMES.items()
    ]
    return list_response(results, None, method_version=quality.METHOD_VERSION, docs="docs/quality.md")


@router.get(
    "/scales",
    tags=["catalogue"],
    summary="Air-quality band scales (ijlucht.bands) with thresholds and sources",
    responses={200: {"model": schemas.Scales}},
)
async def scales() -> Any:
    out = []
    for key, scale in bands.SCALES.items():
        out.append(
            {
                "key": key,
                "default": key == bands.DEFAULT_SCALE,
                "label_nl": getattr(scale, "label_nl", key),
                "label_en": getattr(scale, "label_en", key),
                "source": getattr(scale, "source", None),
                "averaging": getattr(scale, "averaging", None),
                "bands": {
                    q: [
                        {
                            "index": b.index,
                            "name_nl": b.name_nl,
                            "name_en": b.name_en,
                            "colour": b.colour,
                            "lower": b.lower,
                            "upper": b.upper,
                        }
                        for b in bs
                    ]
                    for q, bs in scale.bands.items()
                },
            }
        )
    return list_response(out)


@router.get(
    "/licence",
    tags=["catalogue"],
    summary="The data licence (meta.licence) and the licence each source's data keep (docs/data-licence.md)",
    responses={200: {"model": schemas.Licences}},
)
async def licences() -> Any:
    return list_response(licence.sources_json())
