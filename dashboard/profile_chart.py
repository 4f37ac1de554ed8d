"""The daily-cycle and weekday charts (pure): /v1/stats rows by hour_of_day or day_of_week in, a bar chart out.
The API computes the means (clean hourly means, local time); the chart only draws them."""

from typing import Any

import plotly.graph_objects as go

from dashboard.i18n import language_or_default, text
from dashboard.kit_chart import HOURLY_COLOUR, message_figure
from ijlucht.quantities import BY_KEY


def slot_labels(by: str, language: str) -> dict[int, str]:
    if by == "day_of_week":  # ISO: 1 = Monday
        return dict(enumerate(text("weekdays", language).split(","), start=1))
    return {h: f"{h:02d}" for h in range(24)}


def profile_figure(rows: list[dict[str, Any]], kit_id: str, by: str, quantity: str, language: str, span: str):
    """Mean per slot (hour of the day or weekday) of `kit_id`, with the number of hourly means behind each bar."""
    language = language_or_default(language)
    q = BY_KEY[quantity]
    labels = slot_labels(by, language)
    own = {r["slot"]: r for r in rows if r.get("kit_id") == kit_id and r.get("slot") in labels}
    if not any(r.get("mean") is not None for r in own.values()):
        return message_figure(text("profile_empty", language))
    slots = sorted(labels)
    figure = go.Figure(
        go.Bar(
            x=[labels[s] for s in slots],
            y=[(own.get(s) or {}).get("mean") for s in slots],
            customdata=[text("profile_hours", language, n=(own.get(s) or {}).get("n_hours", 0)) for s in slots],
            marker={"color": HOURLY_COLOUR},
            hovertemplate=f"%{{x}}: %{{y:.{q.decimals}f}} {q.unit} (%{{customdata}})<extra></extra>",
        )
    )
    key = "weekday_title" if by == "day_of_week" else "cycle_title"
    figure.update_layout(
        title={"text": text(key, language, span=text(f"range_{span}", language)), "x": 0.01, "font": {"size": 14}},
        xaxis={"title": {"text": text("axis_hour", language)} if by == "hour_of_day" else None, "type": "category"},
        yaxis={"title": {"text": f"{q.unit}"}, "rangemode": "tozero" if quantity not in ("t", "p") else "normal"},
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
        height=260,
        plot_bgcolor="white",
        separators=",." if language == "nl" else ".,",
    )
    return figure
