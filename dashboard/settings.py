"""Dashboard settings: the platform settings plus the map style, refresh interval and API address.

Environment: IJLUCHT_DASHBOARD_TILE_STYLE, IJLUCHT_DASHBOARD_TILE_URL, IJLUCHT_DASHBOARD_TILE_ATTRIBUTION,
IJLUCHT_DASHBOARD_REFRESH_SECONDS, IJLUCHT_DASHBOARD_API_URL,
IJLUCHT_DASHBOARD_LANGUAGE, plus everything PlatformSettings reads (IJLUCHT_DASHBOARD_HOST/PORT, IJLUCHT_API_*).
"""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ijlucht.settings import PlatformSettings

OFFLINE_STYLE = "white-bg"


def _env(name: str) -> str:
    # IJLUCHT_DASHBOARD_<NAME> in the environment; keyword construction uses the field name (populate_by_name).
    return f"IJLUCHT_DASHBOARD_{name}"


class DashboardSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="IJLUCHT_", extra="ignore", populate_by_name=True)

    # "white-bg" draws only the bundled outlines and makes no network request; any plotly map style name
    # ("carto-positron", "open-street-map", ...) or a MapLibre style URL loads tiles from the internet.
    tile_style: str = Field(default=OFFLINE_STYLE, validation_alias=_env("TILE_STYLE"))
    # A raster tile server as a {z}/{x}/{y} URL template (e.g. a local or municipal tile server), drawn under the
    # outlines; its credit goes in tile_attribution. Empty: none.
    tile_url: str = Field(default="", validation_alias=_env("TILE_URL"))
    tile_attribution: str = Field(default="", validation_alias=_env("TILE_ATTRIBUTION"))
    refresh_seconds: int = Field(default=15, ge=2, validation_alias=_env("REFRESH_SECONDS"))
    # Empty: the API this platform runs (PlatformSettings.api_url, from IJLUCHT_API_HOST/PORT).
    api_base_url: str = Field(default="", validation_alias=_env("API_URL"))
    api_timeout_seconds: float = Field(default=5.0, gt=0, validation_alias=_env("API_TIMEOUT"))
    readings_limit: int = Field(default=10_000, ge=1, validation_alias=_env("READINGS_LIMIT"))
    language: str = Field(default="nl", pattern="^(nl|en)$", validation_alias=_env("LANGUAGE"))

    @property
    def api_url(self) -> str:
        return (self.api_base_url or super().api_url).rstrip("/")
