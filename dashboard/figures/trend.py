"""The trend and the before/after views (pure): /v1/trend, /v1/compare and /v1/events answers in, figures and
sentences out. The API computes the monthly means, slopes, normalisation and intervals; these only draw them."""

from typing import Any

import plotly.graph_objects as go
from dash import html

from dashboard.i18n import format_number, language_or_default, text
from dashboard.kit_chart import message_figure
from dashboard.legend import quantity_label
from ijlucht.quantities import BY_KEY

MONTHLY_COLOUR = "#1f4e9c"
DESEASONALISED_COLOUR = "#009e73"
NORMALISED_COLOUR = "#d55e00"
EVENT_COLOUR = "#7a1f1f"


def _label_unit(quantity: str, language: str, unit: str | None = None) -> tuple[str, str, int]:
    q = BY_KEY.get(quantity)
    return (
        (quantity_label(quantity, language) if q else quantity),
        unit or (q.unit if q else ""),
        q.decimals if q else 1,
    )


def _month(value: str) -> str:
    """'2023-04' or '2023-04-01T00:00:00Z' → '2023-04-01' (plotly draws a date axis from it)."""
    return value[:7] + "-01"


def trend_figure(
    body: dict[str, Any], events: list[dict[str, Any]], place_name: str, language: str, quantity: str
) -> go.Figure:
    """Monthly means, the deseasonalised and the weather-normalised line (those the API gave), and each event in the
    period as a dotted vertical line with its title (linked to its source)."""
    language = language_or_default(language)
    meta, rows = body.get("meta") or {}, body.get("results") or []
    label, unit, decimals = _label_unit(meta.get("quantity") or quantity, language, meta.get("unit"))
    rows = sorted((r for r in rows if r.get("month")), key=lambda r: r["month"])
    if not any(r.get("mean") is not None for r in rows):
        return message_figure(text("trend_empty", language))
    valued = [i for i, r in enumerate(rows) if r.get("mean") is not None]
    rows = rows[valued[0] : valued[-1] + 1]  # from the first to the last month with a mean
    months = [_month(r["month"]) for r in rows]
    hover = f"%{{y:.{decimals}f}} {unit}<extra>%{{fullData.name}}</extra>"
    figure = go.Figure()
    lines = (("mean", "trend_monthly", MONTHLY_COLOUR, "solid", "lines+markers"),
             ("deseasonalised", "trend_deseasonalised", DESEASONALISED_COLOUR, "dot", "lines"),
             ("normalised", "trend_normalised", NORMALISED_COLOUR, "solid", "lines"))  # fmt: skip
    for key, name, colour, dash, mode in lines:
        if any(r.get(key) is not None for r in rows):
            figure.add_trace(go.Scatter(x=months, y=[r.get(key) for r in rows], mode=mode, name=text(name, language),
                                        line={"color": colour, "dash": dash, "width": 2.5 if key != "mean" else 2},
                                        connectgaps=False, hovertemplate=hover))  # fmt: skip
    for number, event in enumerate(events_shown(rows, events), start=1):
        day = event["date"][:10]
        title = event.get("title_en" if language == "en" else "title_nl") or event.get("id", "")
        figure.add_shape(type="line", xref="x", yref="paper", x0=day, x1=day, y0=0, y1=1, name="event",
                         line={"color": EVENT_COLOUR, "dash": "dot", "width": 1.5})  # fmt: skip
        figure.add_annotation(x=day, y=1, xref="x", yref="paper", text=f"<b>{number}</b>", showarrow=False,
                              yanchor="bottom", font={"size": 12, "color": EVENT_COLOUR}, bgcolor="white",
                              bordercolor=EVENT_COLOUR, borderwidth=1, hovertext=f"{day}: {title}",
                              name="event")  # fmt: skip
    figure.update_layout(
        title={"text": text("trend_title", language, quantity=label, place=place_name), "x": 0.01},
        xaxis={"title": {"text": None}, "gridcolor": "#e6e6e6", "range": [months[0], months[-1]]},
        yaxis={"title": {"text": f"{label} ({unit})"}, "gridcolor": "#e6e6e6", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.15}, height=400, plot_bgcolor="white",
        margin={"l": 60, "r": 20, "t": 50, "b": 40}, hovermode="x unified",
        separators=",." if language == "nl" else ".,",
    )  # fmt: skip
    return figure


