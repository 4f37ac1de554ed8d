"""The owner page `/kit/<id>?token=…&lang=nl|en`: a plain HTML page (no Dash callbacks) with what the API's owner
endpoint answers (/v1/owner/kits/<id>, authenticated by the owner token): online state, last message, signal,
backlog, firmware and update state, resets, failing sensors, recent rejects with what to do, the latest reading.

Below it the owner's own data: export (CSV or Parquet, streamed through from the API), move (a check step, then a new
version in the kit history) and delete (the two choices for the measurements stated before one is picked, then the
kit's name typed to confirm). Each form posts the token in its body; the dashboard sends it to the API in the
X-Owner-Token header, so no action puts it in a URL or an access log.

`render` is pure (the API's answer in, HTML out, every value escaped); `install` adds the Flask routes. The token
travels in the link the owner keeps, so the page is never cached and sends no Referer onwards.
"""

import math
import re
from collections.abc import Iterator
from html import escape
from typing import Any

import flask
import httpx

from dashboard.api_client import ApiClient, ApiError, ApiUnavailable
from ijlucht import owners
from ijlucht.contract import KIT_ID_PATTERN

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Uw kit",
        "online": "online",
        "offline": "offline",
        "never": "nog nooit",
        "last_seen": "Laatste bericht",
        "signal": "Wifi-signaal",
        "backlog": "Wachtende metingen",
        "firmware": "Firmware",
        "update": "Update",
        "update_took": "{version}: geïnstalleerd",
        "update_pending": "{version}: nog niet geïnstalleerd (de kit draait {firmware})",
        "no_update": "geen",
        "reset": "Laatste herstart",
        "sensors_failing": "Sensoren zonder meting",
        "none": "geen",
        "rejects": "Geweigerde berichten (7 dagen)",
        "no_rejects": "Geen: alles kwam goed aan.",
        "latest": "Laatste meting",
        "indoor": "binnen",
        "outdoor": "buiten",
        "waiting": "Wacht op goedkeuring door de beheerder: de kit kan nog niet verbinden.",
        "not_found": "Deze link hoort bij geen kit. Gebruik de link die u bij de aanmelding kreeg.",
        "unavailable": "De gegevens zijn nu niet bereikbaar; probeer het over een minuut opnieuw.",
        "delete": "Uw kit verwijderen: u kiest vooraf wat er met de metingen gebeurt",
        "keep": "Metingen bewaren",
        "remove": "Metingen verwijderen",
        "data": "Uw gegevens",
        "export": "Alle metingen van uw kit downloaden",
        "export_csv": "Download CSV",
        "export_parquet": "Download Parquet",
        "move": "De kit is verhuisd of veranderd",
        "move_help": "Vanaf nu geldt de nieuwe plaats (privé; op de kaart verschoven), hoogte, binnen/buiten en "
        "sensoren. Eerdere metingen blijven bij de plaats waar ze gemeten zijn.",
        "lat": "Breedtegraad",
        "lon": "Lengtegraad",
        "height_m": "Hoogte boven de grond (m, mag leeg)",
        "sensors": "Sensoren",
        "move_button": "Verder",
        "place": "Binnen of buiten",
        "move_check": "Klopt dit? De kit staat vanaf nu op {lat}, {lon}, {place}, hoogte {height}, sensoren: "
        "{sensors}.",
        "move_confirm": "Ja, de kit is verhuisd",
        "moved": "Opgeslagen: de kit staat vanaf {valid_from} in {area}. Eerdere metingen blijven waar ze waren.",
        "move_bad": "Dit kan niet worden opgeslagen:",
        "bad_position": "Vul breedte- en lengtegraad in als getallen (zoals 52.4874 en 4.6573).",
        "delete_button": "Verder naar verwijderen",
        "delete_check": "U koos: {choice} Dit kan niet ongedaan worden gemaakt. Typ de naam van de kit ({kit_id}) "
        "om te bevestigen.",
        "delete_confirm": "Kit definitief verwijderen",
        "delete_typed": "De getypte naam klopt niet; er is niets verwijderd.",
        "deleted": "Uw kit {kit_id} is verwijderd. {choice}",
        "back": "Terug naar uw kit",
        "cancel": "Annuleren",
    },
    "en": {
        "title": "Your kit",
        "online": "online",
        "offline": "offline",
        "never": "never",
        "last_seen": "Last message",
        "signal": "Wi-Fi signal",
        "backlog": "Readings waiting",
        "firmware": "Firmware",
        "update": "Update",
        "update_took": "{version}: installed",
        "update_pending": "{version}: not installed yet (the kit runs {firmware})",
        "no_update": "none",
        "reset": "Last restart",
        "sensors_failing": "Sensors giving nothing",
        "none": "none",
        "rejects": "Refused messages (7 days)",
        "no_rejects": "None: everything arrived well.",
        "latest": "Latest reading",
        "indoor": "indoors",
        "outdoor": "outdoors",
        "waiting": "Waiting for approval by the operator: the kit cannot connect yet.",
        "not_found": "This link belongs to no kit. Use the link you were given at registration.",
        "unavailable": "The data cannot be reached now; try again in a minute.",
        "delete": "Deleting your kit: you choose beforehand what happens to the measurements",
        "keep": "Keep the measurements",
        "remove": "Delete the measurements",
        "data": "Your data",
        "export": "Download all your kit's readings",
        "export_csv": "Download CSV",
        "export_parquet": "Download Parquet",
        "move": "The kit moved or changed",
        "move_help": "From now on the new place (private; shifted on the map), height, indoors/outdoors and "
        "sensors hold. Earlier readings stay with the place they were measured at.",
        "lat": "Latitude",
        "lon": "Longitude",
        "height_m": "Height above the ground (m, may be empty)",
        "sensors": "Sensors",
        "move_button": "Next",
        "place": "Indoors or outdoors",
        "move_check": "Is this right? From now on the kit is at {lat}, {lon}, {place}, height {height}, sensors: "
        "{sensors}.",
        "move_confirm": "Yes, the kit moved",
        "moved": "Saved: from {valid_from} the kit is in {area}. Earlier readings stay where they were.",
        "move_bad": "This cannot be saved:",
        "bad_position": "Fill in latitude and longitude as numbers (like 52.4874 and 4.6573).",
        "delete_button": "Next: delete",
        "delete_check": "You chose: {choice} This cannot be undone. Type the kit's name ({kit_id}) to confirm.",
        "delete_confirm": "Delete the kit for good",
        "delete_typed": "The name typed does not match; nothing was deleted.",
        "deleted": "Your kit {kit_id} is deleted. {choice}",
        "back": "Back to your kit",
        "cancel": "Cancel",
    },
}
LATEST_KEYS = (("pm25", "PM2.5", "µg/m³"), ("pm10", "PM10", "µg/m³"), ("t", "T", "°C"), ("rh", "RH", "%"))


