"""Settings of the API (IJLUCHT_API_* and the shared IJLUCHT_* connection settings)."""

from ijlucht.settings import PlatformSettings


class ApiSettings(PlatformSettings):
    api_pool_min: int = 2
    api_pool_max: int = 8
    api_max_rows: int = 100_000  # rows in one time-series response at most
    api_page_default: int = 10_000  # rows per /v1/series page unless `limit` says otherwise (a year of hours fits)
    api_max_kits: int = 100  # kits in one series/statistics/export request
    api_statement_timeout_ms: int = 5_000  # every SQL statement of the API (each FETCH of an export, too)
    api_map_cache_s: float = 5.0  # /v1/map/latest answers are reused this long (0 turns the cache off)
    api_stale_after_s: int = 15 * 60  # a latest value older than this is stale on the map
    api_max_stats_kit_hours: int = 2_000_000  # kits × hours one statistics request may read
    api_exports_at_once: int = 2  # concurrent streamed exports; more get 429
    # A whole export ends after this long, read or not (the client gets a cut-off file): a reader that stops
    # reading holds its slot and database connection no longer.
    api_export_deadline_s: float = 300.0
    # The export's transaction is ended by PostgreSQL when it waits this long between two fetches.
    api_export_idle_ms: int = 30_000
    # Requests per minute: per client address without a key, per key with one (admin keys: 10x reader).
    api_rate_per_min: int = 600
    api_rate_key_per_min: int = 6_000
    # Addresses not rate limited: the dashboard on the same host calls the API for all its visitors.
    api_rate_exempt: tuple[str, ...] = ("127.0.0.1", "::1")
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the client; from anyone else the header
    # is ignored, so no client can choose its own identity (or claim to be 127.0.0.1).
    api_trusted_proxies: tuple[str, ...] = ()
