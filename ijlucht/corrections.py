"""Which correction a kit's values get, and the corrected values of readings and of time buckets (pure).

`correction=raw|humidity|calibrated` on the API. Raw values are never changed: corrected values go beside them,
each with the method version that produced it (`kohler-v1`, `kohler-linear-v1`; docs/science.md) and the
calibration record it came from. When there is no corrected value there is a reason, never the raw value instead.

* humidity: `kohler-v1` on each reading with the kit's own humidity, κ from the kit's newest valid calibration,
  else the κ of the Beverwijk co-location (DEFAULT_KAPPA; `calibration_id` null then). PM quantities only.
* calibrated: `kohler-linear-v1` from the kit's newest calibration record; none or an invalid one gives nulls
  with the reason. PM2.5 only (the reference it was fitted against).

Bucket values are means of the readings corrected one by one (the correction before any averaging).
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ijlucht.science import calibration, correction

CORRECTIONS = ("raw", "humidity", "calibrated")
HUMIDITY_QUANTITIES = ("pm1", "pm25", "pm10")  # optical PM: every size over-reads in humid air
CALIBRATED_QUANTITIES = ("pm25",)
# κ of kohler-v1 on the 2023 Beverwijk co-location (HLL_545 0.350, HLL_549 0.345; docs/science.md): the value for
# kits that have no calibration of their own yet.
DEFAULT_KAPPA = 0.35

NO_HUMIDITY = {
    correction.FLAG_RH_MISSING: "the reading has no humidity",
    correction.FLAG_RH_IMPLAUSIBLE: "the reading's humidity is outside 0-100 %",
}


@dataclass(frozen=True)
class KitCorrection:
    """How one kit's values of one quantity are corrected: the method, or the reason there is none."""

    method: str | None
    reason: str | None = None
    calibration_id: int | None = None
    kappa: float = DEFAULT_KAPPA
    intercept: float = 0.0
    slope: float = 1.0


def choose(kind: str, quantity: str, record: dict[str, Any] | None) -> KitCorrection:
    """`record`: the kit's newest calibration ({id, method, coefficients, valid, reason}) or None."""
    usable = record is not None and record["valid"] and record["coefficients"] is not None
    if kind == "humidity":
        if quantity not in HUMIDITY_QUANTITIES:
            return KitCorrection(None, f"no humidity correction for {quantity} (PM only)")
        if usable:
            assert record is not None
            return KitCorrection(correction.METHOD, None, record["id"], float(record["coefficients"]["kappa"]))
        return KitCorrection(correction.METHOD)
    if quantity not in CALIBRATED_QUANTITIES:
        return KitCorrection(None, f"no calibration for {quantity} (PM2.5 only)")
    if record is None:
        return KitCorrection(None, "no calibration for this kit")
    if not usable:
        return KitCorrection(None, f"calibration {record['id']} is not valid: {record['reason']}")
    c = record["coefficients"]
    return KitCorrection(calibration.METHOD, None, record["id"], float(c["kappa"]), c["intercept"], c["slope"])


def correct(kc: KitCorrection, pm: np.ndarray, rh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corrected values (NaN where there is none) and the humidity flag of each reading."""
    pm = np.asarray(pm, dtype=float)
    if kc.method is None:
        return np.full(pm.shape, np.nan), np.zeros(pm.shape, dtype=np.int32)
    values, flags = correction.correct(pm, rh, kc.kappa)
    return kc.intercept + kc.slope * values, flags


def value_fields(kc: KitCorrection, value: float, flags: int) -> dict[str, Any]:
    """The fields a row gets beside its raw value."""
    if kc.method is None or np.isnan(value):
        reason = kc.reason or NO_HUMIDITY.get(flags) or "no reading in this bucket has a plausible humidity"
        return {"corrected_value": None, "correction": None, "correction_reason": reason, "calibration_id": None}
    return {
        "corrected_value": float(value),
        "correction": kc.method,
        "correction_reason": None,
        "calibration_id": kc.calibration_id,
    }


def bucket_of(times: pd.DatetimeIndex, resolution: str) -> pd.DatetimeIndex:
    """The bucket start of each time, as the rollups label them (day: Europe/Amsterdam calendar day)."""
    times = pd.DatetimeIndex(times).tz_convert("UTC")
    if resolution == "day":
        return times.tz_convert("Europe/Amsterdam").floor("D").tz_convert("UTC")
    return times.floor({"10min": "10min", "hour": "h"}[resolution])


def bucket_means(
    kc: KitCorrection, times: pd.DatetimeIndex, pm: np.ndarray, rh: np.ndarray, resolution: str
) -> pd.Series:
    """Mean corrected value per bucket (NaN where no reading of the bucket could be corrected)."""
    values, _ = correct(kc, pm, rh)
    return pd.Series(values, index=bucket_of(times, resolution)).groupby(level=0).mean()
