"""The kit chart (pure): /v1/series rows in, a plotly figure out.

The clicked kit's hourly means (broad pale line) with its raw readings over them (thin dark line), flagged
readings as red crosses, the WHO 2021 24-hour guideline as a dashed line, and the hourly means of kits added for
comparison.
"""

import textwrap
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median
from typing import Any

import plotly.graph_objects as go

from dashboard.i18n import format_number, language_or_default, local_time, parse_time, text
from dashboard.markers import flag_words
from ijlucht.bands import WHO_2021_24H_AQG
from ijlucht.quantities import BY_KEY

RAW_COLOUR = "#0b2e63"
HOURLY_COLOUR = "#1f4e9c"
FLAG_COLOUR = "#b2182b"
WHO_COLOUR = "#7a1f1f"
# Colour-blind-safe (Okabe–Ito) colours for compared kits.
COMPARE_COLOURS = ("#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
TIME_FORMATS = {"nl": ("%H:%M\n%d-%m-%Y", "%d-%m-%Y %H:%M"), "en": ("%H:%M\n%d %b %Y", "%d %b %Y %H:%M")}


def with_gaps(times: list[datetime], values: list[float | None]) -> tuple[list[datetime], list[float | None]]:
    """Insert a break (None) where readings are missing, so the line does not bridge an outage.

    A gap is more than 5 × the usual interval between readings, and at least 10 minutes.
    """
    if len(times) < 3:
        return times, values
    steps = [(b - a).total_seconds() for a, b in pairwise(times)]
    limit = max(5 * median(steps), 600.0)
    out_t, out_v = [times[0]], [values[0]]
    for i, step in enumerate(steps, start=1):
        if step > limit:
            out_t.append(times[i - 1] + timedelta(seconds=step / 2))
            out_v.append(None)
        out_t.append(times[i])
        out_v.append(values[i])
    return out_t, out_v


def _rows_of(rows: list[dict[str, Any]], kit_id: str) -> list[dict[str, Any]]:
    return sorted((r for r in rows if r["kit_id"] == kit_id and r.get("time")), key=lambda r: parse_time(r["time"]))


def _local(rows: list[dict[str, Any]]) -> list[datetime]:
    return [local_time(r["time"]) for r in rows]


def kit_figure(
    kit_id: str,
    names: dict[str, str],
    quantity: str,
    raw: list[dict[str, Any]],
    hourly: list[dict[str, Any]],
    language: str,
    span: str = "24h",
    resolution: str = "hour",
) -> go.Figure:
    """Chart of `kit_id` (raw + means + flags + WHO line) and the means of the other kits in `hourly`.

    `span`: the period shown (a RANGES key of the kit panel); `resolution`: "hour" or "day", what `hourly` holds.
    """
    q = BY_KEY[quantity]
    mean_key = "mean_day" if resolution == "day" else "mean_hour"
    mean_name = text(mean_key, language)
    middle = timedelta(hours=12) if resolution == "day" else timedelta(minutes=30)  # drawn mid-interval
    label = q.label_en if language == "en" else q.label_nl
    hover = f"%{{y:.{q.decimals}f}} {q.unit}<extra>%{{fullData.name}}</extra>"
    figure = go.Figure()
    own_raw = _rows_of(raw, kit_id)
    own_hourly = _rows_of(hourly, kit_id)
    figure.add_trace(
        go.Scatter(x=[t + middle for t in _local(own_hourly)], y=[r["value"] for r in own_hourly],
                   mode="lines+markers",
                   name=text("chart_daily" if resolution == "day" else "chart_hourly", language, quantity=label),
                   line={"color": HOURLY_COLOUR, "width": 6}, marker={"size": 7}, opacity=0.45, hovertemplate=hover)
    )  # fmt: skip
    times, values = with_gaps(_local(own_raw), [r["value"] for r in own_raw])
    figure.add_trace(
        go.Scatter(x=times, y=values, mode="lines", name=text("chart_raw", language, quantity=label),
                   line={"color": RAW_COLOUR, "width": 1.2}, connectgaps=False, hovertemplate=hover)
    )  # fmt: skip
    flagged = [r for r in own_raw if r.get("flags")]
    figure.add_trace(
        go.Scatter(x=_local(flagged), y=[r["value"] for r in flagged], mode="markers",
                   name=text("chart_flagged", language),
                   marker={"symbol": "x", "size": 9, "color": FLAG_COLOUR, "line": {"width": 1}},
                   customdata=[flag_words(r.get("flags") or 0, language) for r in flagged],
                   hovertemplate=f"%{{y:.{q.decimals}f}} {q.unit}, %{{customdata}}<extra></extra>",
                   visible=True if flagged else "legendonly")
    )  # fmt: skip
    others = [k for k in dict.fromkeys(r["kit_id"] for r in hourly) if k != kit_id]
    for colour, other in zip(COMPARE_COLOURS, others, strict=False):
        rows = _rows_of(hourly, other)
        figure.add_trace(
            go.Scatter(x=[t + middle for t in _local(rows)], y=[r["value"] for r in rows],
                       mode="lines",
                       name=text("chart_compare", language, name=names.get(other, other), mean=mean_name),
                       line={"color": colour, "width": 2, "dash": "dot"}, hovertemplate=hover)
        )  # fmt: skip
    who = WHO_2021_24H_AQG.get(quantity)
    if who is not None:
        figure.add_hline(
            y=who,
            line={"color": WHO_COLOUR, "dash": "dash", "width": 1.5},
            annotation={
                "text": text("who_line", language, quantity=label, value=format_number(who, language, 0), unit=q.unit),
                "xanchor": "left", "x": 0, "yanchor": "bottom", "font": {"size": 12, "color": WHO_COLOUR},
            },
        )  # fmt: skip
    name = names.get(kit_id, kit_id)
    title = (
        text("chart_title", language, name=name, quantity=label, span=text(f"range_{span}", language))
        if own_raw or own_hourly
        else text("chart_no_readings", language, name=name, span=text(f"range_{span}", language))
    )
    formats = TIME_FORMATS[language_or_default(language)]
    figure.update_layout(
        title={"text": title, "x": 0.01},
        # Explicit date formats: plotly's default English month names would show in the Dutch page.
        xaxis={"title": {"text": text("axis_time", language)}, "tickformat": formats[0], "hoverformat": formats[1]},
        yaxis={"title": {"text": text("axis_value", language, quantity=label, unit=q.unit)},
               "rangemode": "tozero" if quantity not in ("t", "p") else "normal"},
        legend={"orientation": "h", "y": -0.3},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=420,
        plot_bgcolor="white",
        hovermode="x unified",
        separators=",." if language_or_default(language) == "nl" else ".,",
    )  # fmt: skip
    figure.update_xaxes(gridcolor="#e6e6e6")
    figure.update_yaxes(gridcolor="#e6e6e6")
    return figure


def corrected_trace(
    rows: list[dict[str, Any]], kit_id: str, quantity: str, language: str, resolution: str = "hour"
) -> tuple[go.Scatter | None, str | None]:
    """The kit's corrected means (the API's corrected_value, named with its method version) as a trace, or None
    with the sentence why there are none (the API's correction_reason): never the raw means in their place."""
    own = [r for r in _rows_of(rows, kit_id) if "corrected_value" in r]
    valued = [r for r in own if r["corrected_value"] is not None]
    if not valued:
        reason = next((r.get("correction_reason") for r in own if r.get("correction_reason")), None)
        return None, text("chart_no_corrected", language, reason=reason or text("hover_no_value", language))
    q = BY_KEY[quantity]
    label = q.label_en if language == "en" else q.label_nl
    methods = ", ".join(dict.fromkeys(r["correction"] for r in valued if r.get("correction")))
    middle = timedelta(hours=12) if resolution == "day" else timedelta(minutes=30)
    times = [t + middle for t in _local(own)]
    trace = go.Scatter(
        x=times, y=[r["corrected_value"] for r in own], mode="lines+markers", connectgaps=False,
        name=text("chart_corrected", language, quantity=label, method=methods),
        line={"color": "#2ca25f", "width": 2.5}, marker={"size": 5},
        hovertemplate=f"%{{y:.{q.decimals}f}} {q.unit}<extra>%{{fullData.name}}</extra>",
    )  # fmt: skip
    return trace, None


def message_figure(message: str) -> go.Figure:
    """An empty chart carrying one sentence, for 'click a kit' and error states."""
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=160,
        plot_bgcolor="white",
        margin={"l": 20, "r": 20, "t": 20, "b": 20},
        annotations=[
            {"text": "<br>".join(textwrap.wrap(message, 60)), "showarrow": False, "xref": "paper", "yref": "paper",
             "x": 0.5, "y": 0.5, "font": {"size": 15}}
        ],
    )  # fmt: skip
    return figure
