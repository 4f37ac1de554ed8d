"""The pollution rose and the CPF rose (pure): a /v1/direction answer in, a plotly figure out.

Drawn with plain `scatter` wedges on hidden axes (north up, clockwise), so the dashboard's partial plotly.js needs no
polar traces and the first view stays as small as it is. A wedge points to where the wind came FROM; a dashed line
points towards each known source (its bearing from the place, from the API), with the angle its outline spans shaded.
"""

import math
from typing import Any

import plotly.graph_objects as go

from dashboard.i18n import format_number, language_or_default, text
from dashboard.kit_chart import message_figure
from dashboard.legend import quantity_label
from dashboard.wind import sector
from ijlucht.quantities import BY_KEY

MEAN_COLOUR = "#1f4e9c"
CPF_COLOUR = "#d55e00"
EMITTER_COLOUR = "#7a1f1f"
RING_COLOUR = "#c8c8c8"
COMPASS = {"nl": ("N", "O", "Z", "W"), "en": ("N", "E", "S", "W")}
ARC_STEPS = 6  # points along each wedge's outer arc


def xy(radius: float, degrees: float) -> tuple[float, float]:
    """Cartesian point of a compass direction (degrees clockwise from north, north up)."""
    angle = math.radians(degrees)
    return radius * math.sin(angle), radius * math.cos(angle)


def wedge(radius: float, from_deg: float, to_deg: float) -> tuple[list[float], list[float]]:
    """A closed pie slice from the centre between two compass directions (across north when from > to)."""
    span = (to_deg - from_deg) % 360 or 360
    points = [xy(radius, from_deg + span * i / ARC_STEPS) for i in range(ARC_STEPS + 1)]
    xs, ys = [0.0, *(p[0] for p in points), 0.0], [0.0, *(p[1] for p in points), 0.0]
    return xs, ys


def all_speed_rows(results: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The rows over all wind speeds (speed_from and speed_to both null) that have a `key` value."""
    return [
        r
        for r in results
        if r.get("speed_from") is None and r.get("speed_to") is None and r.get(key) is not None and r.get("hours")
    ]


def nice_rings(top: float) -> list[float]:
    """Three or four round radii up to `top` for the rings."""
    if top <= 0:
        return []
    step = 10 ** math.floor(math.log10(top / 3))
    for factor in (1, 2, 2.5, 5, 10):
        if top / (step * factor) <= 4:
            step *= factor
            break
    return [step * i for i in range(1, int(top / step) + 1)]


def rose_figure(body: dict[str, Any], language: str, kind: str = "mean") -> go.Figure:
    """The pollution rose (`kind` "mean": the mean per sector) or the CPF rose ("cpf": the share of a sector's hours
    above the percentile threshold) of a /v1/direction answer, with the emitters' bearings."""
    language = language_or_default(language)
    meta, results = body.get("meta") or {}, body.get("results") or []
    quantity = meta.get("quantity", "pm25")
    q = BY_KEY.get(quantity)
    label = quantity_label(quantity, language) if q else quantity
    unit = meta.get("unit") or (q.unit if q else "")
    rows = all_speed_rows(results, kind)
    if not rows:
        return message_figure(text("rose_empty", language))
    values = [max(float(r[kind]), 0.0) for r in rows]  # a regional-background mean can be below zero: no wedge
    top = max(values) or 1.0
    colour = CPF_COLOUR if kind == "cpf" else MEAN_COLOUR
    figure = go.Figure()
    _add_emitter_spans(figure, meta.get("emitters") or [], top)
    _add_rings(figure, top, kind, language)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for row, value in zip(rows, values, strict=True):
        wx, wy = wedge(value, row["from_deg"], row["to_deg"])
        xs += [*wx, None]
        ys += [*wy, None]
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour, opacity=0.75,
                                line={"color": "white", "width": 1}, hoverinfo="skip", showlegend=False,
                                name=text("rose_cpf" if kind == "cpf" else "rose_mean", language)))  # fmt: skip
    tips = [xy(v, r["centre_deg"]) for r, v in zip(rows, values, strict=True)]
    hover = [_hover(r, kind, q.decimals if q else 1, unit, language) for r in rows]
    figure.add_trace(go.Scatter(x=[t[0] for t in tips], y=[t[1] for t in tips], mode="markers", name="sectors",
                                marker={"size": 9, "color": colour}, hovertext=hover, showlegend=False,
                                hovertemplate="%{hovertext}<extra></extra>"))  # fmt: skip
    _add_emitter_lines(figure, meta.get("emitters") or [], top, language)
    for label_text, degrees in zip(COMPASS[language], (0, 90, 180, 270), strict=True):
        x, y = xy(top * 1.22, degrees)
        figure.add_annotation(x=x, y=y, text=f"<b>{label_text}</b>", showarrow=False, font={"size": 13})
    if kind == "cpf":
        threshold = format_number(float(meta.get("threshold") or 0), language)
        title = text("cpf_title", language, quantity=label, threshold=threshold, unit=unit,
                     percentile=meta.get("percentile", 75))  # fmt: skip
    else:
        title = text("rose_title", language, quantity=label)
    reach = top * 1.35
    figure.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}},
        xaxis={"visible": False, "range": [-reach, reach], "fixedrange": True},
        yaxis={"visible": False, "range": [-reach, reach], "scaleanchor": "x", "fixedrange": True},
        height=400, margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white", showlegend=False,
        separators=",." if language == "nl" else ".,",
    )  # fmt: skip
    return figure


