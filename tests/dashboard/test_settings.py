from pathlib import Path

from dashboard.settings import OFFLINE_STYLE, DashboardSettings


def test_defaults_are_openstreetmap_tiles_15_s_refresh_and_the_platform_api(monkeypatch):
    monkeypatch.setenv("IJLUCHT_API_PORT", "8080")
    for name in ("TILE_STYLE", "TILE_URL", "TILE_ATTRIBUTION", "DEMO_MARKER"):
        monkeypatch.delenv(f"IJLUCHT_DASHBOARD_{name}", raising=False)
    s = DashboardSettings()
    assert s.tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap</a> contributors" in s.tile_attribution
    assert s.tile_style == OFFLINE_STYLE == "white-bg"  # under the raster tiles: no other source
    assert s.demo_marker_path == s.state_dir / "fleet" / "demo.json"
    assert DashboardSettings(demo_marker="/x/demo.json").demo_marker_path == Path("/x/demo.json")
    assert s.refresh_seconds == 15
    assert s.api_url == "http://127.0.0.1:8080"
    assert s.language == "nl"


def test_tile_style_and_api_url_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("IJLUCHT_DASHBOARD_TILE_STYLE", "https://tiles.example/style.json")
    monkeypatch.setenv("IJLUCHT_DASHBOARD_API_URL", "http://api.example:9000/")
    s = DashboardSettings()
    assert s.tile_style == "https://tiles.example/style.json"
    assert s.api_url == "http://api.example:9000"


def test_a_bare_tile_style_variable_without_prefix_is_ignored(monkeypatch):
    monkeypatch.setenv("TILE_STYLE", "open-street-map")
    monkeypatch.delenv("IJLUCHT_DASHBOARD_TILE_STYLE", raising=False)
    assert DashboardSettings().tile_style == "white-bg"


def test_raster_tile_server_and_its_credit_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("IJLUCHT_DASHBOARD_TILE_URL", "https://tiles.example.nl/{z}/{x}/{y}.png")
    monkeypatch.setenv("IJLUCHT_DASHBOARD_TILE_ATTRIBUTION", "© OpenStreetMap-bijdragers")
    s = DashboardSettings()
    assert s.tile_url == "https://tiles.example.nl/{z}/{x}/{y}.png"
    assert s.tile_attribution == "© OpenStreetMap-bijdragers"
    assert DashboardSettings(tile_url="").tile_url == ""
    monkeypatch.setenv("IJLUCHT_DASHBOARD_TILE_URL", "")  # set but empty: outlines only, nothing from the internet
    assert DashboardSettings().tile_url == ""
