"""The demo label: what the demo fleet's marker says, read by the dashboard, in Dutch and English."""

from datetime import date

from dashboard.app import create_app
from dashboard.demo import DemoPeriod, demo_label, demo_period
from dashboard.settings import DashboardSettings
from ijlucht.settings import PlatformSettings
from tests.dashboard.recording import dash_callback
from virtualkit.fleet import write_demo_marker


def test_the_dashboard_reads_the_period_the_fleet_writes(tmp_path):
    marker = write_demo_marker(PlatformSettings(state_dir=tmp_path))
    assert marker == tmp_path / "fleet" / "demo.json"  # where DashboardSettings.demo_marker_path looks
    period = demo_period(marker)
    assert period == DemoPeriod(date(2020, 2, 7), date(2020, 2, 21), "Hollandse Luchten, KNMI")


def test_no_marker_or_a_broken_one_means_no_demo(tmp_path):
    assert demo_period(tmp_path / "demo.json") is None
    (tmp_path / "demo.json").write_text('{"replayed_from": "yesterday"}')
    assert demo_period(tmp_path / "demo.json") is None


def test_label_names_the_replayed_period_in_both_languages():
    period = DemoPeriod(date(2020, 2, 7), date(2020, 2, 21), "Hollandse Luchten, KNMI")
    assert demo_label(period, "nl") == (
        "Demo: dit zijn geen actuele metingen. Echte metingen van 7 februari 2020 tot en met 21 februari 2020 "
        "(Hollandse Luchten, KNMI) worden opnieuw afgespeeld alsof ze nu gedaan worden."
    )
    assert "from 7 February 2020 to 21 February 2020" in demo_label(period, "en")


def test_the_page_shows_the_label_only_while_the_marker_is_there(tmp_path):
    marker = write_demo_marker(PlatformSettings(state_dir=tmp_path))
    app = create_app(DashboardSettings(demo_marker=str(marker), tile_url="", api_base_url="http://127.0.0.1:9"))
    inputs = {"refresh.n_intervals": 0, "language.value": "en"}
    shown = dash_callback(app.server, ["demo-label.children", "demo-label.hidden"], inputs)["demo-label"]
    assert shown["hidden"] is False and shown["children"].startswith("Demo: these are not current measurements.")
    marker.unlink()  # the fleet stopped
    gone = dash_callback(app.server, ["demo-label.children", "demo-label.hidden"], inputs)["demo-label"]
    assert gone == {"children": "", "hidden": True}