def events_shown(rows: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events dated between the first and the last month with a mean, oldest first: the chart numbers them and
    the page lists them with their source links under it."""
    valued = [r["month"][:7] for r in rows if r.get("month") and r.get("mean") is not None]
    if not valued:
        return []
    first, last = min(valued) + "-01", max(valued) + "-31"
    dated = [e for e in events if isinstance(e.get("date"), str) and first <= e["date"][:10] <= last]
    return sorted(dated, key=lambda e: e["date"])


def event_list(shown: list[dict[str, Any]], language: str) -> html.Ol | None:
    """The numbered events of the chart, each with its date and a link to its source."""
    if not shown:
        return None
    title = "title_en" if language_or_default(language) == "en" else "title_nl"
    return html.Ol(
        [html.Li([f"{e['date'][:10]}: {e.get(title) or e.get('id', '')} (",
                  html.A(text("trend_event_source", language), href=e.get("source_url"), target="_blank",
                         rel="noopener noreferrer"), ")"]) for e in shown],
        className="trend-events",
    )  # fmt: skip


def trend_sentences(body: dict[str, Any], language: str, quantity: str, emitters: dict[str, str]) -> list[str]:
    """The slope per year with its interval and method, or the API's note why there is none; then the slope of
    each source's downwind increment."""
    language = language_or_default(language)
    meta = body.get("meta") or {}
    _, unit, decimals = _label_unit(meta.get("quantity") or quantity, language, meta.get("unit"))

    def n(value: Any) -> str:
        return "–" if value is None else format_number(value, language, max(decimals, 1))

    if meta.get("slope_per_year") is None:
        sentences = [text("trend_no_slope", language, note=meta.get("note") or "–")]
    else:
        sentences = [text("trend_slope", language, slope=n(meta["slope_per_year"]), unit=unit,
                          low=n(meta.get("slope_low")), high=n(meta.get("slope_high")),
                          method=meta.get("method", ""))]  # fmt: skip
        if meta.get("note"):
            sentences.append(str(meta["note"]))
    for inc in meta.get("increments") or []:
        if inc.get("slope_per_year") is not None:
            name = emitters.get(inc.get("emitter"), inc.get("emitter"))
            sentences.append(text("trend_increment", language, name=name, slope=n(inc["slope_per_year"]), unit=unit,
                                  low=n(inc.get("slope_low")), high=n(inc.get("slope_high"))))  # fmt: skip
    return sentences


def compare_figure(results: list[dict[str, Any]], language: str, quantity: str, unit: str | None = None) -> go.Figure:
    """After minus before, measured and weather-normalised, each a point with its 95 % interval around a zero line."""
    language = language_or_default(language)
    label, unit, _ = _label_unit(quantity, language, unit)
    row = results[0] if results else {}
    items = [(text(name, language), row.get(key), row.get(low), row.get(high), colour)
             for name, key, low, high, colour in (
                 ("compare_measured", "difference", "low", "high", MONTHLY_COLOUR),
                 ("compare_normalised", "normalised_difference", "normalised_low", "normalised_high",
                  NORMALISED_COLOUR))
             if row.get(key) is not None]  # fmt: skip
    if not items:
        return message_figure(text("trend_empty", language))
    figure = go.Figure()
    for name, value, low, high, colour in items:
        error = {
            "type": "data",
            "symmetric": False,
            "array": [(high - value) if high is not None else 0],
            "arrayminus": [(value - low) if low is not None else 0],
            "color": colour,
            "thickness": 2,
            "width": 8,
        }
        figure.add_trace(go.Scatter(x=[value], y=[name], mode="markers", name=name, error_x=error,
                                    marker={"size": 12, "color": colour},
                                    hovertemplate=f"%{{x:.2f}} {unit}<extra>%{{y}}</extra>"))  # fmt: skip
    figure.add_vline(x=0, line={"color": "#555", "width": 1})
    figure.update_layout(
        title={"text": text("compare_title", language, quantity=label, unit=unit), "x": 0.01},
        xaxis={"zeroline": False, "gridcolor": "#e6e6e6", "title": {"text": unit}},
        yaxis={"automargin": True}, showlegend=False, height=240, plot_bgcolor="white",
        margin={"l": 20, "r": 20, "t": 50, "b": 40}, separators=",." if language == "nl" else ".,",
    )  # fmt: skip
    return figure


def compare_sentence(results: list[dict[str, Any]], language: str, quantity: str, unit: str | None = None) -> str:
    language = language_or_default(language)
    _, unit, decimals = _label_unit(quantity, language, unit)
    row = results[0] if results else {}

    def n(key: str) -> str:
        return "–" if row.get(key) is None else format_number(row[key], language, max(decimals, 1))

    return text("compare_line", language, before=n("before_mean"), after=n("after_mean"), unit=unit,
                difference=n("difference"), low=n("low"), high=n("high"), ndifference=n("normalised_difference"),
                nlow=n("normalised_low"), nhigh=n("normalised_high"))  # fmt: skip
