"""/v1/series: raw and rollup rows in long form, pages that add up, cursors bound to their query."""

from datetime import UTC, datetime, timedelta

import httpx

from api.queries.series import COLUMNS, FLAG_COLUMNS


def _window():
    end = datetime.now(UTC) + timedelta(minutes=1)
    return (end - timedelta(hours=25)).isoformat(), end.isoformat()


def test_raw_pages_add_up_to_the_whole_series(api, rolled_up):
    start, end = _window()
    params = {"kits": "seed-beverwijk,seed-heemskerk", "quantities": "pm25,pm10", "start": start, "end": end}
    rows, pages = [], 0
    params["limit"] = 100
    while True:
        body = api.get("/v1/series", params=params).json()
        rows += body["results"]
        pages += 1
        assert body["meta"]["count"] == len(body["results"])
        if not body["meta"]["next"]:
            break
        params["cursor"] = httpx.URL(body["meta"]["next"]).params["cursor"]
    assert pages > 5
    assert len(rows) == 2 * 2 * 288
    keys = [(r["kit_id"], r["time"], r["quantity"]) for r in rows]
    assert len(set(keys)) == len(keys)
    first = rows[0]
    assert list(first) == list(COLUMNS) and first["time"].endswith("Z")
    assert first["n"] == 1 and first["flags"] == 0 and first["value"] == first["min"] == first["max"]
    assert first["clean_value"] == first["value"] and first["n_clean"] == 1 and first["n_spike"] == 0


def test_hourly_rollups_match_the_raw_mean(api, rolled_up):
    start, end = _window()
    base = {"kits": "seed-wijkaanzee", "quantities": "pm25", "start": start, "end": end}
    hourly = api.get("/v1/series", params={**base, "resolution": "hour"}).json()
    assert hourly["meta"]["next"] is None and hourly["meta"]["time_label"] == "start"
    full = [r for r in hourly["results"] if r["n"] == 12]
    assert full, hourly
    h = full[0]
    t0 = datetime.fromisoformat(h["time"])
    raw = api.get(
        "/v1/series",
        params={**base, "start": t0.isoformat(), "end": (t0 + timedelta(hours=1)).isoformat()},
    ).json()["results"]
    values = [r["value"] for r in raw]
    assert len(values) == 12
    assert abs(h["value"] - sum(values) / 12) < 1e-6 and h["min"] == min(values) and h["max"] == max(values)
    assert h["flags"] is None and h["clean_value"] == h["value"] and h["n_clean"] == 12
    assert {c: h[c] for c in FLAG_COLUMNS} == dict.fromkeys(FLAG_COLUMNS, 0)


def test_ten_minute_and_daily_resolutions(api, rolled_up):
    start, end = _window()
    base = {"kits": "seed-beverwijk", "quantities": "pm10", "start": start, "end": end}
    ten = api.get("/v1/series", params={**base, "resolution": "10min"}).json()["results"]
    assert 140 <= len(ten) <= 146 and all(r["n"] <= 2 for r in ten)
    # Day buckets start at local midnight: a range from 3 days back holds the whole seeded day.
    three_days = {**base, "start": (datetime.now(UTC) - timedelta(days=3)).isoformat(), "resolution": "day"}
    day = api.get("/v1/series", params=three_days).json()["results"]
    assert 1 <= len(day) <= 3 and sum(r["n"] for r in day) == 288


def test_cursor_of_another_query_is_refused(api, rolled_up):
    start, end = _window()
    params = {"kits": "seed-beverwijk", "quantities": "pm25", "start": start, "end": end, "limit": 10}
    cursor = httpx.URL(api.get("/v1/series", params=params).json()["meta"]["next"]).params["cursor"]
    r = api.get("/v1/series", params={**params, "kits": "seed-heemskerk", "cursor": cursor})
    assert r.status_code == 422 and "cursor" in r.json()["detail"]
    r = api.get("/v1/series", params={**params, "cursor": "garbage!"})
    assert r.status_code == 422


def test_bad_series_requests_say_what_to_fix(api, settings):
    cases = [
        ({}, "kits"),
        ({"kits": "Not A Kit"}, "not a kit id"),
        ({"kits": ",".join(f"kit-{i:03d}" for i in range(101))}, "at most 100"),
        ({"kits": "seed-beverwijk", "quantities": "pm25,co2"}, "co2"),
        ({"kits": "seed-beverwijk", "resolution": "week"}, "'10min'"),
        ({"kits": "seed-beverwijk", "start": "1900-01-01T00:00:00Z"}, "2000-2099"),
        ({"kits": "seed-beverwijk", "limit": 0}, "limit"),
    ]
    for params, words in cases:
        r = api.get("/v1/series", params=params)
        assert r.status_code == 422, (params, r.text)
        assert words in r.json()["detail"], (params, r.json())


def test_non_public_kits_need_the_admin_key(api, make_kit, conn, admin_key):
    kit, _ = make_kit("hidden")
    conn.execute("UPDATE kits SET public = false WHERE kit_id = %s", (kit,))
    conn.execute("INSERT INTO readings (time, kit_id, pm25) VALUES (now() - interval '1 minute', %s, 5.0)", (kit,))
    params = {"kits": kit, "quantities": "pm25"}
    assert api.get("/v1/series", params=params).json()["results"] == []
    r = api.get("/v1/series", params=params, headers={"X-API-Key": admin_key})
    assert [x["value"] for x in r.json()["results"]] == [5.0]


def test_the_fast_rollup_rows_equal_the_generic_ones():
    from api.queries import series

    t = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        ("bev-01", t, "pm25", 7.25, 4, 1, 5.0, 9.5, 3, 6.5, [1, 0, 0, 1, 0, 0, 0, 0]),
        ("bev-01", t, "t", 8.0, 2, 0, 7.5, 8.5, 2, 8.0, None),  # written before migration 030
    ]
    assert series.rollup_dicts(rows) == series.as_dicts(series.rollup_rows(rows))
    assert list(series.rollup_dicts(rows)[0]) == list(series.COLUMNS)
