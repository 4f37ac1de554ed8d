"""Dutch by default, English on request: every fixed text and the labels of the choices follow the switch."""

from dash import Dash, Input, Output

from dashboard.i18n import language_or_default, text
from dashboard.layout import AREA_LEVELS, RANGES, WINDOWS
from dashboard.legend import quantity_label
from dashboard.markers import QUANTITY_CHOICES
from ijlucht.bands import SCALES
from ijlucht.licence import DATA_LICENCE


def register(app: Dash) -> None:
    @app.callback(
        Output("page", "lang"),
        Output("title", "children"),
        Output("subtitle", "children"),
        Output("language-label", "children"),
        Output("quantity-label", "children"),
        Output("scale-label", "children"),
        Output("window-label", "children"),
        Output("compare-label", "children"),
        Output("areas-title", "children"),
        Output("quantity", "options"),
        Output("scale", "options"),
        Output("window", "options"),
        Output("area-level", "options"),
        Output("footer", "children"),
        Output("tile-note", "children"),
        Output("range-label", "children"),
        Output("kit-range", "options"),
        Output("download-label", "children"),
        Input("language", "value"),
        Input("scale", "value"),
    )
    def apply_language(language: str, scale: str) -> tuple:
        language = language_or_default(language)
        scale_name = SCALES[scale].label(language) if isinstance(scale, str) and scale in SCALES else ""
        return (
            language,
            text("title", language),
            text("subtitle", language),
            text("language_label", language),
            text("quantity_label", language),
            text("scale_label", language),
            text("window_label", language),
            text("compare_label", language),
            text("areas_title", language),
            [{"label": quantity_label(q, language), "value": q} for q in QUANTITY_CHOICES],
            [{"label": s.label(language), "value": key} for key, s in SCALES.items()],
            [{"label": text(f"window_{w}", language), "value": w} for w in WINDOWS],
            [{"label": text(f"areas_level_{lv}", language), "value": lv} for lv in AREA_LEVELS],
            text("footer", language, scale=scale_name, licence=f"{DATA_LICENCE.id} ({DATA_LICENCE.url})"),
            text("tile_note", language),
            text("range_label", language),
            [{"label": text(f"range_{r}", language), "value": r} for r in RANGES],
            text("download_label", language),
        )
