"""The sign-up form `/signup` and the page the mailed link opens (`/signup/confirm`), plain HTML in Dutch and English.

A resident gives an e-mail address, the kit's name, its place (a click on the map or typed; the exact place stays
private, the public map shows it shifted), indoors or outdoors, the height and the sensors (the firmware's own list,
ijlucht/owners.py). The form is checked here with the platform's own checks first (owners.check_signup and the
API's e-mail pattern), so each problem is said next to its field in the page's language; what only the API knows
(a name taken, too many sign-ups) comes back from its answer. Sent, it posts to /v1/accounts/signups.

The mailed link opens a page with one button: following the link alone changes nothing, so a mail scanner that
opens links cannot use up the one showing of the password. The button registers the kit (GET /v1/accounts/confirm)
and shows its configuration, password and owner link once, with what to do next.
"""

import base64
import dataclasses
import json
import math
import re
from html import escape
from typing import Any

import flask
import httpx
import plotly.graph_objects as go

from dashboard.api_client import ApiClient, ApiUnavailable
from dashboard.geo import Outlines
from dashboard.map_figure import MAP_CENTER, OFFLINE_STYLE, outline_layers, tile_layers
from ijlucht import owners, privacy
from ijlucht.mail import EMAIL_PATTERN

EMAIL = re.compile(EMAIL_PATTERN)
TOKEN = re.compile(owners.TOKEN_PATTERN)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "Content-Type": "text/html; charset=utf-8"}

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Uw meetkit aanmelden",
        "intro": "Meld uw zelfgebouwde meetkit aan. U krijgt een e-mail met een link; daarna ziet u de instellingen "
        "van uw kit en het wachtwoord.",
        "email": "Uw e-mailadres",
        "email_help": "Alleen om de aanmelding te bevestigen en u te laten weten als de kit stil valt.",
        "kit_id": "Naam van de kit",
        "kit_id_help": "3 tot 32 tekens: a-z, 0-9 en '-', bijvoorbeeld zeestraat-12. Zo heet de kit op de kaart.",
        "name": "Omschrijving",
        "name_help": "Bijvoorbeeld 'Balkon, Zeestraat'; staat op de kaart bij de kit.",
        "position": "Plaats van de kit",
        "position_help": "Klik op de kaart of typ breedte- en lengtegraad. De precieze plaats blijft privé: op de "
        "openbare kaart staat de kit {min}–{max} m verschoven.",
        "lat": "Breedtegraad",
        "lon": "Lengtegraad",
        "map_label": "Kaart: klik op de plaats van de kit",
        "height_m": "Hoogte boven de grond (m, mag leeg)",
        "indoor": "Waar hangt de kit?",
        "outdoor_choice": "Buiten",
        "indoor_choice": "Binnen",
        "sensors": "Sensoren",
        "sensors_help": "Hoogstens één fijnstofsensor en één SHT-sensor (zie de bouwhandleiding).",
        "submit": "Aanmelden",
        "bad_email": "Dit is geen geldig e-mailadres (zoals naam@voorbeeld.nl).",
        "kit_id_invalid": "Gebruik 3 tot 32 tekens: a-z, 0-9 en '-', beginnend met een letter of cijfer.",
        "kit_id_reserved": "Deze naam is gereserveerd voor het platform; kies een andere.",
        "kit_id_taken": "Deze naam is al in gebruik; kies een andere.",
        "no_name": "Geef een omschrijving (hoogstens 100 tekens).",
        "no_position": "Klik op de kaart of vul breedte- en lengtegraad in (getallen, zoals 52.4874 en 4.6573).",
        "outside_area": "Deze plaats ligt buiten het gebied van IJlucht (de IJmond); kies een plaats binnen de lijnen "
        "op de kaart.",
        "bad_height": "De hoogte is een getal van 0 tot 100 meter.",
        "sensors_bad": "Deze combinatie van sensoren kan niet:",
        "no_sensors": "Kies minstens één sensor.",
        "form_errors": "Niet alles is goed ingevuld; zie de opmerkingen bij de velden.",
        "too_many": "Er zijn vandaag al te veel aanmeldingen voor dit adres; probeer het morgen opnieuw.",
        "unavailable": "Het platform is nu niet bereikbaar; er is niets opgeslagen. Probeer het over een minuut "
        "opnieuw.",
        "refused": "Het platform weigerde de aanmelding:",
        "sent_title": "Kijk in uw e-mail",
        "sent": "We hebben een link gestuurd naar {email}. Open hem binnen 24 uur om de kit te registreren. Geen "
        "e-mail? Kijk ook bij ongewenste mail.",
        "confirm_title": "Uw kit registreren",
        "confirm_intro": "Klik op de knop om de kit te registreren. Daarna ziet u de instellingen en het wachtwoord "
        "van de kit één keer: bewaar ze meteen.",
        "confirm_button": "Registreer de kit en toon de instellingen",
        "link_gone": "Deze link is onbekend, al gebruikt of ouder dan een dag. Meld de kit opnieuw aan.",
        "name_gone": "De naam van de kit is intussen door een ander genomen; meld de kit opnieuw aan met een andere "
        "naam.",
        "config_title": "Uw kit {kit_id} is geregistreerd",
        "once": "Deze gegevens ziet u maar één keer: het platform bewaart het wachtwoord niet leesbaar. Download "
        "kit.json nu en bewaar de link naar uw kit-pagina.",
        "approval": "Een beheerder moet de kit nog goedkeuren; tot dan kan hij niet verbinden.",
        "broker": "Server (MQTT)",
        "port": "Poort",
        "tls": "Versleuteld (TLS)",
        "yes": "ja",
        "password": "Wachtwoord van de kit",
        "ca": "CA-certificaat van het platform",
        "download": "Download kit.json",
        "owner_link": "Uw kit-pagina (houd deze link privé)",
        "next": "Wat nu?",
        "next_1": "Installeer het flash-programma (Python 3.10 of nieuwer, geen beheerdersrechten nodig).",
        "next_2": "Sluit de kit aan en zet de software erop met:",
        "next_3": "Schrijf het instel-wachtwoord dat het programma toont op een label op de behuizing.",
        "next_4": "Hang de kit op volgens de bouwhandleiding; na een paar minuten staat hij op de kaart.",
        "guide": "Bouwhandleiding",
        "guide_here": "docs/build/nl.md in de IJlucht-broncode",
        "other_lang": "English",
    },
    "en": {
        "title": "Sign up your sensor kit",
        "intro": "Sign up the kit you built. You get an e-mail with a link; after it, you see your kit's settings "
        "and password.",
        "email": "Your e-mail address",
        "email_help": "Only to confirm the sign-up and to tell you when the kit falls silent.",
        "kit_id": "Kit name",
        "kit_id_help": "3 to 32 characters: a-z, 0-9 and '-', for example zeestraat-12. The kit's name on the map.",
        "name": "Description",
        "name_help": "For example 'Balcony, Zeestraat'; shown with the kit on the map.",
        "position": "Where the kit is",
        "position_help": "Click on the map or type latitude and longitude. The exact place stays private: the "
        "public map shows the kit shifted by {min}–{max} m.",
        "lat": "Latitude",
        "lon": "Longitude",
        "map_label": "Map: click where the kit is",
        "height_m": "Height above the ground (m, may be empty)",
        "indoor": "Where does the kit hang?",
        "outdoor_choice": "Outdoors",
        "indoor_choice": "Indoors",
        "sensors": "Sensors",
        "sensors_help": "At most one particle sensor and one SHT sensor (see the build guide).",
        "submit": "Sign up",
        "bad_email": "This is not a valid e-mail address (like name@example.org).",
        "kit_id_invalid": "Use 3 to 32 characters: a-z, 0-9 and '-', starting with a letter or digit.",
        "kit_id_reserved": "This name is reserved for the platform; pick another.",
        "kit_id_taken": "This name is taken; pick another.",
        "no_name": "Give a description (at most 100 characters).",
        "no_position": "Click on the map or fill in latitude and longitude (numbers, like 52.4874 and 4.6573).",
        "outside_area": "This place is outside the area IJlucht serves (the IJmond); pick a place inside the lines "
        "on the map.",
        "bad_height": "The height is a number from 0 to 100 metres.",
        "sensors_bad": "These sensors cannot share a kit:",
        "no_sensors": "Pick at least one sensor.",
        "form_errors": "Not everything is filled in well; see the notes at the fields.",
        "too_many": "Too many sign-ups for this address today; try again tomorrow.",
        "unavailable": "The platform cannot be reached now; nothing was stored. Try again in a minute.",
        "refused": "The platform refused the sign-up:",
        "sent_title": "Check your e-mail",
        "sent": "We sent a link to {email}. Open it within 24 hours to register the kit. No e-mail? Look in your "
        "spam folder too.",
        "confirm_title": "Register your kit",
        "confirm_intro": "Press the button to register the kit. You then see the kit's settings and password once: "
        "save them straight away.",
        "confirm_button": "Register the kit and show its settings",
        "link_gone": "This link is unknown, used already or older than a day. Sign the kit up again.",
        "name_gone": "The kit's name was taken by someone else meanwhile; sign up again with another name.",
        "config_title": "Your kit {kit_id} is registered",
        "once": "You see these details only once: the platform keeps no readable copy of the password. Download "
        "kit.json now and keep the link to your kit's page.",
        "approval": "An operator still has to approve the kit; until then it cannot connect.",
        "broker": "Server (MQTT)",
        "port": "Port",
        "tls": "Encrypted (TLS)",
        "yes": "yes",
        "password": "The kit's password",
        "ca": "The platform's CA certificate",
        "download": "Download kit.json",
        "owner_link": "Your kit's page (keep this link private)",
        "next": "What next?",
        "next_1": "Install the flash tool (Python 3.10 or newer, no administrator rights needed).",
        "next_2": "Plug the kit in and put the software on it with:",
        "next_3": "Write the set-up password the tool prints on a label on the housing.",
        "next_4": "Mount the kit as the build guide says; after a few minutes it is on the map.",
        "guide": "Build guide",
        "guide_here": "docs/build/en.md in the IJlucht source",
        "other_lang": "Nederlands",
    },
}

