import plotly.graph_objects as go
import pytest

from dashboard.geo import load_outlines
from dashboard.map_figure import KIT_TRACE, RING_TRACE, map_figure
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


def test_tile_style_from_settings_keeps_outlines_without_the_land_fill(outlines):
    fig = figure(outlines, style="carto-positron")
    assert fig.layout.map.style == "carto-positron"
    assert [layer.type for layer in fig.layout.map.layers] == ["line", "line"]
    assert "CBS / Kadaster" in fig.layout.map.layers[0].sourceattribution


def test_configured_raster_tile_server_lies_under_the_outlines_with_its_credit(outlines):
    url = "https://tiles.example.nl/{z}/{x}/{y}.png"
    layers = figure(outlines, tile_url=url, tile_attribution="© OpenStreetMap").layout.map.layers
    assert layers[0].sourcetype == "raster" and list(layers[0].source) == [url]
    assert layers[0].sourceattribution == "© OpenStreetMap" and layers[0].below == "traces"


def test_click_data_carries_kit_id_and_name_on_both_traces(outlines):
    fig = figure(outlines)
    assert list(fig.data[KIT_TRACE].customdata[0]) == ["bev-01", "Beverwijk Centrum"]
    assert list(fig.data[RING_TRACE].customdata[0]) == ["bev-01", "Beverwijk Centrum"]


def test_height_is_left_to_css_so_phones_get_a_shorter_map(outlines):
    assert figure(outlines).layout.height is None and figure(outlines).layout.autosize
