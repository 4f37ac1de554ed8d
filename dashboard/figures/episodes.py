"""Episodes (pure): /v1/episodes rows in, shading for the kit chart and a strip under the time slider out.

Regional episodes (many places high together) are shaded grey, local ones (one place high above the regional
background, with the wind from a source) orange. The shading says when; the API's kind and emitter say the rest.
"""

from datetime import datetime
from typing import Any

import plotly.graph_objects as go
from dash import html

from dashboard.i18n import format_number, format_time, local_time, parse_time, text

COLOURS = {"regional": "rgba(110,110,110,0.18)", "local": "rgba(230,159,0,0.28)"}
STRIP_COLOURS = {"regional": "#8c8c8c", "local": "#e69f00"}


def episode_name(episode: dict[str, Any], language: str, emitters: dict[str, str] | None = None) -> str:
    """'episode (regional)' or 'episode (local, wind from Tata Steel IJmuiden)'."""
    if episode.get("kind") != "local":
        return text("episode_regional", language)
    emitter = episode.get("emitter")
    named = text("episode_from", language, name=(emitters or {}).get(emitter, emitter)) if emitter else ""
    return text("episode_local", language, emitter=named)


def kind_name(kind: str, language: str) -> str:
    """'episode (regional)' or 'episode (local)': the legend's words for a kind."""
    return text("episode_local", language, emitter="") if kind == "local" else text("episode_regional", language)


def episode_hover(episode: dict[str, Any], language: str, unit: str, emitters: dict[str, str] | None = None) -> str:
    peak = episode.get("peak_value")
    return text(
        "episode_hover", language, kind=episode_name(episode, language, emitters),
        start=format_time(episode["start"], language), end=format_time(episode["end"], language),
        peak="–" if peak is None else format_number(peak, language), unit=unit,
        place=str(episode.get("peak_place") or "–"),
    )  # fmt: skip


def add_episodes(
    figure: go.Figure, episodes: list[dict[str, Any]], language: str, unit: str, emitters: dict[str, str] | None = None
) -> go.Figure:
    """Shade each episode behind the lines of a time chart (local time, as the kit chart draws), with one legend
    entry per kind shown and the episode's words in the hover of a marker at its top."""
    shown: set[str] = set()
    for episode in episodes:
        if not episode.get("start") or not episode.get("end"):
            continue
        kind = "local" if episode.get("kind") == "local" else "regional"
        x0, x1 = local_time(episode["start"]), local_time(episode["end"])
        figure.add_shape(type="rect", xref="x", yref="paper", x0=x0, x1=x1, y0=0, y1=1, layer="below",
                         fillcolor=COLOURS[kind], line={"width": 0}, name=f"episode-{kind}")  # fmt: skip
        figure.add_trace(go.Scatter(
            x=[x0 + (x1 - x0) / 2], y=[episode.get("peak_value")], mode="markers", name=kind_name(kind, language),
            marker={"symbol": "triangle-down", "size": 10, "color": STRIP_COLOURS[kind]},
            hovertext=[episode_hover(episode, language, unit, emitters)], hovertemplate="%{hovertext}<extra></extra>",
            showlegend=kind not in shown, legendgroup=f"episode-{kind}",
        ))  # fmt: skip
        shown.add(kind)
    return figure


def timeline_strip(
    episodes: list[dict[str, Any]],
    start: datetime,
    end: datetime,
    language: str,
    unit: str,
    emitters: dict[str, str] | None = None,
) -> list:
    """Segments over a strip as wide as the time slider (start..end): one per episode, placed by percentage, with
    the episode in words as its title (hover) and for screen readers."""
    total = (end - start).total_seconds()
    segments = []
    for episode in episodes:
        if not episode.get("start") or not episode.get("end") or total <= 0:
            continue
        a = max(0.0, (parse_time(episode["start"]) - start).total_seconds() / total)
        b = min(1.0, (parse_time(episode["end"]) - start).total_seconds() / total)
        if b <= a:
            continue
        kind = "local" if episode.get("kind") == "local" else "regional"
        words = episode_hover(episode, language, unit, emitters)
        segments.append(html.Span(className=f"episode-segment {kind}", title=words, **{"aria-label": words},
                                  style={"left": f"{100 * a:.2f}%", "width": f"{max(100 * (b - a), 0.6):.2f}%",
                                         "backgroundColor": STRIP_COLOURS[kind]}))  # fmt: skip
    return segments
