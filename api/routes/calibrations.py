"""/v1/calibrations: the versioned calibration records of kits against reference stations (docs/science.md).

A record is never overwritten; a refit adds one. An invalid record keeps its reason, and a kit whose newest record
is invalid gets null calibrated values with that reason (never the raw value in their place)."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from api import params, reference_schemas
from api.queries import reference
from api.responses import json_response, list_response
from api.routes.stations import STATION_PATTERN, Cursor, Limit
from ijlucht import licence
from ijlucht.reference import MASS_CONCENTRATION

router = APIRouter(prefix="/v1", tags=["reference"])

# A platform kit id, or another network's own id (HLL_545, LTD_12345): the calibrate command takes either.
KIT_OR_NETWORK_ID = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_MAX_ID = 2**63 - 1  # bigserial


def record_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kit_id": row["kit_id"],
        "source": row["source"] or ("platform" if row["external_id"] is None else None),
        "external_id": row["external_id"],
        "station_id": row["station_id"],
        "method": row["method"],
        "period": {"start": row["period_start"], "end": row["period_end"]},
        "n": row["n"],
        "coefficients": row["coefficients"],
        "metrics": row["metrics"],
        "metrics_unit": MASS_CONCENTRATION,  # rmse, mae and bias; r2 and slope have none
        "valid": row["valid"],
        "reason": row["reason"],
        "created_at": row["created_at"],
    }


@router.get(
    "/calibrations",
    summary="Calibration records, oldest first",
    description="Each record: method version, kit (platform id, and the network's own id for kits of other "
    "networks), station, training period, n paired hours, coefficients and metrics (raw, humidity correction, fit "
    "and cross-validated: rmse, mae, bias in µg/m³, r2, slope), valid and, when not, the reason. "
    "When `meta.next` is not null it is the URL of the next page.",
    responses={200: {"model": reference_schemas.Calibrations}},
)
async def list_calibrations(
    request: Request,
    kit: Annotated[
        str | None,
        Query(pattern=KIT_OR_NETWORK_ID, description="platform kit id or the network's own id", examples=["HLL_545"]),
    ] = None,
    station: Annotated[str | None, Query(pattern=STATION_PATTERN, examples=["NL49570"])] = None,
    limit: Limit = 1000,
    cursor: Cursor = None,
) -> Any:
    fp = params.fingerprint(kit, station, limit)
    after = None
    if cursor:
        (raw,) = params.decode_cursor(cursor, fp, 1)
        if not raw.isdigit():
            raise params.InvalidParameter("cursor is not valid: follow meta.next unchanged")
        after = int(raw)
    async with request.app.state.pool.connection() as conn:
        rows = await reference.calibrations(conn, kit, station, limit, after)
    next_url = None
    if len(rows) == limit:
        next_url = str(request.url.include_query_params(cursor=params.encode_cursor(fp, [str(rows[-1]["id"])])))
    return list_response([record_json(r) for r in rows], next_url)


@router.get(
    "/calibrations/{calibration_id}",
    summary="One calibration record",
    responses={200: {"model": reference_schemas.OneCalibration}},
)
async def get_calibration(
    request: Request, calibration_id: Annotated[int, Path(ge=1, le=_MAX_ID, examples=[1])]
) -> Any:
    async with request.app.state.pool.connection() as conn:
        row = await reference.calibration(conn, calibration_id)
    if row is None:
        raise HTTPException(404, f"no calibration record {calibration_id}")
    return json_response({**record_json(row), "licence": licence.licence_json()})
