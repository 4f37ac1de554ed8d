"""Episodes along the time slider: for the last 24 hours or 7 days, the episodes /v1/episodes finds in that window,
as segments under the slider (the kit chart shades them too: dashboard/callbacks/kit_panel.py)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from dash import Dash, Input, Output

from dashboard.api_client import ApiClient, ApiError
from dashboard.figures.episodes import timeline_strip
from dashboard.i18n import language_or_default
from dashboard.layout import DEFAULT_QUANTITY, WINDOW_HOURS, choice
from dashboard.markers import QUANTITY_CHOICES
from ijlucht.quantities import BY_KEY


def window_bounds(hours: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The slider's window: `hours` whole hours up to the end of the current hour (as /v1/map/hourly is asked)."""
    end = (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return end - timedelta(hours=hours), end


def register(app: Dash, client: ApiClient) -> None:
    @app.callback(
        Output("timeline-episodes", "children"),
        Input("window", "value"),
        Input("quantity", "value"),
        Input("language", "value"),
        prevent_initial_call=True,
    )
    def show_episodes(window: Any, quantity: Any, language: Any) -> list:
        if window not in WINDOW_HOURS:
            return []  # the live map has no slider
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        start, end = window_bounds(WINDOW_HOURS[window])
        try:
            episodes = client.episodes(start, end, quantity)
        except ApiError:
            return []  # the slider works without them
        unit = BY_KEY[quantity].unit
        return timeline_strip(episodes, start, end, language_or_default(language), unit, client.emitter_names())
