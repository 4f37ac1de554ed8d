"""docs/science.md states what the direction and exposure code does: method versions and every rule's number."""

from datetime import timedelta
from pathlib import Path

from ijlucht.science import background, direction, exposure

PAGE = (Path(__file__).resolve().parents[1] / "docs" / "science.md").read_text(encoding="utf-8")


def test_science_page_names_the_method_versions_and_every_rule_constant_with_its_value():
    assert f"`{direction.METHOD}`" in PAGE and f"`{exposure.METHOD}`" in PAGE
    stated = {
        "ADJACENT_KM": f"{direction.ADJACENT_KM:g} km",
        "CENTRE_HALF_SPAN_DEG": f"{direction.CENTRE_HALF_SPAN_DEG:g}°",
        "SURROUNDED_KM": f"{direction.SURROUNDED_KM:g} km",
        "TOLERANCE_DEG": f"{direction.TOLERANCE_DEG:g}°",
        "UPWIND_FROM_DEG": f"{direction.UPWIND_FROM_DEG:g}°",
        "CALM_BELOW_MS": f"{direction.CALM_BELOW_MS:g} m/s",
        "AREA_KM": f"{background.AREA_KM:g} km",
        "BOOTSTRAP_RESAMPLES": f"{exposure.BOOTSTRAP_RESAMPLES}",
        "SEED": f"{exposure.SEED}",
    }
    for constant, value in stated.items():
        assert f"`{constant}` = **{value}" in PAGE or f"`{constant}` = {value}" in PAGE, (constant, value)
    from api.attribution import RECOMPUTE_WITHIN

    assert timedelta(days=2) == RECOMPUTE_WITHIN and "`RECOMPUTE_WITHIN` = **2 days**" in PAGE
