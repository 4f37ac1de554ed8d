"""Every fixed text of the page and the labels of the choices in one language (pure): the language callback sets
them when the reader switches, and the layout carries them from the start, so a page opened in a link's language
shows it without waiting for a callback."""

from typing import Any

from dashboard.i18n import text
from dashboard.layout import AREA_LEVELS, RANGES, WINDOWS
from dashboard.legend import quantity_label
from dashboard.markers import CORRECTIONS, QUANTITY_CHOICES
from dashboard.periods import ROLLING, period_choices
from dashboard.science_layout import ALERT_TRIGGERS, VIEWS
from ijlucht.bands import SCALES
from ijlucht.licence import DATA_LICENCE

# (component id, property): the language callback's outputs, in this order.
TEXT_PROPS = (
    ("page", "lang"),
    ("title", "children"),
    ("subtitle", "children"),
    ("language-label", "children"),
    ("quantity-label", "children"),
    ("scale-label", "children"),
    ("correction-label", "children"),
    ("window-label", "children"),
    ("compare-label", "children"),
    ("areas-title", "children"),
    ("quantity", "options"),
    ("scale", "options"),
    ("correction", "options"),
    ("window", "options"),
    ("area-level", "options"),
    ("footer", "children"),
    ("tile-note", "children"),
    ("range-label", "children"),
    ("kit-range", "options"),
    ("download-label", "children"),
    ("map-keys", "aria-label"),
    ("signup-link", "children"),
    ("signup-link", "href"),
    # the science views (dashboard/science_layout.py)
    ("analysis-title", "children"),
    ("analysis-place-label", "children"),
    ("analysis-place", "placeholder"),
    ("analysis-period-label", "children"),
    ("analysis-period", "options"),
    ("analysis-view-label", "children"),
    ("analysis-view", "options"),
    ("analysis-hint", "children"),
    ("layer-label", "children"),
    ("compare-event-label", "children"),
    ("compare-event", "placeholder"),
    ("compare-before-label", "children"),
    ("compare-after-label", "children"),
    ("compare-go", "children"),
    ("alerts-intro", "children"),
    ("alerts-email-label", "children"),
    ("alerts-target-label", "children"),
    ("alerts-trigger-label", "children"),
    ("alerts-trigger", "options"),
    ("alerts-band-label", "children"),
    ("alerts-hours-label", "children"),
    ("alerts-submit", "children"),
)


def period_label(key: str, language: str) -> str:
    return text(f"period_{key}", language) if key in ROLLING else text("period_year", language, year=key)


def page_texts(language: str, scale: str) -> dict[tuple[str, str], Any]:
    """The value of each of TEXT_PROPS in `language` (a checked language); the footer names `scale`."""
    scale_name = SCALES[scale].label(language) if scale in SCALES else ""
    values = (
        language,
        text("title", language),
        text("subtitle", language),
        text("language_label", language),
        text("quantity_label", language),
        text("scale_label", language),
        text("correction_label", language),
        text("window_label", language),
        text("compare_label", language),
        text("areas_title", language),
        [{"label": quantity_label(q, language), "value": q} for q in QUANTITY_CHOICES],
        [{"label": s.label(language), "value": key} for key, s in SCALES.items()],
        [{"label": text(f"correction_{c}", language), "value": c} for c in CORRECTIONS],
        [{"label": text(f"window_{w}", language), "value": w} for w in WINDOWS],
        [{"label": text(f"areas_level_{lv}", language), "value": lv} for lv in AREA_LEVELS],
        text("footer", language, scale=scale_name, licence=f"{DATA_LICENCE.id} ({DATA_LICENCE.url})"),
        text("tile_note", language),
        text("range_label", language),
        [{"label": text(f"range_{r}", language), "value": r} for r in RANGES],
        text("download_label", language),
        text("map_keys", language),
        text("signup_link", language),
        f"/signup?lang={language}",  # the sign-up form (dashboard/signup_page.py), in the page's language
        text("analysis_title", language),
        text("analysis_place_label", language),
        text("analysis_place_placeholder", language),
        text("analysis_period_label", language),
        [{"label": period_label(p, language), "value": p} for p in period_choices()],
        text("analysis_view_label", language),
        [{"label": text(f"view_{v}", language), "value": v} for v in VIEWS],
        text("analysis_hint", language),
        text("layer_label", language),
        text("compare_event", language),
        text("compare_event_placeholder", language),
        text("compare_before", language),
        text("compare_after", language),
        text("compare_go", language),
        text("alerts_intro", language),
        text("alerts_email", language),
        text("alerts_target", language),
        text("alerts_trigger", language),
        [{"label": text(f"alerts_trigger_{t}", language), "value": t} for t in ALERT_TRIGGERS],
        text("alerts_band", language),
        text("alerts_hours", language),
        text("alerts_submit", language),
    )
    return dict(zip(TEXT_PROPS, values, strict=True))


def with_texts(layout: Any, texts: dict[tuple[str, str], Any]) -> Any:
    """`layout` (a Dash component tree) with each text of `texts` set on the component of that id."""
    by_id = {c.id: c for c in layout._traverse() if isinstance(getattr(c, "id", None), str)}
    by_id[layout.id] = layout
    for (component_id, prop), value in texts.items():
        setattr(by_id[component_id], prop, value)
    return layout
