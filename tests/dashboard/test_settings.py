from dashboard.settings import OFFLINE_STYLE, DashboardSettings


def test_defaults_are_offline_map_15_s_refresh_and_the_platform_api(monkeypatch):
    monkeypatch.setenv("IJLUCHT_API_PORT", "8080")
    monkeypatch.delenv("IJLUCHT_DASHBOARD_TILE_STYLE", raising=False)
    s = DashboardSettings()
    assert s.tile_style == OFFLINE_STYLE == "white-bg"
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
