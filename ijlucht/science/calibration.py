"""Calibration of a kit's PM2.5 against a co-located reference station (method `kohler-linear-v1`).

The model: first the κ-Köhler humidity correction (correction.py) with κ fitted on the training hours, then an
ordinary least-squares line `ref = intercept + slope · PM_corrected`. Validated by cross-validation: leave one
calendar month out (every month is predicted by a model that never saw it), and leave one kit out where several
kits share a station. Metrics follow the US EPA sensor performance targets (Duvall et al. 2021, EPA/600/R-20/280):
RMSE, MAE, bias (mean of estimate − reference), r² (squared Pearson r) and the slope of estimate against reference.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ijlucht.science import correction

METHOD = "kohler-linear-v1"
MIN_HOURS = 168  # a week of paired hours: fewer gives a line that follows a single weather episode
MIN_MONTHS = 2  # leave-one-month-out needs something left to train on


class CalibrationError(ValueError):
    """The data cannot give a valid calibration; the message says why."""


@dataclass(frozen=True)
class Model:
    kappa: float
    intercept: float
    slope: float

    def predict(self, pm: np.ndarray, rh: np.ndarray) -> np.ndarray:
        corrected, _ = correction.correct(pm, rh, self.kappa)
        return self.intercept + self.slope * corrected

    def coefficients(self) -> dict[str, float]:
        return {"kappa": self.kappa, "intercept": round(self.intercept, 6), "slope": round(self.slope, 6)}


@dataclass
class Record:
    """What is stored and printed: the method, the data it saw, its coefficients and its scores."""

    method: str
    n: int
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    coefficients: dict[str, float] | None
    metrics: dict[str, dict[str, float]]
    valid: bool
    reason: str | None = None
    extra: dict = field(default_factory=dict)


def metrics(estimate: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    est, ref = np.asarray(estimate, dtype=float), np.asarray(reference, dtype=float)
    ok = ~np.isnan(est) & ~np.isnan(ref)
    est, ref = est[ok], ref[ok]
    if len(est) < 3:
        return {"n": len(est), "rmse": float("nan"), "mae": float("nan"), "bias": float("nan"),
                "r2": float("nan"), "slope": float("nan")}  # fmt: skip
    err = est - ref
    slope = float(np.polyfit(ref, est, 1)[0])
    r = float(np.corrcoef(est, ref)[0, 1])
    return {
        "n": len(est),
        "rmse": round(float(np.sqrt(np.mean(err**2))), 4),
        "mae": round(float(np.mean(np.abs(err))), 4),
        "bias": round(float(np.mean(err)), 4),
        "r2": round(r * r, 4),
        "slope": round(slope, 4),
    }


def paired(frame: pd.DataFrame) -> pd.DataFrame:
    """Hours with kit PM, kit humidity in range and a reference value (columns pm, rh, ref)."""
    ok = frame[["pm", "ref"]].notna().all(axis=1) & (correction.humidity_flags(frame["rh"].to_numpy()) == 0)
    return frame[ok]


def fit(frame: pd.DataFrame) -> Model:
    data = paired(frame)
    if len(data) < 3:
        raise CalibrationError(f"only {len(data)} hours with kit PM, kit humidity and reference")
    kappa = correction.fit_kappa(data["pm"], data["rh"], data["ref"])
    corrected, _ = correction.correct(data["pm"], data["rh"], kappa)
    slope, intercept = np.polyfit(corrected, data["ref"].to_numpy(), 1)
    return Model(kappa, float(intercept), float(slope))


def _folds_predict(data: pd.DataFrame, groups: pd.Series) -> np.ndarray:
    out = np.full(len(data), np.nan)
    for g in pd.unique(groups):
        test = (groups == g).to_numpy()
        out[test] = fit(data[~test]).predict(data["pm"][test], data["rh"][test])
    return out


def leave_one_month_out(frame: pd.DataFrame) -> np.ndarray:
    """Cross-validated estimates for the paired hours of `frame` (index: hour, UTC)."""
    data = paired(frame)
    return _folds_predict(data, pd.Series(data.index.strftime("%Y-%m"), index=data.index))


def leave_one_kit_out(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, float]]:
    """Per kit: metrics of a model fitted on the other kits at the same station."""
    if len(frames) < 2:
        raise CalibrationError("leave-one-kit-out needs at least two kits at the station")
    out = {}
    for kit, frame in frames.items():
        train = pd.concat([paired(f) for k, f in frames.items() if k != kit])
        test = paired(frame)
        out[kit] = metrics(fit(train).predict(test["pm"], test["rh"]), test["ref"])
    return out


def calibrate(frame: pd.DataFrame) -> Record:
    """Fit on all paired hours and cross-validate by month. Too little data gives an invalid record with a reason."""
    data = paired(frame)
    n = len(data)
    start = data.index.min() if n else pd.NaT
    end = data.index.max() + pd.Timedelta(hours=1) if n else pd.NaT
    months = data.index.strftime("%Y-%m").nunique() if n else 0
    raw = metrics(data["pm"], data["ref"]) if n else metrics(np.array([]), np.array([]))
    if n < MIN_HOURS or months < MIN_MONTHS:
        reason = f"{n} paired hours in {months} month(s); a calibration needs ≥ {MIN_HOURS} hours in ≥ {MIN_MONTHS}"
        return Record(METHOD, n, start, end, None, {"raw": raw}, False, reason)
    model = fit(data)
    humidity, _ = correction.correct(data["pm"], data["rh"], model.kappa)
    cv = metrics(leave_one_month_out(data), data["ref"])
    scores = {"raw": raw, "humidity": metrics(humidity, data["ref"]), "cv": cv,
              "fit": metrics(model.predict(data["pm"], data["rh"]), data["ref"])}  # fmt: skip
    if not cv["rmse"] < raw["rmse"]:
        reason = f"cross-validated RMSE {cv['rmse']} is not below the raw RMSE {raw['rmse']}"
        return Record(METHOD, n, start, end, model.coefficients(), scores, False, reason)
    # The kits of other networks come as hourly means: the correction is applied to the mean, and the record says so.
    extra = {"cv_scheme": "leave-one-month-out", "correction_applied_to": "hourly-mean"}
    return Record(METHOD, n, start, end, model.coefficients(), scores, True, None, extra)


def _reading_hours(readings: pd.DataFrame, ref: pd.Series) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each reading's hour as an index into the hourly reference (−1: an hour without reference)."""
    hours = pd.DatetimeIndex(readings.index).floor("h")
    return ref.index.get_indexer(hours), hours


