"""The "wind and sources" view of a kit or station: the pollution rose and the CPF rose from /v1/direction, each
with its sentence, and the downwind difference per source from /v1/exposure. Fetched only when the view is open."""

from typing import Any

from dash import Dash, Input, Output, dcc, html

from dashboard.api_client import ApiClient, ApiError
from dashboard.callbacks.analysis import chosen_place
from dashboard.figures.rose import rose_figure, rose_notes
from dashboard.i18n import format_number, language_or_default, text
from dashboard.layout import DEFAULT_QUANTITY, PROFILE_CONFIG, choice
from dashboard.legend import quantity_label
from dashboard.markers import QUANTITY_CHOICES
from dashboard.periods import period_bounds
from ijlucht.quantities import BY_KEY

SECTORS = 12  # 30° each: enough hours per sector in a month of data, fine enough to point at the works


def exposure_sentences(
    rows: list[dict[str, Any]], emitters: dict[str, str], language: str, quantity: str, background: str = "none"
) -> list:
    """One sentence per source over all wind speeds: the share of downwind hours, the means (above the regional
    background when the API subtracted it), the increment and its 95 % interval, all as the API gave them."""
    q = BY_KEY[quantity]
    out = []
    for row in rows:
        if row.get("speed_from") is not None or row.get("speed_to") is not None:
            continue
        name = emitters.get(row.get("emitter"), row.get("emitter"))
        hours = sum(int(row.get(k) or 0) for k in ("downwind_hours", "upwind_hours", "crosswind_hours", "calm_hours"))
        if not row.get("downwind_hours") or row.get("increment") is None:
            out.append(html.P(text("exposure_none", language, name=name), className="exposure-line"))
            continue
        n = _numbers(row, language, q.decimals)
        share = f"{format_number(100 * row['downwind_hours'] / hours, language, 0)}%" if hours else "–"
        key = "exposure_line_regional" if background == "regional" else "exposure_line"
        out.append(html.P(text(key, language, name=name, share=share, down=n("mean_downwind"),
                               other=n("mean_otherwise"), increment=n("increment"), low=n("increment_low"),
                               high=n("increment_high"), unit=q.unit), className="exposure-line"))  # fmt: skip
    return out


def _numbers(row: dict[str, Any], language: str, decimals: int):
    def n(key: str) -> str:
        return "–" if row.get(key) is None else format_number(row[key], language, decimals)

    return n


def register(app: Dash, client: ApiClient) -> None:
    @app.callback(
        Output("direction-body", "children"),
        Input("analysis-view", "value"),
        Input("analysis-place", "value"),
        Input("analysis-period", "value"),
        Input("quantity", "value"),
        Input("language", "value"),
        prevent_initial_call=True,
    )
    def show_direction(view: Any, place: Any, period: Any, quantity: Any, language: Any) -> list:
        if view != "direction":
            return []  # nothing is asked until the view is chosen
        language = language_or_default(language)
        quantity = choice(quantity, QUANTITY_CHOICES, DEFAULT_QUANTITY)
        checked, problem = chosen_place(place, ("kit", "station"), language)
        if problem:
            return [html.P(problem, className="analysis-message")]
        start, end = period_bounds(period)
        try:
            body = client.direction(checked, quantity, start, end, sectors=SECTORS)
        except ApiError as exc:
            return [html.P(text("analysis_failed", language, detail=str(exc)), className="analysis-message")]
        try:  # the roses stand without the exposure sentences
            exposure = client.exposure(checked, quantity, start, end)
        except ApiError:
            exposure = {}
        label = quantity_label(quantity, language)
        emitters = {e.get("id"): e.get("name") or e.get("id") for e in (body.get("meta") or {}).get("emitters") or []}
        return [
            html.Div(
                className="roses",
                children=[
                    html.Figure(
                        [
                            dcc.Graph(
                                id="rose-mean", figure=rose_figure(body, language, "mean"), config=PROFILE_CONFIG
                            ),
                            html.Figcaption(text("rose_caption", language, quantity=label), className="figure-caption"),
                        ]
                    ),
                    html.Figure(
                        [
                            dcc.Graph(id="rose-cpf", figure=rose_figure(body, language, "cpf"), config=PROFILE_CONFIG),
                            html.Figcaption(text("cpf_caption", language), className="figure-caption"),
                        ]
                    ),
                ],
            ),
            *(html.P(note, className="rose-note") for note in rose_notes(body, language)),
            *exposure_sentences(
                exposure.get("results") or [],
                emitters,
                language,
                quantity,
                (exposure.get("meta") or {}).get("background", "none"),
            ),
        ]
