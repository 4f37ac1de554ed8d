"""Texts of the science views (issues 16 and 17: wind and sources, episodes, trends, before/after, alerts) in Dutch
and English; dashboard/texts.py merges them into TEXTS. Each figure has one `*_caption`: what it shows and what it
cannot prove, in words a resident reads."""

SCIENCE_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "analysis_title": "Wind, bronnen en trends",
        "analysis_place_label": "Plaats",
        "analysis_place_placeholder": "kies een kit, meetstation of gebied…",
        "analysis_period_label": "Periode",
        "analysis_view_label": "Bekijk",
        "view_direction": "wind en bronnen",
        "view_trend": "trend",
        "view_compare": "voor en na",
        "view_alerts": "meldingen",
        "analysis_hint": "Kies hierboven wat u wilt zien; het wordt pas dan opgehaald.",
        "analysis_need_place": "Kies eerst een kit (op de kaart) of een meetstation of gebied hierboven.",
        "analysis_area_not_here": "Voor een gebied is er alleen een trend; kies een kit of meetstation.",
        "analysis_refused": "Geweigerd: dit is geen kit, meetstation of gebied. Er is niets opgevraagd.",
        "analysis_failed": "Dit kon niet worden opgehaald: {detail}",
        "place_kit": "kit",
        "place_station": "meetstation",
        "place_area": "gebied",
        "period_30d": "afgelopen 30 dagen",
        "period_1y": "afgelopen 12 maanden",
        "period_year": "{year}",
        # wind and sources
        "rose_title": "Gemiddelde {quantity} per windrichting",
        "cpf_title": "Kans op hoge {quantity} per windrichting (boven {threshold} {unit}, P{percentile})",
        "rose_mean": "gemiddelde",
        "rose_cpf": "kans",
        "rose_hover": "wind uit {sector}: {hours} uur",
        "rose_empty": "Geen uren met wind en meting in deze periode.",
        "rose_emitter": "richting {name} ({km} km)",
        "rose_inside": "{name}: deze plaats ligt in of naast het terrein, elke windrichting kan van daar komen.",
        "rose_calm": "Windstil: {hours} uur (gemiddeld {mean} {unit}); veranderlijk: {variable} uur; zonder wind: "
        "{missing} uur. Die uren staan niet in de roos.",
        "rose_caption": "De roos toont hoe hoog {quantity} gemiddeld was bij wind uit elke richting, met een lijn "
        "naar elke bekende bron; een hoge punt richting een bron past bij uitstoot van die bron, maar bewijst niet "
        "dat die bron de oorzaak was (samenhang, geen bewijs; sensormetingen zijn indicatief).",
        "cpf_caption": "Deze roos toont bij welke windrichting de hoogste kwart van de uren het vaakst voorkwam; "
        "het wijst een richting aan, geen veroorzaker: ook andere bronnen in die richting of het weer kunnen "
        "meespelen (samenhang, geen bewijs).",
        "exposure_line": "Benedenwinds van {name}: {share} van de uren; dan gemiddeld {down} {unit}, anders {other} "
        "{unit}: verschil {increment} {unit} (95%-interval {low} tot {high}).",
        "exposure_line_regional": "Benedenwinds van {name}: {share} van de uren; boven de regionale achtergrond dan "
        "gemiddeld {down} {unit}, anders {other} {unit}: verschil {increment} {unit} (95%-interval {low} tot {high}).",
        "exposure_none": "Geen benedenwindse uren van {name} in deze periode.",
        # the map layer
        "layer_label": "Kaartlaag",
        "layer_off": "geen",
        "layer_exposure": "benedenwinds van {name}",
        "layer_hover": "{place}<br>benedenwinds: {share} van {hours} uur<br>verschil: {increment} {unit} "
        "(95%: {low} tot {high})",
        "layer_no_increment": "geen verschil te berekenen",
        "layer_caption": "Cirkels: hoe vaak elke kit of elk station benedenwinds van {name} lag (groter = vaker) en "
        "hoeveel hoger {quantity} dan was (rood = hoger, blauw = lager; {period}); dit is samenhang met de wind, "
        "geen bewijs van de oorzaak.",
        "layer_empty": "Geen gegevens voor deze kaartlaag in de gekozen periode.",
        # episodes
        "episode_regional": "episode (regionaal)",
        "episode_local": "episode (lokaal{emitter})",
        "episode_from": ", wind van {name}",
        "episode_hover": "{kind}: {start} – {end}, piek {peak} {unit} ({place})",
        "episodes_caption": "Gearceerd: episodes met hoge waarden, regionaal (veel plaatsen tegelijk) of lokaal (één "
        "plaats, wind van een bron); het laat zien wanneer, niet wie de oorzaak was.",
        "timeline_episodes": "Episodes in dit venster: {n}.",
        # trend
        "trend_title": "{quantity} per maand, {place}",
        "trend_monthly": "maandgemiddelde",
        "trend_deseasonalised": "zonder seizoen",
        "trend_normalised": "gecorrigeerd voor het weer",
        "trend_slope": "Trend: {slope} {unit} per jaar (95%-interval {low} tot {high}; {method}).",
        "trend_no_slope": "Geen trend te berekenen: {note}",
        "trend_increment": "Verschil benedenwinds van {name}: {slope} {unit} per jaar (95%: {low} tot {high}).",
        "trend_empty": "Geen maandgemiddelden in deze periode.",
        "trend_event_source": "bron",
        "trend_caption": "De lijnen tonen het maandgemiddelde en wat overblijft na correctie voor seizoen en weer, "
        "met gebeurtenissen als streep; een daling na een gebeurtenis past bij een effect ervan, maar bewijst het "
        "niet (samenhang, geen bewijs; sensormetingen zijn indicatief).",
        # compare
        "compare_before": "Voor",
        "compare_after": "Na",
        "compare_event": "Rond een gebeurtenis",
        "compare_event_placeholder": "kies een gebeurtenis…",
        "compare_go": "Vergelijk",
        "compare_title": "Na min voor: {quantity} ({unit})",
        "compare_measured": "gemeten",
        "compare_normalised": "gecorrigeerd voor het weer",
        "compare_line": "Voor: {before} {unit}, na: {after} {unit}; verschil {difference} {unit} (95%-interval {low} "
        "tot {high}), gecorrigeerd voor het weer {ndifference} {unit} ({nlow} tot {nhigh}).",
        "compare_bad_dates": "Kies voor beide perioden een begin vóór het eind, en de periode voor vóór de periode na.",
        "compare_caption": "De punten tonen hoeveel hoger of lager {quantity} na dan voor was, met en zonder "
        "correctie voor het weer; een verschil past bij een verandering, maar bewijst niet wat die veroorzaakte "
        "(samenhang, geen bewijs).",
        # alerts
        "alerts_intro": "Krijg een e-mail bij een episode of als een klasse een aantal uren aanhoudt. U bevestigt "
        "eerst via een link; afmelden kan met één klik. De meldingen zijn indicatief.",
        "alerts_email": "E-mailadres",
        "alerts_target": "Waarvoor",
        "alerts_trigger": "Wanneer",
        "alerts_trigger_episode": "bij een episode",
        "alerts_trigger_band": "als een klasse aanhoudt",
        "alerts_band": "Klasse (of hoger)",
        "alerts_hours": "Aantal uren",
        "alerts_submit": "Aanmelden",
        "alerts_sent": "Bijna klaar: we stuurden een bevestigingsmail naar {email}. Klik op de link daarin.",
        "alerts_refused": "Niet aangemeld: {detail}",
        "alerts_bad_email": "Vul een geldig e-mailadres in.",
        "alerts_no_target": "Kies een gebied of een kit.",
    },
    "en": {
        "analysis_title": "Wind, sources and trends",
        "analysis_place_label": "Place",
        "analysis_place_placeholder": "choose a kit, station or area…",
        "analysis_period_label": "Period",
        "analysis_view_label": "Show",
        "view_direction": "wind and sources",
        "view_trend": "trend",
        "view_compare": "before and after",
        "view_alerts": "alerts",
        "analysis_hint": "Choose above what to see; it is fetched only then.",
        "analysis_need_place": "First choose a kit (on the map), or a station or area above.",
        "analysis_area_not_here": "An area has a trend only; choose a kit or a station.",
        "analysis_refused": "Refused: that is not a kit, station or area. Nothing was requested.",
        "analysis_failed": "This could not be fetched: {detail}",
        "place_kit": "kit",
        "place_station": "station",
        "place_area": "area",
        "period_30d": "last 30 days",
        "period_1y": "last 12 months",
        "period_year": "{year}",
        "rose_title": "Mean {quantity} by wind direction",
        "cpf_title": "Chance of high {quantity} by wind direction (above {threshold} {unit}, P{percentile})",
        "rose_mean": "mean",
        "rose_cpf": "chance",
        "rose_hover": "wind from {sector}: {hours} hours",
        "rose_empty": "No hours with both wind and a reading in this period.",
        "rose_emitter": "towards {name} ({km} km)",
        "rose_inside": "{name}: this place lies in or next to the site, so wind from any direction can come from it.",
        "rose_calm": "Calm: {hours} hours (mean {mean} {unit}); variable: {variable} hours; without wind data: "
        "{missing} hours. These hours are not in the rose.",
        "rose_caption": "The rose shows how high {quantity} was on average with the wind from each direction, with a "
        "line towards each known source; a high point towards a source fits emissions from it, but does not prove "
        "that source was the cause (correlation, not proof; sensor readings are indicative).",
        "cpf_caption": "This rose shows from which wind directions the highest quarter of the hours came most often; "
        "it points to a direction, not a culprit: other sources that way or the weather may play a part "
        "(correlation, not proof).",
        "exposure_line": "Downwind of {name}: {share} of the hours; then {down} {unit} on average, otherwise {other} "
        "{unit}: difference {increment} {unit} (95% interval {low} to {high}).",
        "exposure_line_regional": "Downwind of {name}: {share} of the hours; above the regional background then "
        "{down} {unit} on average, otherwise {other} {unit}: difference {increment} {unit} (95% interval {low} to "
        "{high}).",
        "exposure_none": "No downwind hours of {name} in this period.",
        "layer_label": "Map layer",
        "layer_off": "none",
        "layer_exposure": "downwind of {name}",
        "layer_hover": "{place}<br>downwind: {share} of {hours} hours<br>difference: {increment} {unit} "
        "(95%: {low} to {high})",
        "layer_no_increment": "no difference to compute",
        "layer_caption": "Circles: how often each kit or station lay downwind of {name} (larger = more often) and how "
        "much higher {quantity} was then (red = higher, blue = lower; {period}); this is correlation with the wind, "
        "not proof of the cause.",
        "layer_empty": "No data for this map layer in the chosen period.",
        "episode_regional": "episode (regional)",
        "episode_local": "episode (local{emitter})",
        "episode_from": ", wind from {name}",
        "episode_hover": "{kind}: {start} – {end}, peak {peak} {unit} ({place})",
        "episodes_caption": "Shaded: episodes of high values, regional (many places at once) or local (one place, "
        "wind from a source); it shows when, not who caused it.",
        "timeline_episodes": "Episodes in this window: {n}.",
        "trend_title": "{quantity} per month, {place}",
        "trend_monthly": "monthly mean",
        "trend_deseasonalised": "without season",
        "trend_normalised": "weather-normalised",
        "trend_slope": "Trend: {slope} {unit} per year (95% interval {low} to {high}; {method}).",
        "trend_no_slope": "No trend can be computed: {note}",
        "trend_increment": "Downwind difference of {name}: {slope} {unit} per year (95%: {low} to {high}).",
        "trend_empty": "No monthly means in this period.",
        "trend_event_source": "source",
        "trend_caption": "The lines show the monthly mean and what remains after removing season and weather, with "
        "events as marks; a fall after an event fits an effect of it, but does not prove it (correlation, not "
        "proof; sensor readings are indicative).",
        "compare_before": "Before",
        "compare_after": "After",
        "compare_event": "Around an event",
        "compare_event_placeholder": "choose an event…",
        "compare_go": "Compare",
        "compare_title": "After minus before: {quantity} ({unit})",
        "compare_measured": "measured",
        "compare_normalised": "weather-normalised",
        "compare_line": "Before: {before} {unit}, after: {after} {unit}; difference {difference} {unit} (95% "
        "interval {low} to {high}), weather-normalised {ndifference} {unit} ({nlow} to {nhigh}).",
        "compare_bad_dates": "Choose a start before the end for both periods, and the before period before the "
        "after one.",
        "compare_caption": "The points show how much higher or lower {quantity} was after than before, with and "
        "without removing the weather; a difference fits a change, but does not prove what caused it "
        "(correlation, not proof).",
        "alerts_intro": "Get an e-mail when there is an episode or when a band lasts for some hours. You confirm "
        "through a link first; one click unsubscribes. Alerts are indicative.",
        "alerts_email": "E-mail address",
        "alerts_target": "For",
        "alerts_trigger": "When",
        "alerts_trigger_episode": "on an episode",
        "alerts_trigger_band": "when a band lasts",
        "alerts_band": "Band (or worse)",
        "alerts_hours": "Hours",
        "alerts_submit": "Subscribe",
        "alerts_sent": "Almost done: we sent a confirmation e-mail to {email}. Click the link in it.",
        "alerts_refused": "Not subscribed: {detail}",
        "alerts_bad_email": "Enter a valid e-mail address.",
        "alerts_no_target": "Choose an area or a kit.",
    },
}
