"""Dutch by default, English on request: every fixed text and the labels of the choices follow the switch. The page
comes with its texts (dashboard/page_texts.py), so this only runs when the language or the scale changes."""

from dash import Dash, Input, Output

from dashboard.i18n import language_or_default
from dashboard.page_texts import TEXT_PROPS, page_texts


def register(app: Dash) -> None:
    @app.callback(
        *(Output(component_id, prop) for component_id, prop in TEXT_PROPS),
        Input("language", "value"),
        Input("scale", "value"),
        prevent_initial_call=True,
    )
    def apply_language(language: str, scale: str) -> tuple:
        texts = page_texts(language_or_default(language), scale if isinstance(scale, str) else "")
        return tuple(texts.values())
