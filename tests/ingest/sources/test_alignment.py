"""Every source on the same hour after import, checked on the real data two ways (issue 15, item 1)."""

import pandas as pd

from ijlucht.science.alignment import best_lag, lag_correlations


def series(conn, sql: str, *params) -> pd.Series:
    rows = conn.execute(sql, params).fetchall()
    return pd.Series([float(v) for _, v in rows], index=pd.DatetimeIndex([h for h, _ in rows]))


def kit(conn, external_id: str, column: str) -> pd.Series:
    return series(
        conn,
        f"SELECT h.hour, h.{column} FROM external_hourly h JOIN external_kits k USING (kit_id) "
        f"WHERE k.external_id = %s AND h.{column} IS NOT NULL ORDER BY 1",
        external_id,
    )


def test_colocated_kits_agree_with_their_station_best_at_lag_zero(imported, conn):
    station = series(
        conn,
        "SELECT hour, value FROM reference_hourly WHERE station_id = 'NL49570' AND component = 'PM25' "
        "AND hour >= '2023-01-01' ORDER BY 1",
    )
    for external_id in ("HLL_545", "HLL_549"):
        corr = lag_correlations(kit(conn, external_id, "pm25"), station)
        assert best_lag(kit(conn, external_id, "pm25"), station) == 0, corr
        assert corr[0] - max(corr[-1], corr[1]) > 0.005, corr


def test_kits_temperature_agrees_with_knmi_temperature_best_at_lag_zero(imported, conn):
    # KNMI labels the end of the hour, the kits' network too: a wrong conversion of either shows as lag ±1.
    knmi = series(
        conn,
        "SELECT hour, temperature FROM weather_hourly WHERE station_id = '240' AND temperature IS NOT NULL ORDER BY 1",
    )
    for external_id in ("HLL_420", "HLL_549"):
        corr = lag_correlations(kit(conn, external_id, "t"), knmi)
        assert best_lag(kit(conn, external_id, "t"), knmi) == 0, corr
