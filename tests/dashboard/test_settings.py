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


def test_the_partial_plotly_bundle_is_built_from_the_plotly_js_that_plotly_py_ships():
    from plotly.offline import get_plotlyjs_version

    from dashboard.app import PARTIAL_PLOTLY_JS, PARTIAL_PLOTLY_VERSION

    assert get_plotlyjs_version() == PARTIAL_PLOTLY_VERSION  # else: rebuild it (dashboard/plotlyjs/README.md)
    head = PARTIAL_PLOTLY_JS.read_text(encoding="utf-8")[:400]
    assert f"partial plotly.js {PARTIAL_PLOTLY_VERSION} (scattermap, scatter, bar)" in head


def test_the_page_gets_the_partial_bundle_where_dash_loads_plotly_js():
    from dashboard.app import PARTIAL_PLOTLY_JS, PLOTLY_JS, create_app

    client = create_app(DashboardSettings(tile_url="")).server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert f'<link rel="preload" href="/{PLOTLY_JS}" as="script">' in page  # fetched at once, parsed when needed
    served = client.get("/" + PLOTLY_JS)
    assert served.status_code == 200 and served.get_data() == PARTIAL_PLOTLY_JS.read_bytes()
    assert "max-age=86400" in served.headers["Cache-Control"]
