"""Callbacks, one module per concern: the map, the time slider, the kit panel, the area table, the language, the
demo label."""

from dash import Dash

from dashboard.api_client import ApiClient
from dashboard.callbacks import areas, demo, kit_panel, language, map_view, timeline
from dashboard.geo import Outlines
from dashboard.settings import DashboardSettings


def register_callbacks(app: Dash, client: ApiClient, outlines: Outlines, settings: DashboardSettings) -> None:
    map_view.register(app, client, outlines, settings)
    timeline.register(app)
    kit_panel.register(app, client, settings)
    areas.register(app, client, settings)
    language.register(app)
    demo.register(app, settings)
