"""Dashboard settings: the platform settings plus the base map, refresh interval, API address and demo marker.

Environment: IJLUCHT_DASHBOARD_TILE_URL, IJLUCHT_DASHBOARD_TILE_ATTRIBUTION, IJLUCHT_DASHBOARD_TILE_STYLE,
IJLUCHT_DASHBOARD_REFRESH_SECONDS, IJLUCHT_DASHBOARD_API_URL, IJLUCHT_DASHBOARD_LANGUAGE,
IJLUCHT_DASHBOARD_DEMO_MARKER, IJLUCHT_DASHBOARD_BUILD_GUIDE_URL, plus everything PlatformSettings reads
(IJLUCHT_DASHBOARD_HOST/PORT, IJLUCHT_API_*).
The base map and its privacy and usage-policy notes: dashboard/README.md.
"""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ijlucht.settings import PlatformSettings

OFFLINE_STYLE = "white-bg"
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


def _env(name: str) -> str:
    # IJLUCHT_DASHBOARD_<NAME> in the environment; keyword construction uses the field name (populate_by_name).
    return f"IJLUCHT_DASHBOARD_{name}"


class DashboardSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="IJLUCHT_", extra="ignore", populate_by_name=True)

    # Streets and places under the markers: a raster tile server as a {z}/{x}/{y} URL template, its credit in
    # tile_attribution. Default: the OpenStreetMap Foundation's tiles (usage policy and privacy: dashboard/README.md).
    # Empty: no tiles, only the bundled outlines (no request leaves the page); they are also the fallback when the
    # tiles cannot load.
    tile_url: str = Field(default=OSM_TILE_URL, validation_alias=_env("TILE_URL"))
    tile_attribution: str = Field(default=OSM_ATTRIBUTION, validation_alias=_env("TILE_ATTRIBUTION"))
    # "white-bg" (no sources) under the raster tiles; a plotly map style name or a MapLibre style URL instead loads
    # that style (then without the outline fallback).
    tile_style: str = Field(default=OFFLINE_STYLE, validation_alias=_env("TILE_STYLE"))
    refresh_seconds: int = Field(default=15, ge=2, validation_alias=_env("REFRESH_SECONDS"))
    # Empty: the API this platform runs (PlatformSettings.api_url, from IJLUCHT_API_HOST/PORT).
    api_base_url: str = Field(default="", validation_alias=_env("API_URL"))
    api_timeout_seconds: float = Field(default=5.0, gt=0, validation_alias=_env("API_TIMEOUT"))
    readings_limit: int = Field(default=10_000, ge=1, validation_alias=_env("READINGS_LIMIT"))
    language: str = Field(default="nl", pattern="^(nl|en)$", validation_alias=_env("LANGUAGE"))
    # The demo fleet's marker (virtualkit/fleet.py DEMO_MARKER); empty: <state dir>/fleet/demo.json.
    demo_marker: str = Field(default="", validation_alias=_env("DEMO_MARKER"))
    # Where the sign-up page sends residents for the build guide (docs/build/ published somewhere); empty: the page
    # names the file in the source instead.
    build_guide_url: str = Field(default="", validation_alias=_env("BUILD_GUIDE_URL"))

    @property
    def demo_marker_path(self) -> Path:
        return Path(self.demo_marker) if self.demo_marker else self.state_dir / "fleet" / "demo.json"

    @property
    def api_url(self) -> str:
        return (self.api_base_url or super().api_url).rstrip("/")
