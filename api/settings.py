"""Settings of the API (IJLUCHT_API_* and the shared IJLUCHT_* connection settings)."""

from ijlucht.settings import PlatformSettings


class ApiSettings(PlatformSettings):
    api_pool_min: int = 2
    api_pool_max: int = 8
    api_max_rows: int = 100_000  # rows in one time-series response at most
