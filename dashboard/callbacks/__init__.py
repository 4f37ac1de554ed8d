"""Callbacks, one module per concern: the map, the time slider, the kit panel, the area table, the language."""

from dash import Dash

from dashboard.callbacks import areas, kit_panel, language, map_view, timeline
from dashboard.settings import DashboardSettings
from dashboard.sources import DataSource


def register_callbacks(app: Dash, source: DataSource, settings: DashboardSettings) -> None:
    map_view.register(app, source, settings)
    timeline.register(app)
    kit_panel.register(app, source, settings)
    areas.register(app, source, settings)
    language.register(app)
