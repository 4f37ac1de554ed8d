"""The words of alerts, in Dutch and English: the confirmation mail, the alert mail, the webhook's note and the
Atom feed. Every alert says that the data are indicative (citizen sensors, not official measurements)."""

from datetime import datetime

from ijlucht.alerts import Rule, target_name, unit
from ijlucht.quantities import BY_KEY

INDICATIVE = {
    "nl": "Let op: dit zijn indicatieve gegevens van burgersensoren en meetstations, niet gecontroleerd; ze zijn "
    "geen officiële meting of gezondheidsadvies. Officiële waarden: luchtmeetnet.nl.",
    "en": "Note: these are indicative data from citizen sensors and stations, not checked; they are not an official "
    "measurement or health advice. Official values: luchtmeetnet.nl.",
}


def describe(rule: Rule, target: str, language: str) -> str:
    """One line: what the subscription watches for, where."""
    q = BY_KEY[rule.quantity]
    label = q.label_en if language == "en" else q.label_nl
    where = target_name(target)
    if rule.trigger == "episode":
        if language == "en":
            return f"an episode of raised {label} at {where} lasting {rule.hours} h or more"
        return f"een episode met verhoogd {label} bij {where} van {rule.hours} uur of langer"
    band = rule.band_info
    name = band.name(language) if band else str(rule.band)
    if language == "en":
        return f"{label} at {where} in band '{name}' or worse for {rule.hours} h in a row"
    return f"{label} bij {where} in band '{name}' of slechter, {rule.hours} uur achter elkaar"


CONFIRM = {
    "nl": (
        "IJlucht-melding: bevestig uw adres",
        """Hallo,

Iemand (hopelijk u) wil een melding van IJlucht op dit adres ontvangen bij:
{what}
{webhook}
Open deze link binnen 24 uur om de melding aan te zetten:
{link}

Was u het niet? Negeer dan deze mail: zonder de link gebeurt er niets. Uw adres wordt alleen voor deze meldingen
bewaard en verdwijnt als u zich afmeldt (een klik, onder elke melding).

{indicative}
""",
    ),
    "en": (
        "IJlucht alert: confirm your address",
        """Hello,

Someone (we hope you) asked for IJlucht alerts at this address for:
{what}
{webhook}
Open this link within 24 hours to switch the alert on:
{link}

If it was not you, ignore this mail: nothing happens without the link. Your address is kept only for these alerts
and is deleted when you unsubscribe (one click, under every alert).

{indicative}
""",
    ),
}
WEBHOOK_LINE = {
    "nl": "Ook als webhook naar: {url}\n",
    "en": "Also as a webhook to: {url}\n",
}

ALERT = {
    "nl": (
        "IJlucht-melding: {where}",
        """Hallo,

{what}: dat is het geval sinds {start} (hoogste uurwaarde tot nu toe: {peak}).

U krijgt één melding per episode: een nieuwe pas nadat het {quiet} uur rustig is geweest.

{indicative}

Afmelden (een klik): {unsubscribe}
""",
    ),
    "en": (
        "IJlucht alert: {where}",
        """Hello,

{what}: this is so since {start} (highest hourly value so far: {peak}).

You get one alert per episode: the next only after {quiet} quiet hours.

{indicative}

Unsubscribe (one click): {unsubscribe}
""",
    ),
}


def when(hour: datetime) -> str:
    return f"{hour:%Y-%m-%d %H:%M} UTC"


def peak_text(rule: Rule, peak: float | None) -> str:
    return "–" if peak is None else f"{peak:.0f} {unit(rule)}"
