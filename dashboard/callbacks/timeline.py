"""The time slider: shown for the last 24 h or 7 days, one step per hour; ▶ plays the hours one by one."""

from datetime import UTC, datetime, timedelta

from dash import Dash, Input, Output, State, no_update

from dashboard.i18n import format_hour, language_or_default, text
from dashboard.layout import WINDOW_HOURS


def slider_marks(hours: int, language: str, now: datetime | None = None) -> dict[int, str]:
    """A few labelled ticks: every 6 hours for a day, every day for a week (start of each hour, local time)."""
    end = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    step = 6 if hours <= 24 else 24
    return {
        i: format_hour((end - timedelta(hours=hours - i)).isoformat(), language) for i in range(hours - 1, -1, -step)
    }


def register(app: Dash) -> None:
    @app.callback(
        Output("timeline", "hidden"),
        Output("hour-slider", "max"),
        Output("hour-slider", "value"),
        Output("hour-slider", "marks"),
        Output("play-tick", "disabled", allow_duplicate=True),
        Input("window", "value"),
        Input("language", "value"),
        State("hour-slider", "value"),
        prevent_initial_call="initial_duplicate",
    )
    def show_timeline(window: str, language: str, value: int | None) -> tuple:
        if window not in WINDOW_HOURS:
            return True, no_update, no_update, no_update, True
        hours = WINDOW_HOURS[window]
        marks = slider_marks(hours, language_or_default(language))
        return False, hours - 1, hours - 1 if value is None or value >= hours else value, marks, True

    @app.callback(
        Output("play-tick", "disabled"),
        Input("play", "n_clicks"),
        State("play-tick", "disabled"),
        prevent_initial_call=True,
    )
    def toggle_play(_clicks: int, disabled: bool) -> bool:
        return not disabled

    @app.callback(
        Output("hour-slider", "value", allow_duplicate=True),
        Input("play-tick", "n_intervals"),
        State("hour-slider", "value"),
        State("hour-slider", "max"),
        prevent_initial_call=True,
    )
    def step(_n: int, value: int | None, last: int) -> int:
        return 0 if value is None or value >= last else value + 1

    @app.callback(Output("play", "children"), Input("play-tick", "disabled"), Input("language", "value"))
    def play_label(disabled: bool, language: str) -> str:
        return text("play" if disabled else "pause", language)
