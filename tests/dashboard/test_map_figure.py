import plotly.graph_objects as go
import pytest

from dashboard.geo import load_outlines
from dashboard.map_figure import KIT_TRACE, RING_TRACE, map_figure, probe_tile_url
from dashboard.markers import latest_markers
from tests.dashboard.samples import LATEST


@pytest.fixture(scope="module")
def outlines():
    return load_outlines()


def figure(outlines, **kw):
    return map_figure(latest_markers(LATEST, "eaqi-2024"), "nl", "pm25", outlines, **kw)


def test_map_is_a_scattermap_of_circles_on_the_offline_style_centred_on_the_ijmond(outlines):
    fig = figure(outlines)
    assert all(isinstance(t, go.Scattermap) for t in fig.data)
    assert all(t.marker.symbol in (None, "circle") for t in fig.data)  # other symbols need glyphs online
    assert all(t.mode == "markers" for t in fig.data)  # text labels would need fonts from the internet
    assert fig.layout.map.style == "white-bg"
    assert 52.42 <= fig.layout.map.center.lat <= 52.54 and 4.53 <= fig.layout.map.center.lon <= 4.72


def test_offline_map_draws_land_and_outlines_credited_to_cbs(outlines):
    layers = figure(outlines).layout.map.layers
    assert layers[0].type == "fill" and layers[0].source == outlines.municipalities
    assert outlines.districts in [layer.source for layer in layers]
    assert any("CBS / Kadaster" in (layer.sourceattribution or "") for layer in layers)


def test_a_full_map_style_keeps_outlines_without_the_land_fill(outlines):
    fig = figure(outlines, style="carto-positron")
    assert fig.layout.map.style == "carto-positron"
    assert [layer.type for layer in fig.layout.map.layers] == ["line", "line"]
    assert "CBS / Kadaster" in fig.layout.map.layers[0].sourceattribution


def test_raster_tiles_lie_over_the_land_fill_and_under_the_outlines_with_their_credit(outlines):
    url = "https://tiles.example.nl/{z}/{x}/{y}.png"
    layers = figure(outlines, tile_url=url, tile_attribution="© OpenStreetMap").layout.map.layers
    # The first layer lies lowest: where tiles do not load, the land fill and the outlines remain.
    assert [layer.type or layer.sourcetype for layer in layers] == ["fill", "raster", "line", "line"]
    assert list(layers[1].source) == [url] and layers[1].sourceattribution == "© OpenStreetMap"
    assert all(layer.below == "traces" for layer in layers)


def test_probe_tile_is_the_one_under_the_map_centre():
    # Web Mercator tile of lat 52.48, lon 4.635 at zoom 11: x = 1050, y = 672.
    assert probe_tile_url("https://t.example/{z}/{x}/{y}.png") == "https://t.example/11/1050/672.png"
    assert probe_tile_url("https://t.example/{z}/{x}/{y}.png", 0.0, 0.0, 1) == "https://t.example/1/1/1.png"


def test_click_data_carries_kit_id_and_name_on_both_traces(outlines):
    fig = figure(outlines)
    assert list(fig.data[KIT_TRACE].customdata[0]) == ["bev-01", "Beverwijk Centrum"]
    assert list(fig.data[RING_TRACE].customdata[0]) == ["bev-01", "Beverwijk Centrum"]


def test_height_is_left_to_css_so_phones_get_a_shorter_map(outlines):
    assert figure(outlines).layout.height is None and figure(outlines).layout.autosize