FLASH_COMMAND = 'ijlucht-flash write --config kit.json --wifi-ssid "…" --wifi-password "…" --port …'
INSTALL_COMMAND = "pipx install ijlucht_flash-<version>-py3-none-any.whl"

# The map: a click puts the kit there (MapLibre's own click, as Plotly reports clicks on points only); typed
# coordinates move the marker too.
MAP_JS = """
(function () {
  const lat = document.getElementById('lat'), lon = document.getElementById('lon');
  const fig = JSON.parse(document.getElementById('pick-figure').textContent);
  function show() {
    const a = parseFloat(lat.value), o = parseFloat(lon.value);
    const ok = isFinite(a) && isFinite(o);
    Plotly.restyle('pick-map', {lat: [ok ? [a] : []], lon: [ok ? [o] : []]}, [0]);
  }
  Plotly.newPlot('pick-map', fig.data, fig.layout, {scrollZoom: true, displayModeBar: false}).then(function (gd) {
    gd._fullLayout.map._subplot.map.on('click', function (e) {
      lat.value = e.lngLat.lat.toFixed(5);
      lon.value = e.lngLat.lng.toFixed(5);
      show();
    });
    gd.setAttribute('data-ready', '1');
  });
  lat.addEventListener('change', show);
  lon.addEventListener('change', show);
})();
"""

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.45; }
label, legend { font-weight: 600; display: block; margin-top: 1rem; }
.help { color: #555; font-size: 0.9rem; margin: 0.2rem 0; }
.error { color: #b00020; font-weight: 600; margin: 0.2rem 0; }
input[type=text], input[type=email] { width: 100%; max-width: 24rem; padding: 0.35rem; }
#pick-map { height: 360px; border: 1px solid #999; margin-top: 0.4rem; }
fieldset { border: 1px solid #ccc; margin-top: 1rem; }
fieldset label { display: inline; font-weight: normal; margin-right: 1rem; }
.coord { display: inline-block; margin-right: 1.5rem; }
.coord input { width: 9rem; padding: 0.35rem; }
pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; }
.secret { font-size: 1.2rem; font-family: monospace; background: #fff3c4; padding: 0.2rem 0.4rem; }
button { margin-top: 1.2rem; padding: 0.5rem 1.2rem; font-size: 1rem; }
"""


def lang_of(value: str | None, default: str) -> str:
    return value if value in TEXTS else default


def _page(lang: str, title: str, body: str, other: str = "") -> str:
    switch = f"<p><a href='{escape(other)}' lang='{'en' if lang == 'nl' else 'nl'}'>{TEXTS[lang]['other_lang']}</a></p>"
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>"
        f"{switch if other else ''}<h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def pick_figure(outlines: Outlines, tile_url: str, tile_attribution: str, lat: float | None, lon: float | None) -> dict:
    """The map to place the kit on: the outlines of the area served (and tiles when configured), the chosen place."""
    point = go.Scattermap(
        lat=[lat] if lat is not None else [], lon=[lon] if lon is not None else [], mode="markers",
        marker={"size": 16, "color": "#d81b60"}, hoverinfo="skip", showlegend=False, name="kit",
    )  # fmt: skip
    land, lines = outline_layers(outlines)
    x0, y0, x1, y1 = owners.service_area()
    inside = lat is not None and lon is not None and x0 <= lon <= x1 and y0 <= lat <= y1
    centre = {"lat": lat, "lon": lon} if inside else MAP_CENTER  # a place outside: the area stays in view
    figure = go.Figure([point])
    figure.update_layout(
        map={"style": OFFLINE_STYLE, "center": centre, "zoom": 11,
             "layers": land + tile_layers(tile_url, tile_attribution) + lines},
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, autosize=True,
    )  # fmt: skip
    return json.loads(figure.to_json())


def _number(value: str) -> float | None:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def check_form(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the API's sign-up body, {field: problem kind}) from the posted form; an empty dict when all is well. The
    checks are the platform's own (owners.check_signup, the e-mail pattern), so form and API never disagree."""
    errors: dict[str, str] = {}
    email = str(form.get("email", "")).strip()
    if len(email) > 254 or not EMAIL.fullmatch(email):
        errors["email"] = "bad_email"
    kit_id = str(form.get("kit_id", "")).strip().lower()
    name = str(form.get("name", "")).strip()
    if not name or len(name) > 100 or any(ord(c) < 32 or ord(c) == 127 for c in name):
        errors["name"] = "no_name"
    lat, lon = _number(str(form.get("lat", ""))), _number(str(form.get("lon", "")))
    height_text = str(form.get("height_m", "")).strip()
    height = _number(height_text) if height_text else None
    if height_text and (height is None or not 0 <= height <= 100):
        errors["height_m"] = "bad_height"
    indoor = form.get("indoor") == "indoor"
    sensors = [s for s in form.get("sensors", []) if isinstance(s, str)]
    body = {"email": email, "kit_id": kit_id, "name": name, "lat": lat, "lon": lon, "indoor": indoor,
            "sensors": sensors} | ({"height_m": round(height, 2)} if height is not None else {})  # fmt: skip
    if lat is None or lon is None:
        errors["position"] = "no_position"
    if not sensors:
        errors["sensors"] = "no_sensors"
    # Each of the platform's checks on its own (the other fields set to values that pass), so every field gets its
    # note at once, not only the first one check_signup meets.
    passing = owners.Signup(email, "kit-ok", name, MAP_CENTER["lat"], MAP_CENTER["lon"], indoor,
                            owners.supported_sensors()[:1])  # fmt: skip
    for field, own in (("kit_id", {"kit_id": kit_id}), ("position", {"lat": lat, "lon": lon}),
                       ("sensors", {"sensors": tuple(sensors)})):  # fmt: skip
        if field in errors:
            continue
        try:
            owners.check_signup(dataclasses.replace(passing, **own))
        except owners.SignupRefused as exc:
            errors[field] = exc.kind if exc.kind != "sensors" else f"sensors:{exc}"
    return body, errors


def _error(lang: str, kind: str | None) -> str:
    if not kind:
        return ""
    t = TEXTS[lang]
    text = f"{t['sensors_bad']} {kind.removeprefix('sensors:')}" if kind.startswith("sensors:") else t[kind]
    return f"<p class='error' role='alert'>{escape(text)}</p>"


def _described(field: str, errors: dict[str, str]) -> str:
    ids = f"{field}-help" + (f" {field}-error" if field in errors else "")
    invalid = " aria-invalid='true'" if field in errors else ""
    return f"aria-describedby='{ids}'{invalid}"


def form_page(
    lang: str,
    values: dict[str, Any],
    errors: dict[str, str],
    general: str,
    figure: dict,
    plotly_js: str,
) -> str:
    """The sign-up form with `values` filled in, each of `errors` ({field: kind}) next to its field."""
    t = TEXTS[lang]

    def err(field: str) -> str:
        note = _error(lang, errors.get(field))
        return note.replace("<p class='error'", f"<p class='error' id='{field}-error'") if note else ""

    def text_input(field: str, kind: str = "text", extra: str = "") -> str:
        value = "" if values.get(field) is None else str(values[field])
        return (
            f"<label for='{field}'>{escape(t[field])}</label>"
            f"<p class='help' id='{field}-help'>{escape(t[field + '_help'])}</p>"
            f"<input type='{kind}' id='{field}' name='{field}' value='{escape(value)}' {extra} "
            f"{_described(field, errors)}>{err(field)}"
        )

    position_help = t["position_help"].format(min=int(privacy.MIN_OFFSET_M), max=int(privacy.MAX_OFFSET_M))
    lat = "" if values.get("lat") is None else str(values["lat"])
    lon = "" if values.get("lon") is None else str(values["lon"])
    indoor = bool(values.get("indoor"))
    chosen = set(values.get("sensors") or [])
    sensors = "".join(
        f"<label><input type='checkbox' name='sensors' value='{escape(s)}'{' checked' if s in chosen else ''}> "
        f"{escape(s)}</label>"
        for s in owners.supported_sensors()
    )
    height = "" if values.get("height_m") is None else str(values["height_m"])
    summary = f"<p class='error' role='alert' id='form-error'>{escape(general)}</p>" if general else ""
    body = (
        f"<p>{escape(t['intro'])}</p>{summary}"
        f"<form method='post' action='/signup?lang={lang}' novalidate>"
        + text_input("email", "email", "autocomplete='email' required")
        + text_input("kit_id", "text", "autocomplete='off' required")
        + text_input("name", "text", "maxlength='100' required")
        + f"<fieldset {_described('position', errors)}><legend>{escape(t['position'])}</legend>"
        f"<p class='help' id='position-help'>{escape(position_help)}</p>"
        f"<div id='pick-map' role='img' aria-label='{escape(t['map_label'])}'></div>"
        f"<p><span class='coord'><label for='lat'>{escape(t['lat'])}</label> "
        f"<input type='text' inputmode='decimal' id='lat' name='lat' value='{escape(lat)}'></span>"
        f"<span class='coord'><label for='lon'>{escape(t['lon'])}</label> "
        f"<input type='text' inputmode='decimal' id='lon' name='lon' value='{escape(lon)}'></span></p>"
        f"{err('position')}"
        "</fieldset>"
        f"<label for='height_m'>{escape(t['height_m'])}</label><p class='help' id='height_m-help'></p>"
        f"<input type='text' inputmode='decimal' id='height_m' name='height_m' value='{escape(height)}' "
        f"{_described('height_m', errors)}>{err('height_m')}"
        f"<fieldset><legend>{escape(t['indoor'])}</legend>"
        f"<label><input type='radio' name='indoor' value='outdoor'{'' if indoor else ' checked'}> "
        f"{escape(t['outdoor_choice'])}</label>"
        f"<label><input type='radio' name='indoor' value='indoor'{' checked' if indoor else ''}> "
        f"{escape(t['indoor_choice'])}</label></fieldset>"
        f"<fieldset {_described('sensors', errors)}><legend>{escape(t['sensors'])}</legend>"
        f"<p class='help' id='sensors-help'>{escape(t['sensors_help'])}</p>{sensors}{err('sensors')}</fieldset>"
        f"<button type='submit' id='submit'>{escape(t['submit'])}</button></form>"
        f"<script type='application/json' id='pick-figure'>{_script_json(figure)}</script>"
        f"<script src='{escape(plotly_js)}'></script><script>{MAP_JS}</script>"
    )
    return _page(lang, t["title"], body, f"/signup?lang={'en' if lang == 'nl' else 'nl'}")


def _script_json(value: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def api_answer(response: httpx.Response, lang: str) -> tuple[dict[str, str], str]:
    """({field: kind}, general message) for an API refusal of a sign-up."""
    t = TEXTS[lang]
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if response.status_code == 409:
        return {"kit_id": "kit_id_taken"}, t["form_errors"]
    if response.status_code == 429:
        return {}, t["too_many"]
    if response.status_code >= 500:
        return {}, t["unavailable"]
    if response.status_code == 422 and isinstance(detail, list):  # the API's own validation: map it to fields
        fields = {"lat": "position", "lon": "position", "email": "email", "kit_id": "kit_id", "name": "name",
                  "height_m": "height_m", "sensors": "sensors"}  # fmt: skip
        kinds = {"position": "outside_area", "email": "bad_email", "kit_id": "kit_id_invalid", "name": "no_name",
                 "height_m": "bad_height", "sensors": "no_sensors"}  # fmt: skip
        errors = {}
        for item in detail:
            loc = item.get("loc") or []
            field = fields.get(loc[1] if len(loc) > 1 else "")
            if field:
                errors[field] = kinds[field]
        if errors:
            return errors, t["form_errors"]
    return {}, f"{t['refused']} {detail if isinstance(detail, str) else response.status_code}"


def sent_page(lang: str, email: str) -> str:
    t = TEXTS[lang]
    return _page(lang, t["sent_title"], f"<p role='status' id='sent'>{escape(t['sent'].format(email=email))}</p>")


def confirm_ask_page(lang: str, token: str) -> str:
    t = TEXTS[lang]
    body = (
        f"<p>{escape(t['confirm_intro'])}</p><form method='post' action='/signup/confirm?lang={lang}'>"
        f"<input type='hidden' name='token' value='{escape(token)}'>"
        f"<button type='submit' id='confirm'>{escape(t['confirm_button'])}</button></form>"
    )
    other = "en" if lang == "nl" else "nl"
    return _page(lang, t["confirm_title"], body, f"{owners.CONFIRM_PAGE}?token={token}&lang={other}")


def message_page(lang: str, key: str) -> str:
    t = TEXTS[lang]
    return _page(lang, t["title"], f"<p role='alert' id='message'>{escape(t[key])}</p>")


def config_page(lang: str, answer: dict[str, Any], guide_url: str) -> str:
    """The kit's configuration as the API gave it, once: broker, port, TLS, password, CA, kit.json, the owner link
    and what to do next."""
    t = TEXTS[lang]
    config = answer["kit_config"]
    download = base64.b64encode(json.dumps(config, indent=2).encode()).decode()
    rows = "".join(
        f"<tr><th scope='row'>{escape(label)}</th><td id='{key}'>{value}</td></tr>"
        for key, label, value in (
            ("mqtt_host", t["broker"], escape(str(config["mqtt_host"]))),
            ("mqtt_port", t["port"], escape(str(config["mqtt_port"]))),
            ("tls", t["tls"], escape(t["yes"] if config.get("tls") else "–")),
            ("mqtt_password", t["password"], f"<span class='secret'>{escape(config['mqtt_password'])}</span>"),
        )
    )
    owner = f"{answer['owner_page']}&lang={lang}"
    guide = (
        f"<a href='{escape(guide_url)}'>{escape(t['guide'])}</a>"
        if guide_url
        else f"{escape(t['guide'])}: {escape(t['guide_here'])}"
    )
    approval = f"<p role='status' id='approval'>{escape(t['approval'])}</p>" if answer.get("approval_pending") else ""
    body = (
        f"<p role='alert' id='once'><strong>{escape(t['once'])}</strong></p>{approval}<table>{rows}</table>"
        f"<p><a id='download' download='kit.json' href='data:application/json;base64,{download}'>"
        f"{escape(t['download'])}</a></p>"
        f"<p>{escape(t['owner_link'])}: <a id='owner-page' href='{escape(owner)}'>{escape(owner)}</a></p>"
        f"<details><summary>{escape(t['ca'])}</summary><pre id='ca'>{escape(config['ca'])}</pre></details>"
        f"<h2>{escape(t['next'])}</h2><ol>"
        f"<li>{escape(t['next_1'])}<pre>{escape(INSTALL_COMMAND)}</pre></li>"
        f"<li>{escape(t['next_2'])}<pre id='flash'>{escape(FLASH_COMMAND)}</pre></li>"
        f"<li>{escape(t['next_3'])}</li><li>{escape(t['next_4'])} {guide}</li></ol>"
    )
    return _page(lang, t["config_title"].format(kit_id=config["kit_id"]), body)


def install(
    server: flask.Flask,
    client: ApiClient,
    default_lang: str,
    outlines: Outlines,
    tile_url: str,
    tile_attribution: str,
    plotly_js: str,
    guide_url: str = "",
) -> None:
    """Serve /signup and /signup/confirm on the dashboard's Flask server."""

    def respond(html: str, status: int = 200) -> flask.Response:
        return flask.Response(html, status, HEADERS)

    def form(lang: str, values: dict, errors: dict, general: str, status: int) -> flask.Response:
        lat, lon = _number(str(values.get("lat") or "")), _number(str(values.get("lon") or ""))
        figure = pick_figure(outlines, tile_url, tile_attribution, lat, lon)
        return respond(form_page(lang, values, errors, general, figure, plotly_js), status)

    @server.route("/signup", methods=["GET", "POST"])
    def signup() -> flask.Response:
        lang = lang_of(flask.request.args.get("lang"), default_lang)
        if flask.request.method == "GET":
            return form(lang, {}, {}, "", 200)
        posted = flask.request.form.to_dict() | {"sensors": flask.request.form.getlist("sensors")}
        body, errors = check_form(posted)
        values = body | {"lat": posted.get("lat", ""), "lon": posted.get("lon", ""),
                         "height_m": posted.get("height_m", "")}  # fmt: skip
        if errors:
            return form(lang, values, errors, TEXTS[lang]["form_errors"], 422)
        try:
            # The visitor's address for the API's per-client limit: the chain nginx gave, plus who asked us.
            given = flask.request.headers.get("X-Forwarded-For")
            answer = client.sign_up(body, ", ".join(a for a in (given, flask.request.remote_addr) if a))
        except ApiUnavailable:
            return form(lang, values, {}, TEXTS[lang]["unavailable"], 503)
        if answer.status_code == 202:
            return respond(sent_page(lang, body["email"]), 202)
        api_errors, general = api_answer(answer, lang)
        return form(lang, values, api_errors, general, answer.status_code)

    @server.route("/signup/confirm", methods=["GET", "POST"])
    def confirm() -> flask.Response:
        lang = lang_of(flask.request.args.get("lang"), default_lang)
        source = flask.request.args if flask.request.method == "GET" else flask.request.form
        token = source.get("token", "")
        if not TOKEN.fullmatch(token):
            return respond(message_page(lang, "link_gone"), 404)
        if flask.request.method == "GET":
            return respond(confirm_ask_page(lang, token))
        try:
            answer = client.confirm_signup(token)
        except ApiUnavailable:
            return respond(message_page(lang, "unavailable"), 503)
        if answer.status_code == 200:
            return respond(config_page(lang, answer.json(), guide_url))
        key = {404: "link_gone", 409: "name_gone"}.get(answer.status_code, "unavailable")
        return respond(message_page(lang, key), answer.status_code)
