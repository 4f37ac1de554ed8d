"""The subscribe form: an e-mail address, an area or the clicked kit, and when (an episode, or a band lasting some
hours); posted to /v1/alerts/subscriptions, whose answer is shown (202: a confirmation mail went out)."""

import re
from typing import Any

from dash import Dash, Input, Output, State, html, no_update

from dashboard.api_client import ApiClient, ApiError, checked_place
from dashboard.i18n import language_or_default, text
from dashboard.science_layout import ALERT_TRIGGERS, DEFAULT_ALERT_HOURS
from ijlucht import geo
from ijlucht.bands import DEFAULT_SCALE, SCALES

ALERT_QUANTITIES = ("pm25", "pm10")  # what the alert rules watch
DEFAULT_BAND = 3  # "moderate" on the default scale
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")  # a first check only: the API and the confirmation mail decide


def target_options(selected: Any, language: str) -> list[dict[str, str]]:
    """The clicked kit (if any), then the municipalities and districts."""
    options = []
    if isinstance(selected, dict) and isinstance(selected.get("kit_id"), str):
        kit_id = selected["kit_id"]
        options.append({"label": f"{text('place_kit', language)}: {selected.get('name') or kit_id}",
                        "value": f"kit:{kit_id}"})  # fmt: skip
    for level in geo.LEVELS:
        options += [{"label": f"{text('place_area', language)}: {a.name}", "value": f"area:{a.code}"}
                    for a in geo.areas(level)]  # fmt: skip
    return options


def band_options(language: str, quantity: str = "pm25") -> list[dict[str, Any]]:
    """The bands of the default scale from the second up ('fair or worse' … ), by index."""
    return [{"label": b.name(language), "value": b.index} for b in SCALES[DEFAULT_SCALE].bands[quantity][1:]]


def subscription_form(
    email: Any, target: Any, trigger: Any, band: Any, hours: Any, language: str, quantity: str = "pm25"
) -> dict[str, Any] | str:
    """The request body (the alert's mails in the page's language, bands of the default scale), or the text key of
    what is wrong with the form."""
    if not isinstance(email, str) or not EMAIL.fullmatch(email.strip()):
        return "alerts_bad_email"
    try:
        target = checked_place(target, ("kit", "area"))
    except ApiError:
        return "alerts_no_target"
    form: dict[str, Any] = {"email": email.strip(), "target": target, "language": language, "quantity": quantity,
                            "trigger": trigger if trigger in ALERT_TRIGGERS else "episode"}  # fmt: skip
    if form["trigger"] == "band":  # the API checks the band and hours and says what is wrong
        form["scale"] = DEFAULT_SCALE
        form["band"] = band if isinstance(band, int) and not isinstance(band, bool) else DEFAULT_BAND
        form["hours"] = hours if isinstance(hours, int) and not isinstance(hours, bool) else DEFAULT_ALERT_HOURS
    return form


def register(app: Dash, client: ApiClient) -> None:
    @app.callback(
        Output("alerts-target", "options"),
        Output("alerts-target", "value"),
        Output("alerts-band", "options"),
        Output("alerts-band", "value"),
        Input("analysis-view", "value"),
        Input("language", "value"),
        State("selected-kit", "data"),
        State("analysis-place", "value"),
        State("alerts-target", "value"),
        State("alerts-band", "value"),
        prevent_initial_call=True,
    )
    def fill_form(view: Any, language: Any, selected: Any, place: Any, target: Any, band: Any) -> tuple:
        if view != "alerts":
            return (no_update,) * 4
        language = language_or_default(language)
        options = target_options(selected, language)
        values = {o["value"] for o in options}
        chosen = target if target in values else place if place in values else None
        bands = band_options(language)
        return options, chosen, bands, band if band is not None else DEFAULT_BAND

    @app.callback(Output("alerts-band-row", "hidden"), Input("alerts-trigger", "value"))
    def band_row(trigger: Any) -> bool:
        return trigger != "band"

    @app.callback(
        Output("alerts-answer", "children"),
        Input("alerts-submit", "n_clicks"),
        State("alerts-email", "value"),
        State("alerts-target", "value"),
        State("alerts-trigger", "value"),
        State("alerts-band", "value"),
        State("alerts-hours", "value"),
        State("language", "value"),
        State("quantity", "value"),
        prevent_initial_call=True,
    )
    def submit(_n, email, target, trigger, band, hours, language, quantity) -> Any:
        language = language_or_default(language)
        quantity = quantity if quantity in ALERT_QUANTITIES else ALERT_QUANTITIES[0]
        form = subscription_form(email, target, trigger, band, hours, language, quantity)
        if isinstance(form, str):
            return html.Span(text(form, language), className="refused")
        try:
            status, detail = client.subscribe(form)
        except ApiError as exc:
            return html.Span(text("alerts_refused", language, detail=str(exc)), className="refused")
        if status in (200, 201, 202):
            return html.Span(text("alerts_sent", language, email=form["email"]), className="sent")
        return html.Span(text("alerts_refused", language, detail=detail or str(status)), className="refused")