def _row(label: str, value: object) -> str:
    return f"<tr><th scope='row'>{escape(label)}</th><td>{escape(str(value))}</td></tr>"


def render(view: dict[str, Any], lang: str, token: str = "") -> str:
    """The page for the owner endpoint's answer `view`, in `lang` (nl or en); with the owner `token`, the forms
    to export, move and delete the kit (each posts the token in its body, never in a URL)."""
    t = TEXTS[lang]
    health = view.get("health") or {}
    rows = [
        _row(t["last_seen"], view.get("last_seen") or t["never"]),
        _row(t["signal"], f"{health['signal_dbm']} dBm" if health.get("signal_dbm") is not None else "–"),
        _row(t["backlog"], health.get("backlog") if health.get("backlog") is not None else "–"),
        _row(t["firmware"], view.get("firmware") or "–"),
    ]
    update = view.get("update")
    if update:
        key = "update_took" if update.get("took") else "update_pending"
        rows.append(_row(t["update"], t[key].format(version=update["version"], firmware=view.get("firmware"))))
    else:
        rows.append(_row(t["update"], t["no_update"]))
    reset = health.get("reset_cause") or "–"
    rows.append(_row(t["reset"], f"{reset} ({health['reset_note']})" if health.get("reset_note") else reset))
    failing = health.get("sensors_failing") or []
    rows.append(_row(t["sensors_failing"], ", ".join(failing) if failing else t["none"]))
    latest = view.get("latest") or {}
    shown = [f"{name} {latest[k]} {unit}" for k, name, unit in LATEST_KEYS if latest.get(k) is not None]
    if shown:
        rows.append(_row(t["latest"], " · ".join(shown) + f" ({latest.get('time')})"))
    rejects = view.get("rejects") or []
    items = "".join(
        f"<li><p>{escape(str(r['received_at']))}: <code>{escape(r['reason'])}</code></p>"
        f"<p>{escape(r['advice'])}</p></li>"
        for r in rejects
    )
    state = t["online"] if view.get("online") else t["offline"]
    place = t["indoor"] if view.get("indoor") else t["outdoor"]
    waiting = f"<p role='status'>{escape(t['waiting'])}</p>" if view.get("approval_pending") else ""
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(t['title'])}: {escape(view['kit_id'])}</title></head><body><main>"
        f"<h1>{escape(t['title'])}: {escape(view.get('name') or view['kit_id'])}</h1>"
        f"<p><strong class='state'>{escape(state)}</strong> · {escape(place)} · {escape(view['kit_id'])}</p>{waiting}"
        f"<table>{''.join(rows)}</table>"
        f"<h2>{escape(t['rejects'])}</h2>"
        + (f"<ul>{items}</ul>" if rejects else f"<p>{escape(t['no_rejects'])}</p>")
        + (_actions(view, t, lang, token) if token else _choices(view.get("delete_choices") or {}, t))
        + "</main></body></html>"
    )


