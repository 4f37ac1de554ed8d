"""The documentation researchers read says what the code does: quality rules and thresholds, method version."""

from pathlib import Path

from ijlucht import quality
from ijlucht.quantities import QUANTITIES
from ingest import corroboration, history

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _number(x: float) -> str:
    return f"{x:g}"


def test_quality_page_gives_the_method_version_and_every_threshold_of_the_code():
    page = (DOCS / "quality.md").read_text(encoding="utf-8")
    assert f"**Method version {quality.METHOD_VERSION}**" in page
    for name in quality.NAMES.values():
        assert f"`{name}`" in page, name
    stated = {
        "ALPHA": history.ALPHA,
        "SPIKE_K": history.SPIKE_K,
        "SPIKE_MIN_SAMPLES": history.SPIKE_MIN_SAMPLES,
        "FLATLINE_MIN_READINGS": history.FLATLINE_MIN_READINGS,
        "FLATLINE_MIN_SPAN_S": history.FLATLINE_MIN_SPAN_S,
        "WARM_UP_S": history.WARM_UP_S,
        "HIGH_RH": quality.HIGH_RH,
        "PM_ROUNDING": quality.PM_ROUNDING,
        "BACKFILL_AFTER_S": quality.BACKFILL_AFTER_S,
        "NEIGHBOUR_KM": corroboration.NEIGHBOUR_KM,
        "BASELINE_HOURS": corroboration.BASELINE_HOURS,
        "BASELINE_MIN_HOURS": corroboration.BASELINE_MIN_HOURS,
        "NEIGHBOUR_SHARE": corroboration.NEIGHBOUR_SHARE,
        "LAG_HOURS": corroboration.LAG_HOURS,
    }
    for constant, value in stated.items():
        assert f"`{constant}`" in page, constant
        assert _number(value) in page, (constant, value)
    floors = {"pm1": "15 µg/m³", "pm25": "15 µg/m³", "pm10": "25 µg/m³", "t": "4 °C", "rh": "15 % RH", "p": "3 hPa"}
    for key, text in floors.items():
        assert text.split()[0] == _number(history.SPIKE_FLOOR[key]) and text in page, key
    for q in QUANTITIES:
        assert f"{_number(q.maximum)} |" in page or f"{_number(q.maximum)} " in page, q.key
