"""The neighbourhood view: mean per municipality or district with the number of kits behind each figure."""

from typing import Any

from dash import Dash, Input, Output, html

from dashboard.api_client import ApiClient, ApiError
from dashboard.i18n import language_or_default, text
from dashboard.layout import AREA_LEVELS, DEFAULT_QUANTITY, choice
from dashboard.legend import area_table
from dashboard.markers import QUANTITY_CHOICES
from dashboard.settings import DashboardSettings
from ijlucht import geo
from ijlucht.bands import DEFAULT_SCALE, SCALES


def named_areas(rows: list[dict[str, Any]], level: str) -> list[dict[str, Any]]:
    """The API's areas, those with kits first; a district named with its municipality (several are "Centrum")."""
    if level == "district":
        municipalities = geo.area_names("municipality")
        rows = [{**r, "name": f"{r.get('name')} ({municipalities.get(r.get('parent_code') or '', '?')})"} for r in rows]
    return sorted(rows, key=lambda r: (not r.get("kits"), str(r.get("name"))))


def register(app: Dash, client: ApiClient, settings: DashboardSettings) -> None:
    @app.callback(
        Output("area-table", "children"),
        Input("refresh", "n_intervals"),
        Input("area-level", "value"),
        Input("quantity", "value"),
        Input("scale", "value"),
        Input("language", "value"),
    )
    def update_areas(_n, level, quantity, scale, language) -> list:
        language = language_or_default(language)
        scale = choice(scale, tuple(SCALES), DEFAULT_SCALE)
        level = choice(level, AREA_LEVELS, AREA_LEVELS[0])
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        try:
            rows = named_areas(client.areas(level, quantity, scale), level)
        except ApiError as exc:
            return [html.P(text("api_down", language, detail=str(exc), seconds=settings.refresh_seconds))]
        return area_table(rows, language, quantity, scale, level)