def _choices(choices: dict[str, str], t: dict[str, str]) -> str:
    """What deleting the kit does with each choice, as the API states it (docs/privacy.md)."""
    if not choices:
        return ""
    items = "".join(
        f"<dt>{escape(t[label])} (<code>measurements={escape(key)}</code>)</dt><dd>{escape(choices[key])}</dd>"
        for key, label in (("keep", "keep"), ("delete", "remove"))
        if key in choices
    )
    return f"<h2>{escape(t['delete'])}</h2><dl>{items}</dl>"


def _hidden(token: str, lang: str, **more: str) -> str:
    fields = {"token": token, "lang": lang, **more}
    return "".join(f"<input type='hidden' name='{k}' value='{escape(v)}'>" for k, v in fields.items())


def _actions(view: dict[str, Any], t: dict[str, str], lang: str, token: str) -> str:
    """Export, move and delete: forms posting to the dashboard, which sends the token to the API in its header."""
    kit = escape(view["kit_id"])
    export = f"<h3>{escape(t['export'])}</h3>" + "".join(
        f"<form method='post' action='/kit/{kit}/export' class='inline'>{_hidden(token, lang, format=fmt)}"
        f"<button type='submit' id='export-{fmt}'>{escape(t['export_' + fmt])}</button></form>"
        for fmt in ("csv", "parquet")
    )
    current = set(view.get("sensors") or [])
    sensors = "".join(
        f"<label><input type='checkbox' name='sensors' value='{escape(n)}'{' checked' if n in current else ''}> "
        f"{escape(n)}</label> "
        for n in owners.supported_sensors()
    )
    indoor = bool(view.get("indoor"))
    move = (
        f"<h3>{escape(t['move'])}</h3><p>{escape(t['move_help'])}</p>"
        f"<form method='post' action='/kit/{kit}/move' id='move-form'>{_hidden(token, lang, step='check')}"
        f"<label>{escape(t['lat'])} <input type='text' inputmode='decimal' name='lat' id='move-lat'></label> "
        f"<label>{escape(t['lon'])} <input type='text' inputmode='decimal' name='lon' id='move-lon'></label> "
        f"<label>{escape(t['height_m'])} <input type='text' inputmode='decimal' name='height_m' id='move-height'>"
        f"</label><fieldset><legend>{escape(t['place'])}</legend>"
        f"<label><input type='radio' name='indoor' value='outdoor'{'' if indoor else ' checked'}> "
        f"{escape(t['outdoor'])}</label> "
        f"<label><input type='radio' name='indoor' value='indoor'{' checked' if indoor else ''}> "
        f"{escape(t['indoor'])}</label></fieldset>"
        f"<fieldset><legend>{escape(t['sensors'])}</legend>{sensors}</fieldset>"
        f"<button type='submit' id='move'>{escape(t['move_button'])}</button></form>"
    )
    choices = view.get("delete_choices") or {}
    options = "".join(
        f"<p><label><input type='radio' name='measurements' value='{key}' id='delete-{key}'"
        f"{' checked' if i == 0 else ''}> <strong>{escape(t[label])}</strong></label><br>"
        f"<span id='delete-{key}-says'>{escape(choices[key])}</span></p>"
        for i, (key, label) in enumerate((("keep", "keep"), ("delete", "remove")))
        if key in choices
    )
    delete = (
        f"<h3>{escape(t['delete'])}</h3>"
        f"<form method='post' action='/kit/{kit}/delete' id='delete-form'>{_hidden(token, lang, step='check')}"
        f"{options}<button type='submit' id='delete'>{escape(t['delete_button'])}</button></form>"
    )
    return f"<h2>{escape(t['data'])}</h2>{export}{move}{delete}"


