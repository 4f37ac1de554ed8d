"""The owner page `/kit/<id>?token=…&lang=nl|en`: a plain HTML page (no Dash callbacks) with what the API's owner
endpoint answers (/v1/owner/kits/<id>, authenticated by the owner token): online state, last message, signal,
backlog, firmware and update state, resets, failing sensors, recent rejects with what to do, the latest reading.

`render` is pure (the API's answer in, HTML out, every value escaped); `install` adds the Flask route. The token
travels in the link the owner keeps, so the page is never cached and sends no Referer onwards.
"""

import re
from html import escape
from typing import Any

import flask

from dashboard.api_client import ApiClient, ApiError, ApiUnavailable
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
    },
}
LATEST_KEYS = (("pm25", "PM2.5", "µg/m³"), ("pm10", "PM10", "µg/m³"), ("t", "T", "°C"), ("rh", "RH", "%"))


def _row(label: str, value: object) -> str:
    return f"<tr><th scope='row'>{escape(label)}</th><td>{escape(str(value))}</td></tr>"


def render(view: dict[str, Any], lang: str) -> str:
    """The page for the owner endpoint's answer `view`, in `lang` (nl or en)."""
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
        + _choices(view.get("delete_choices") or {}, t)
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


def message_page(text: str, lang: str) -> str:
    head = f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'></head>"
    return f"{head}<body><p>{escape(text)}</p></body></html>"


HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "Content-Type": "text/html; charset=utf-8"}


def install(server: flask.Flask, client: ApiClient, default_lang: str) -> None:
    """Serve /kit/<kit_id> on the dashboard's Flask server."""

    @server.route("/kit/<kit_id>")
    def owner_page(kit_id: str) -> flask.Response:
        lang = flask.request.args.get("lang", default_lang)
        lang = lang if lang in TEXTS else default_lang
        token = flask.request.args.get("token", "")
        if not KIT_ID_PATTERN.fullmatch(kit_id) or not TOKEN.fullmatch(token):
            return flask.Response(message_page(TEXTS[lang]["not_found"], lang), 404, HEADERS)
        try:
            view = client.owner_kit(kit_id, token)
        except ApiUnavailable:
            return flask.Response(message_page(TEXTS[lang]["unavailable"], lang), 503, HEADERS)
        except ApiError:
            return flask.Response(message_page(TEXTS[lang]["not_found"], lang), 404, HEADERS)
        return flask.Response(render(view, lang), 200, HEADERS)
