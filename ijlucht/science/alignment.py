"""Time alignment between two hourly series: which shift makes them agree best.

Used to check that importers put every source on the same hour (start of hour, UTC): a kit next to its reference
station, or a kit's temperature against the nearest KNMI station, should agree best at lag 0.
"""

import pandas as pd


def lag_correlations(a: pd.Series, b: pd.Series, max_lag: int = 3) -> dict[int, float]:
    """Pearson r of a(t) with b(t − lag hours) for lag in −max_lag…max_lag (indexes: hourly timestamps)."""
    a = a[~a.index.duplicated()].dropna()
    b = b[~b.index.duplicated()].dropna()
    out = {}
    for lag in range(-max_lag, max_lag + 1):
        shifted = b.copy()
        shifted.index = shifted.index + pd.Timedelta(hours=lag)
        joined = pd.concat([a, shifted], axis=1, join="inner").dropna()
        out[lag] = float(joined.iloc[:, 0].corr(joined.iloc[:, 1])) if len(joined) > 2 else float("nan")
    return out


def best_lag(a: pd.Series, b: pd.Series, max_lag: int = 3) -> int:
    corr = lag_correlations(a, b, max_lag)
    return max(corr, key=lambda lag: corr[lag])