def message_page(text: str, lang: str) -> str:
    head = f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'></head>"
    return f"{head}<body><p>{escape(text)}</p></body></html>"


def step_page(lang: str, text: str, form: str = "", back: str = "") -> str:
    """A step of moving or deleting: what happens (or happened), the form that does it, the way back."""
    t = TEXTS[lang]
    link = f"<p><a id='back' href='{escape(back)}'>{escape(t['back'])}</a></p>" if back else ""
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(t['title'])}</title></head><body><main><p role='status' id='step'>{escape(text)}</p>"
        f"{form}{link}</main></body></html>"
    )


def _number(value: str) -> float | None:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def move_body(form: Any) -> dict[str, Any] | None:
    """The API's move body from the posted form; None when the position is not two numbers."""
    lat, lon = _number(form.get("lat", "")), _number(form.get("lon", ""))
    if lat is None or lon is None:
        return None
    body: dict[str, Any] = {"lat": lat, "lon": lon, "indoor": form.get("indoor") == "indoor"}
    height = form.get("height_m", "").strip()
    if height:
        body["height_m"] = _number(height) if _number(height) is not None else -1.0  # the API says why
    sensors = form.getlist("sensors")
    if sensors:
        body["sensors"] = sensors
    return body


def _refusal(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return str(response.status_code)
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(x) for x in d.get('loc', [])[1:])}: {d.get('msg', '')}" for d in detail)
    return str(detail)


HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "Content-Type": "text/html; charset=utf-8"}