def _hover(row: dict[str, Any], kind: str, decimals: int, unit: str, language: str) -> str:
    words = text("rose_hover", language, sector=sector(row["centre_deg"], language), hours=row["hours"])
    if kind == "cpf":
        return f"{words}<br>{text('rose_cpf', language)}: {format_number(100 * row['cpf'], language, 0)}%"
    lines = [f"{text('rose_mean', language)}: {format_number(row['mean'], language, decimals)} {unit}"]
    lines += [f"P{p}: {format_number(row[f'p{p}'], language, decimals)} {unit}" for p in (50, 90)
              if row.get(f"p{p}") is not None]  # fmt: skip
    return "<br>".join([words, *lines])


def _add_rings(figure: go.Figure, top: float, kind: str, language: str) -> None:
    for radius in nice_rings(top):
        points = [xy(radius, d) for d in range(0, 361, 10)]
        figure.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="lines",
                                    line={"color": RING_COLOUR, "width": 1, "dash": "dot"}, hoverinfo="skip",
                                    showlegend=False, name="ring"))  # fmt: skip
        shown = f"{format_number(100 * radius, language, 0)}%" if kind == "cpf" else format_number(radius, language)
        x, y = xy(radius, 157.5)
        figure.add_annotation(x=x, y=y, text=shown, showarrow=False, font={"size": 10, "color": "#666"})


def _add_emitter_spans(figure: go.Figure, emitters: list[dict[str, Any]], top: float) -> None:
    for emitter in emitters:
        if emitter.get("inside") or emitter.get("span_from_deg") is None:
            continue
        xs, ys = wedge(top * 1.1, emitter["span_from_deg"], emitter["span_to_deg"])
        figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor="rgba(122,31,31,0.08)",
                                    line={"width": 0}, hoverinfo="skip", showlegend=False, name="span"))  # fmt: skip


def _add_emitter_lines(figure: go.Figure, emitters: list[dict[str, Any]], top: float, language: str) -> None:
    for emitter in emitters:
        if emitter.get("inside") or emitter.get("bearing_deg") is None:
            continue
        km = format_number(float(emitter.get("distance_km") or 0), language)
        name = text("rose_emitter", language, name=emitter.get("name") or emitter.get("id"), km=km)
        x, y = xy(top * 1.1, emitter["bearing_deg"])
        figure.add_trace(go.Scatter(x=[0, x], y=[0, y], mode="lines", name=name, showlegend=False,
                                    line={"color": EMITTER_COLOUR, "width": 2, "dash": "dash"},
                                    hovertemplate=f"{name}<extra></extra>"))  # fmt: skip
        figure.add_annotation(x=x, y=y, text=emitter.get("name") or emitter.get("id"), showarrow=False,
                              font={"size": 11, "color": EMITTER_COLOUR}, bgcolor="rgba(255,255,255,0.8)",
                              xanchor="left" if x >= 0 else "right")  # fmt: skip


def rose_notes(body: dict[str, Any], language: str) -> list[str]:
    """Sentences under the roses: calm, variable and missing-wind hours, and each source the place lies in or next
    to (no bearing to draw)."""
    language = language_or_default(language)
    meta = body.get("meta") or {}
    q = BY_KEY.get(meta.get("quantity", "pm25"))
    calm, variable = meta.get("calm") or {}, meta.get("variable") or {}
    mean = calm.get("mean")
    notes = [
        text("rose_calm", language, hours=calm.get("hours", 0),
             mean=format_number(mean, language, q.decimals if q else 1) if mean is not None else "–",
             unit=meta.get("unit", ""), variable=variable.get("hours", 0), missing=meta.get("missing_wind_hours", 0))
    ]  # fmt: skip
    for emitter in meta.get("emitters") or []:
        if emitter.get("inside"):
            notes.append(text("rose_inside", language, name=emitter.get("name") or emitter.get("id")))
    return notes
