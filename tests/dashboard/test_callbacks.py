from dashboard import figures
from dashboard.callbacks import map_caption, marker_patch
from tests.dashboard.samples import KITS


def test_caption_states_quantity_unit_latest_value_and_its_time():
    caption = map_caption(figures.kit_markers(KITS), "nl")
    assert caption.startswith("PM2,5 in µg/m³: laatste waarde per kit (nieuwste: 29-11-2026 00:59)")
    assert "5 kits op de kaart" in caption


def test_caption_in_english_and_without_values():
    assert map_caption([], "en").startswith("PM2.5 in µg/m³: no readings yet.")


def test_refresh_patch_sends_only_marker_arrays_not_the_outlines():
    markers = figures.kit_markers(KITS)
    ops = marker_patch(markers, "en").to_plotly_json()["operations"]
    paths = {tuple(op["location"]) for op in ops}
    assert ("data", figures.KIT_TRACE, "marker", "color") in paths
    assert ("data", figures.KIT_TRACE, "hovertext") in paths
    assert not any("layout" in p for p in paths)
    colour_op = next(op for op in ops if tuple(op["location"]) == ("data", figures.KIT_TRACE, "marker", "color"))
    assert colour_op["params"]["value"] == [m.colour for m in markers]
