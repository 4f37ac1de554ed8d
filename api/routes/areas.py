"""/v1/areas: the mean of the latest values of online outdoor kits per municipality or district, with its band.

Only clean values count (docs/quality.md): a kit whose latest reading carries an unclean flag is left out of the
mean and counted in `n_excluded`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api import models, params, schemas
from api.queries import kits as queries
from api.responses import list_response, unit_json
from ijlucht import geo

router = APIRouter(prefix="/v1", tags=["areas"])

AREAS_EXAMPLE = {
    "meta": {
        "count": 1,
        "next": None,
        "level": "municipality",
        "quantity": "pm25",
        "unit": "µg/m³",
        "ucum": "ug/m3",
        "scale": "eaqi-2024",
        "stale_after_s": 900,
        "licence": {"id": "ODbL-1.0", "name": "...", "url": "...", "attribution": "..."},
    },
    "results": [
        {
            "code": "GM0375",
            "name": "Beverwijk",
            "level": "municipality",
            "parent_code": None,
            "kits": 12,
            "n_excluded": 0,
            "mean": 8.4,
            "band": {"index": 2, "name_nl": "redelijk", "name_en": "fair", "colour": "#f2d948"},
        }
    ],
}


@router.get(
    "/areas",
    summary="Every municipality or district (CBS 2024) with the mean latest value of its online outdoor kits",
    description="Only fresh values count (a reading in the last 15 minutes), and only clean ones: `kits` is the "
    "number of kits in the mean, `n_excluded` the number of fresh kits left out because their latest reading "
    "carries an unclean quality flag (out_of_range, flatline; docs/quality.md). Areas without kits in the mean "
    "have kits 0 and mean null. Districts carry their municipality's code as parent_code.",
    responses={200: {"model": schemas.Areas, "content": {"application/json": {"example": AREAS_EXAMPLE}}}},
)
async def areas(
    request: Request,
    level: Annotated[Literal["municipality", "district"], Query(description="municipality or district")] = (
        "municipality"
    ),
    quantity: Annotated[params.QuantityKey, Query(description="quantity key", examples=["pm25"])] = "pm25",
    scale: Annotated[params.ScaleKey | None, Query(description="band scale key (see /v1/scales)")] = None,
) -> Any:
    quantity = params.quantity(quantity)
    scale = params.scale(scale)
    settings = request.app.state.settings
    async with request.app.state.pool.connection() as conn:
        rows = await queries.areas_latest(conn, level, quantity, settings.api_stale_after_s)
    by_code = {code: (n, mean, excluded) for code, n, mean, excluded in rows}
    results = []
    for area in geo.areas(level):
        n, mean, excluded = by_code.get(area.code, (0, None, 0))
        results.append(
            {
                "code": area.code,
                "name": area.name,
                "level": level,
                "parent_code": area.parent_code,
                "kits": n,
                "n_excluded": excluded,
                "mean": mean,
                "band": models.band_json(quantity, mean, scale) if mean is not None else None,
            }
        )
    return list_response(
        results, None, level=level, quantity=quantity, **unit_json(quantity), scale=scale,
        stale_after_s=settings.api_stale_after_s,
    )  # fmt: skip