def _fit_readings(readings: pd.DataFrame, ref: pd.Series) -> Model:
    code, _ = _reading_hours(readings, ref)
    keep = code >= 0
    kappa = correction.fit_kappa_readings(readings["pm"][keep], readings["rh"][keep], code[keep], ref.to_numpy())
    hourly = _corrected_means(readings[keep], kappa)
    joined = pd.concat([hourly, ref.rename("ref")], axis=1, join="inner").dropna()
    slope, intercept = np.polyfit(joined["pm_corrected"], joined["ref"], 1)
    return Model(kappa, float(intercept), float(slope))


def _corrected_means(readings: pd.DataFrame, kappa: float) -> pd.Series:
    hourly = correction.hourly_corrected_means(readings.index, readings["pm"], readings["rh"], kappa)
    return hourly["pm_corrected"]


def calibrate_readings(readings: pd.DataFrame, ref: pd.Series) -> Record:
    """A platform kit: raw readings (index: time; columns pm, rh) against the station's hourly values (index: hour).

    The correction is applied to each reading before the hourly mean, in the fit and in every cross-validation fold.
    """
    ref = ref.dropna()
    raw_hourly = readings["pm"].groupby(pd.DatetimeIndex(readings.index).floor("h")).mean()
    usable = readings[correction.humidity_flags(readings["rh"].to_numpy()) == 0].dropna(subset=["pm"])
    usable = usable[pd.DatetimeIndex(usable.index).floor("h").isin(ref.index)]
    hours = pd.DatetimeIndex(usable.index).floor("h").unique().sort_values()
    n, months = len(hours), hours.strftime("%Y-%m").nunique()
    start, end = (hours.min(), hours.max() + pd.Timedelta(hours=1)) if n else (pd.NaT, pd.NaT)
    raw_pairs = pd.concat([raw_hourly.rename("pm"), ref.rename("ref")], axis=1, join="inner").loc[hours]
    raw = metrics(raw_pairs["pm"], raw_pairs["ref"])
    if n < MIN_HOURS or months < MIN_MONTHS:
        reason = f"{n} paired hours in {months} month(s); a calibration needs ≥ {MIN_HOURS} hours in ≥ {MIN_MONTHS}"
        return Record(METHOD, n, start, end, None, {"raw": raw}, False, reason)
    model = _fit_readings(usable, ref)
    humidity = _corrected_means(usable, model.kappa).loc[hours]
    month = pd.Series(pd.DatetimeIndex(usable.index).strftime("%Y-%m"), index=usable.index)
    cv = pd.Series(np.nan, index=hours)
    for m in month.unique():
        fold = _fit_readings(usable[(month != m).to_numpy()], ref)
        test = usable[(month == m).to_numpy()]
        cv.loc[_corrected_means(test, fold.kappa).index] = fold.intercept + fold.slope * _corrected_means(
            test, fold.kappa
        )
    fitted = model.intercept + model.slope * humidity
    scores = {"raw": raw, "humidity": metrics(humidity, ref.loc[hours]), "cv": metrics(cv, ref.loc[hours]),
              "fit": metrics(fitted, ref.loc[hours])}  # fmt: skip
    extra = {"cv_scheme": "leave-one-month-out", "correction_applied_to": "reading"}
    if not scores["cv"]["rmse"] < raw["rmse"]:
        reason = f"cross-validated RMSE {scores['cv']['rmse']} is not below the raw RMSE {raw['rmse']}"
        return Record(METHOD, n, start, end, model.coefficients(), scores, False, reason, extra)
    return Record(METHOD, n, start, end, model.coefficients(), scores, True, None, extra)


def apply(record: Record | None, pm: np.ndarray, rh: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Calibrated values, or all NaN with the reason when there is no valid calibration (never the raw value)."""
    pm = np.asarray(pm, dtype=float)
    if record is None:
        return np.full(pm.shape, np.nan), "no calibration for this kit"
    if not record.valid or record.coefficients is None:
        return np.full(pm.shape, np.nan), f"calibration not valid: {record.reason}"
    c = record.coefficients
    return Model(c["kappa"], c["intercept"], c["slope"]).predict(pm, rh), None
