"""Rate limits with headers, keys, bounded queries and statement timeouts; errors are 4xx with a reason."""

import psycopg
import pytest

from api.security import FixedWindowLimiter


def test_fixed_window_counts_per_identity_and_resets():
    limiter = FixedWindowLimiter()
    assert limiter.hit("a", 2, now=60.0) == (True, 1, 60)
    assert limiter.hit("a", 2, now=61.0) == (True, 0, 59)
    assert limiter.hit("a", 2, now=62.0)[0] is False
    assert limiter.hit("b", 2, now=62.0)[0] is True
    assert limiter.hit("a", 2, now=120.0) == (True, 1, 60)


def test_rate_limit_per_address_with_headers_and_retry_after(app_client, rolled_up):
    for i in range(5):
        r = app_client.get("/v1/quantities")
        assert r.status_code == 200
        assert r.headers["x-ratelimit-limit"] == "5" and r.headers["x-ratelimit-remaining"] == str(4 - i)
        assert 0 < int(r.headers["x-ratelimit-reset"]) <= 60
    r = app_client.get("/v1/quantities")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "API key" in r.json()["detail"]


def test_a_key_has_its_own_higher_limit(app_client, reader_key):
    r = app_client.get("/v1/quantities", headers={"X-API-Key": reader_key})
    assert r.status_code == 200 and r.headers["x-ratelimit-limit"] == "8"


def test_statement_timeout_bounds_every_query(api_base_url, settings):
    from api.settings import ApiSettings

    s = ApiSettings()
    with psycopg.connect(s.dsn, options=f"-c statement_timeout={s.api_statement_timeout_ms}") as c:
        assert c.execute("SHOW statement_timeout").fetchone()[0] == "5s"
        with pytest.raises(psycopg.errors.QueryCanceled):
            c.execute("SET statement_timeout = 50; SELECT pg_sleep(1)")


def test_ready_reports_schema_and_pool(api):
    r = api.get("/v1/ready")
    assert r.status_code == 200 and r.json()["checks"]["schema"] == "ok"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/kits", {"bbox": "1,2,3"}),
        ("/v1/kits", {"bbox": "181,52,4,53"}),
        ("/v1/kits", {"municipality": "x\x00y"}),
        ("/v1/kits", {"online": "maybe"}),
        ("/v1/kits/seed-beverwijk/readings", {"start": "0001-01-01T00:00:00Z"}),
        ("/v1/kits/seed-beverwijk/readings", {"end": "9999-12-31T23:59:59"}),
        ("/v1/series", {"kits": "seed-beverwijk", "limit": 10**12}),
        ("/v1/series", {"kits": "seed-beverwijk", "cursor": "eyJmIjoxfQ"}),
        ("/v1/map/hourly", {"start": "2026-13-01"}),
        ("/v1/stats", {"kits": "seed-beverwijk", "by": "month"}),
    ],
)
def test_invalid_requests_get_4xx_with_a_reason(api, rolled_up, path, params):
    r = api.get(path, params=params)
    assert 400 <= r.status_code < 500, r.text
    assert isinstance(r.json()["detail"], str) and len(r.json()["detail"]) > 10


def test_a_query_over_the_statement_timeout_is_503_saying_how_to_narrow_it(settings, rolled_up):
    import psycopg
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings

    # A lock held elsewhere makes the statistics query wait past its 300 ms: a slow query, deterministically.
    with (
        psycopg.connect(settings.dsn) as blocker,
        TestClient(create_app(ApiSettings(api_statement_timeout_ms=300))) as client,
    ):
        blocker.execute("LOCK TABLE rollup_hourly IN ACCESS EXCLUSIVE MODE")
        r = client.get("/v1/stats", params={"kits": ",".join(rolled_up)})
        blocker.rollback()
    assert r.status_code == 503 and "shorter range" in r.json()["detail"] and r.headers["retry-after"]


def test_guessing_keys_is_rate_limited_like_anything_else(app_client):
    statuses = [
        app_client.get("/v1/quantities", headers={"X-API-Key": f"ijl_guess{i:03d}_x"}).status_code for i in range(6)
    ]
    assert statuses == [401] * 5 + [429]


def test_oversized_bodies_are_refused_before_reading(api, admin_key):
    r = api.post("/v1/admin/kits", content=b"x" * 100_000, headers={"X-API-Key": admin_key})
    assert r.status_code == 413 and "KiB" in r.json()["detail"]


def test_x_forwarded_for_from_a_client_that_is_no_proxy_is_ignored(app_client):
    statuses = [
        app_client.get("/v1/quantities", headers={"X-Forwarded-For": f"127.0.0.1, 198.51.100.{i}"}).status_code
        for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]  # neither exempt as 127.0.0.1 nor a new identity per request


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(settings):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings

    app = create_app(ApiSettings(api_rate_per_min=2, api_trusted_proxies=("10.0.0.0/8",)))
    with TestClient(app, client=("10.1.2.3", 40000)) as proxy:

        def status(forwarded: str) -> int:
            return proxy.get("/v1/quantities", headers={"X-Forwarded-For": forwarded}).status_code

        assert [status("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert [status("127.0.0.1, 198.51.100.2") for _ in range(3)] == [200, 200, 429]  # its own words skipped
        assert [status("127.0.0.1") for _ in range(3)] == [200, 200, 200]  # a local client behind the proxy: exempt
        r = proxy.get("/v1/quantities")  # the proxy itself, without a header, is a client like any other
        assert r.status_code == 200 and r.headers["x-ratelimit-remaining"] == "1"
