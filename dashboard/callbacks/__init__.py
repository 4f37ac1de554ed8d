"""Callbacks, one module per concern: the map, the time slider, the kit panel, the area table, the language, the
demo label, finding kits and areas (search, kit list), the view in the URL (sharing, embedding), and the science
views (issues 16 and 17: the exposure map layer, episodes on the slider, wind and sources, trend and before/after,
alerts)."""

from collections.abc import Callable

from dash import Dash

from dashboard.api_client import ApiClient
from dashboard.callbacks import (
    alerts,
    analysis,
    areas,
    demo,
    direction,
    episodes,
    exposure_layer,
    find,
    kit_panel,
    language,
    map_view,
    share,
    timeline,
    trend,
)
from dashboard.geo import Outlines
from dashboard.places import REFERENCE_STATIONS
from dashboard.settings import DashboardSettings


def register_callbacks(
    app: Dash, client: ApiClient, outlines: Outlines, settings: DashboardSettings
) -> Callable[[str], dict]:
    """Registers every callback; returns the function that draws the first map for a page's layout."""
    first_map = map_view.register(app, client, outlines, settings)
    timeline.register(app)
    kit_panel.register(app, client, settings)
    areas.register(app, client, settings)
    language.register(app)
    demo.register(app, settings)
    find.register(app, client, settings, REFERENCE_STATIONS)
    share.register(app, settings)
    analysis.register(app, REFERENCE_STATIONS)
    exposure_layer.register(app, client)
    episodes.register(app, client)
    direction.register(app, client)
    trend.register(app, client, REFERENCE_STATIONS)
    alerts.register(app, client)
    return first_map
