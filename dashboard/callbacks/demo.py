"""The demo label: shown while the demo fleet replays past measurements (dashboard/demo.py), in the page language."""

from dash import Dash, Input, Output

from dashboard.demo import demo_label, demo_period
from dashboard.i18n import language_or_default
from dashboard.settings import DashboardSettings


def register(app: Dash, settings: DashboardSettings) -> None:
    @app.callback(
        Output("demo-label", "children"),
        Output("demo-label", "hidden"),
        Input("refresh", "n_intervals"),
        Input("language", "value"),
    )
    def show_demo_label(_n: int, language: str) -> tuple[str, bool]:
        period = demo_period(settings.demo_marker_path)
        if period is None:
            return "", True
        return demo_label(period, language_or_default(language)), False
