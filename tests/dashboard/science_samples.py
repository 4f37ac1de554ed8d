"""Answers shaped as docs/CONTRACTS (issues 16, 17) give them: /v1/direction, /v1/exposure, /v1/exposure/map,
/v1/episodes, /v1/trend, /v1/compare, /v1/events; for the pure tests of the science views."""

TATA = {"id": "tata-steel-ijmuiden", "name": "Tata Steel IJmuiden", "bearing_deg": 225.0, "distance_km": 2.4,
        "span_from_deg": 200.0, "span_to_deg": 250.0, "inside": False}  # fmt: skip


def sector_row(i, sectors=12, mean=5.0, cpf=0.1, hours=100, speed=(None, None)):
    width = 360 / sectors
    return {"sector": i, "centre_deg": i * width, "from_deg": (i * width - width / 2) % 360,
            "to_deg": (i * width + width / 2) % 360, "speed_from": speed[0], "speed_to": speed[1], "hours": hours,
            "mean": mean, "p25": mean / 2, "p50": mean, "p75": mean * 1.5, "p90": mean * 2, "cpf": cpf}  # fmt: skip


def direction(emitters=(TATA,), means=None, cpfs=None):
    """Twelve sectors; the south-west one (sector 7, 210°–240°) high, as at a station downwind of the works."""
    means = means or [5.0] * 7 + [20.0] + [5.0] * 4
    cpfs = cpfs or [0.05] * 7 + [0.6] + [0.05] * 4
    rows = [sector_row(i, mean=m, cpf=c) for i, (m, c) in enumerate(zip(means, cpfs, strict=True))]
    rows.append(sector_row(7, mean=30.0, cpf=0.8, hours=20, speed=(6.0, 10.0)))  # a speed bin: not in the roses
    meta = {"method": "direction-v1", "place": "station:NL49570", "quantity": "pm25", "unit": "µg/m³", "sectors": 12,
            "sector_width_deg": 30.0, "percentile": 75, "threshold": 12.5, "weather_station": "225",
            "background": "none", "hours": 1300, "calm": {"hours": 40, "mean": 9.5}, "variable": {"hours": 12,
            "mean": 7.0}, "missing_wind_hours": 3, "emitters": list(emitters)}  # fmt: skip
    return {"meta": meta, "results": rows}


EXPOSURE = [
    {"emitter": "tata-steel-ijmuiden", "speed_from": None, "speed_to": None, "downwind_hours": 250,
     "upwind_hours": 600, "crosswind_hours": 400, "calm_hours": 50, "mean_downwind": 14.2, "mean_otherwise": 9.1,
     "increment": 5.1, "increment_low": 3.2, "increment_high": 7.0},
    {"emitter": "tata-steel-ijmuiden", "speed_from": 0.0, "speed_to": 2.0, "downwind_hours": 30, "upwind_hours": 60,
     "crosswind_hours": 40, "calm_hours": 50, "mean_downwind": 18.0, "mean_otherwise": 10.0, "increment": 8.0,
     "increment_low": 2.0, "increment_high": 14.0},
]  # fmt: skip

EXPOSURE_MAP = {
    "meta": {"emitter": "tata-steel-ijmuiden", "quantity": "pm25", "unit": "µg/m³"},
    "results": [
        {"place": "kit:bev-01", "kind": "kit", "lat": 52.487, "lon": 4.657, "downwind_share": 0.25, "increment": 4.0,
         "increment_low": 1.0, "increment_high": 7.0, "hours": 8000},
        {"place": "station:NL49570", "kind": "station", "lat": 52.494, "lon": 4.66, "downwind_share": 0.5,
         "increment": -2.0, "increment_low": -3.0, "increment_high": -1.0, "hours": 8700},
        {"place": "kit:hee-01", "kind": "kit", "lat": 52.511, "lon": 4.673, "downwind_share": 0.0, "increment": None,
         "increment_low": None, "increment_high": None, "hours": 10},
        {"place": "station:NL49557", "kind": "station", "lat": None, "lon": None, "downwind_share": 0.1,
         "increment": 1.0, "increment_low": 0.0, "increment_high": 2.0, "hours": 100},  # no position: not drawn
    ],
}  # fmt: skip

EPISODES = [
    {"kind": "regional", "quantity": "pm25", "start": "2019-12-31T22:00:00Z", "end": "2020-01-01T04:00:00Z",
     "peak_value": 310.0, "peak_place": "station:NL49551", "places": ["station:NL49551", "kit:bev-01"],
     "wind": {"dir_deg": 200, "speed": 2.0, "state": "direction"}, "emitter": None, "method": "episodes-v1"},
    {"kind": "local", "quantity": "pm25", "start": "2019-12-29T21:00:00Z", "end": "2019-12-29T23:00:00Z",
     "peak_value": 80.0, "peak_place": "kit:wij-01", "places": ["kit:wij-01"],
     "wind": {"dir_deg": 230, "speed": 4.0, "state": "direction"}, "emitter": "tata-steel-ijmuiden",
     "method": "episodes-v1"},
]  # fmt: skip

TREND = {
    "meta": {"method": "trend-theilsen-mbb-v1", "normalisation": "deweather-additive-v1", "source": "station:NL49570",
             "quantity": "pm25", "unit": "µg/m³", "slope_per_year": -0.41, "slope_low": -0.95, "slope_high": 0.12,
             "deseasonalised": True, "note": None,
             "increments": [{"emitter": "tata-steel-ijmuiden", "slope_per_year": -0.8, "slope_low": -2.1,
                             "slope_high": 0.4, "months": 24}]},
    "results": [{"month": f"{2022 + m // 12}-{m % 12 + 1:02d}-01T00:00:00Z", "mean": 10.0 + (m % 12) / 2,
                 "deseasonalised": 9.0 - m / 24, "normalised": 9.5 - m / 24, "hours": 700} for m in range(24)],
}  # fmt: skip
SHORT_TREND = {
    "meta": {"method": "trend-theilsen-mbb-v1", "quantity": "pm25", "unit": "µg/m³", "slope_per_year": None,
             "slope_low": None, "slope_high": None, "deseasonalised": False,
             "note": "deseasonalising needs every calendar month in at least two years; 8 months given",
             "increments": []},
    "results": [{"month": f"2023-{m:02d}-01T00:00:00Z", "mean": 9.0, "deseasonalised": None, "normalised": 8.5,
                 "hours": 700} for m in range(1, 9)],
}  # fmt: skip

EVENTS = [
    {"id": "tsn-2023-11-green-steel-plan", "date": "2023-11-03", "title_nl": "Groen Staal-plan ingediend",
     "title_en": "Green Steel plan submitted", "place": "IJmuiden", "source_url": "https://example.org/plan"},
    {"id": "tsn-2029-kgf2-closure-planned", "date": "2029-01-01", "title_nl": "Geplande sluiting KGF2",
     "title_en": "Planned closure of CGP2", "place": "IJmuiden", "source_url": "https://example.org/closure"},
]  # fmt: skip

COMPARE = [{"difference": -1.8, "low": -2.9, "high": -0.6, "normalised_difference": -1.1, "normalised_low": -2.0,
            "normalised_high": -0.1, "before_mean": 11.2, "after_mean": 9.4}]  # fmt: skip