def install(server: flask.Flask, client: ApiClient, default_lang: str) -> None:
    """Serve /kit/<kit_id> on the dashboard's Flask server, with its export, move and delete steps."""

    def language(source: Any) -> str:
        lang = source.get("lang", default_lang)
        return lang if lang in TEXTS else default_lang

    def page(text_key: str, lang: str, status: int) -> flask.Response:
        return flask.Response(message_page(TEXTS[lang][text_key], lang), status, HEADERS)

    def checked(kit_id: str, token: str) -> bool:
        return bool(KIT_ID_PATTERN.fullmatch(kit_id) and TOKEN.fullmatch(token))

    @server.route("/kit/<kit_id>")
    def owner_page(kit_id: str) -> flask.Response:
        lang = language(flask.request.args)
        token = flask.request.args.get("token", "")
        if not checked(kit_id, token):
            return page("not_found", lang, 404)
        try:
            view = client.owner_kit(kit_id, token)
        except ApiUnavailable:
            return page("unavailable", lang, 503)
        except ApiError:
            return page("not_found", lang, 404)
        return flask.Response(render(view, lang, token), 200, HEADERS)

    # The actions post the token in the form's body: it stays out of URLs (and so out of access logs and
    # histories); the dashboard hands it to the API in the X-Owner-Token header.
    @server.route("/kit/<kit_id>/export", methods=["POST"])
    def owner_export(kit_id: str) -> flask.Response:
        form = flask.request.form
        lang, token, fmt = language(form), form.get("token", ""), form.get("format", "csv")
        if not checked(kit_id, token) or fmt not in ("csv", "parquet"):
            return page("not_found", lang, 404)
        try:
            answer = client.owner_export(kit_id, token, fmt)
        except ApiUnavailable:
            return page("unavailable", lang, 503)
        if answer.status_code != 200:
            answer.close()
            return page("not_found" if answer.status_code == 404 else "unavailable", lang, answer.status_code)

        def body() -> Iterator[bytes]:
            try:
                yield from answer.iter_bytes()
            finally:
                answer.close()

        headers = {k: answer.headers[k] for k in ("Content-Type", "Content-Disposition", "Link") if k in answer.headers}
        return flask.Response(body(), 200, {**headers, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    @server.route("/kit/<kit_id>/move", methods=["POST"])
    def owner_move(kit_id: str) -> flask.Response:
        form = flask.request.form
        lang, token = language(form), form.get("token", "")
        if not checked(kit_id, token):
            return page("not_found", lang, 404)
        t = TEXTS[lang]
        back = f"/kit/{kit_id}?token={token}&lang={lang}"
        body = move_body(form)
        if body is None:
            return flask.Response(step_page(lang, t["bad_position"], back=back), 422, HEADERS)
        if form.get("step") != "do":
            place = t["indoor"] if body["indoor"] else t["outdoor"]
            text = t["move_check"].format(
                lat=body["lat"], lon=body["lon"], place=place, height=body.get("height_m", "–"),
                sensors=", ".join(body.get("sensors", [])) or "–",
            )  # fmt: skip
            fields = _hidden(token, lang, step="do", lat=str(body["lat"]), lon=str(body["lon"]),
                             indoor="indoor" if body["indoor"] else "outdoor",
                             height_m=str(body.get("height_m", "")))  # fmt: skip
            fields += "".join(
                f"<input type='hidden' name='sensors' value='{escape(n)}'>" for n in body.get("sensors", [])
            )
            confirm = (
                f"<form method='post' action='/kit/{escape(kit_id)}/move'>{fields}"
                f"<button type='submit' id='move-confirm'>{escape(t['move_confirm'])}</button></form>"
            )
            return flask.Response(step_page(lang, text, confirm, back), 200, HEADERS)
        try:
            answer = client.owner_move(kit_id, token, body)
        except ApiUnavailable:
            return page("unavailable", lang, 503)
        if answer.status_code == 404:
            return page("not_found", lang, 404)
        if answer.status_code != 200:
            text = f"{t['move_bad']} {_refusal(answer)}"
            return flask.Response(step_page(lang, text, back=back), answer.status_code, HEADERS)
        moved = answer.json()
        area = moved.get("municipality_code") or "–"
        text = t["moved"].format(valid_from=moved.get("valid_from"), area=area)
        return flask.Response(step_page(lang, text, back=back), 200, HEADERS)

    @server.route("/kit/<kit_id>/delete", methods=["POST"])
    def owner_delete(kit_id: str) -> flask.Response:
        form = flask.request.form
        lang, token, choice = language(form), form.get("token", ""), form.get("measurements", "")
        if not checked(kit_id, token) or choice not in owners.DELETE_CHOICES:
            return page("not_found", lang, 404)
        t = TEXTS[lang]
        back = f"/kit/{kit_id}?token={token}&lang={lang}"
        said = owners.DELETE_CHOICES[choice]
        confirm = (
            f"<form method='post' action='/kit/{escape(kit_id)}/delete'>"
            f"{_hidden(token, lang, step='do', measurements=choice)}"
            f"<label>{escape(kit_id)}? <input type='text' name='typed' id='delete-typed' autocomplete='off'></label> "
            f"<button type='submit' id='delete-confirm'>{escape(t['delete_confirm'])}</button></form>"
        )
        if form.get("step") != "do":
            text = t["delete_check"].format(choice=said, kit_id=kit_id)
            return flask.Response(step_page(lang, text, confirm, back), 200, HEADERS)
        if form.get("typed", "").strip() != kit_id:
            return flask.Response(step_page(lang, t["delete_typed"], confirm, back), 422, HEADERS)
        try:
            answer = client.owner_delete(kit_id, token, choice)
        except ApiUnavailable:
            return page("unavailable", lang, 503)
        if answer.status_code == 404:
            return page("not_found", lang, 404)
        if answer.status_code != 200:
            text = f"{t['unavailable']} {_refusal(answer)}"
            return flask.Response(step_page(lang, text, back=back), answer.status_code, HEADERS)
        return flask.Response(step_page(lang, t["deleted"].format(kit_id=kit_id, choice=said)), 200, HEADERS)
