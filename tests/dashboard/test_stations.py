"""Reference stations on the map (pure): a target of three circles above the kits, a legend entry with its shape,
hover text in both languages."""

from dash import html

from dashboard.geo import load_outlines
from dashboard.legend import legend
from dashboard.map_figure import KIT_TRACE, LAYER_TRACE, RING_TRACE, STATION_TRACES, map_figure
from dashboard.markers import latest_markers
from dashboard.stations import comparison_trace, hover_text, nearest_of, nearest_sentence, station_markers
from tests.dashboard.samples import LATEST

STATIONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "NL49570",
            "geometry": {"type": "Point", "coordinates": [4.64053, 52.4893]},
            "properties": {
                "station_id": "NL49570",
                "name": "Beverwijk-Creutzberglaan",
                "operator": "luchtmeetnet",
                "components": ["PM25"],
                "latest": {"PM25": {"time": "2026-11-28T13:00:00Z", "value": 7.7, "unit": "µg/m³", "ucum": "ug/m3"}},
            },
        },
        {"type": "Feature", "id": "NL99998", "geometry": None,
         "properties": {"station_id": "NL99998", "name": "nowhere", "operator": "x", "components": [], "latest": {}}},
    ],
}  # fmt: skip


def test_located_stations_become_markers_with_their_latest_values():
    (marker,) = station_markers(STATIONS)
    assert (marker.station_id, marker.lat, marker.lon) == ("NL49570", 52.4893, 4.64053)
    assert "7,7 µg/m³" in hover_text(marker, "nl") and "Meetstation Beverwijk-Creutzberglaan" in hover_text(
        marker, "nl"
    )
    assert "PM2.5: 7.7 µg/m³" in hover_text(marker, "en")


def test_stations_are_targets_above_the_kits_and_differ_from_them_by_shape():
    fig = map_figure(
        latest_markers(LATEST, "eaqi-2024"), "en", "pm25", load_outlines(), stations=station_markers(STATIONS)
    )
    names = [t.name for t in fig.data]
    # The exposure layer (empty and hidden until switched on) keeps its place between the kits and the stations.
    assert names[:3] == ["rings", "kits", "exposure"] and names[3:] == list(STATION_TRACES)
    assert fig.data[LAYER_TRACE].visible is False and len(fig.data[LAYER_TRACE].lat) == 0
    sizes = [fig.data[3 + i].marker.size for i in range(3)]
    assert sizes == sorted(sizes, reverse=True)  # ring, white, centre: a target, which no kit marker is
    assert fig.data[4].marker.color == "#ffffff" and fig.data[3].marker.color == fig.data[5].marker.color
    assert all(t.customdata is None for t in fig.data[3:])  # a click on a station opens no kit
    assert fig.data[KIT_TRACE].name == "kits" and fig.data[RING_TRACE].name == "rings"
    plain = map_figure(latest_markers(LATEST, "eaqi-2024"), "en", "pm25", load_outlines())
    assert len(plain.data) == 3


def test_the_legend_names_the_station_shape_only_when_stations_are_shown():
    def items(n: int) -> list:
        ul = legend(latest_markers(LATEST, "eaqi-2024"), "nl", "pm25", "eaqi-2024", stations=n)[-1]
        return [li for li in ul.children if "legend-station" in li.className]

    (entry,) = items(1)
    mark, words = entry.children
    assert isinstance(mark, html.Span) and mark.className == "station-mark" and "Luchtmeetnet" in words
    assert items(0) == []


KIT = {"properties": {"nearest_station": {"station_id": "NL49570", "name": "Beverwijk-Creutzberglaan",
                                          "components": ["PM25"], "distance_m": 1234}}}  # fmt: skip


def test_the_kit_chart_compares_with_the_nearest_station_that_measures_the_quantity():
    nearest = nearest_of(KIT, "pm25")
    assert nearest["component"] == "PM25" and nearest_of(KIT, "pm10") is None and nearest_of(KIT, "t") is None
    rows = [{"time": "2026-11-28T13:00:00Z", "value": 7.7, "unit": "µg/m³"}]
    trace = comparison_trace(rows, nearest, "nl")
    assert list(trace.y) == [7.7] and trace.line.dash == "dash" and "1,2 km" in trace.name
    assert trace.x[0].hour == 14 and trace.x[0].minute == 30  # 13:00 UTC is 14:00 in Amsterdam, drawn mid-hour
    assert "Beverwijk-Creutzberglaan (NL49570), 1.2 km" in nearest_sentence(nearest, 1, "en")
    assert "no hourly values" in nearest_sentence(nearest, 0, "en")
    assert "No official station" in nearest_sentence(None, 0, "en")


def test_the_wind_line_points_where_the_air_goes_and_keeps_calm_apart():
    from dashboard.wind import newest_wind, sector, wind_line

    rows = [
        {"station_id": "240", "name": "Schiphol", "time": "2026-11-28T14:00:00Z", "wind_state": "direction",
         "wind_from": 90, "wind_speed": 3.0},
        {"station_id": "225", "name": "IJmuiden", "time": "2026-11-28T13:00:00Z", "wind_state": "direction",
         "wind_from": 225, "wind_speed": 7.5},
    ]  # fmt: skip
    row = newest_wind(rows)
    assert row["station_id"] == "225"  # on the coast, preferred over a newer Schiphol hour
    line = wind_line(row, "nl")
    arrow = line.children[2]
    assert arrow.children == "↓" and arrow.style == {"transform": "rotate(225deg)"}  # from SW: towards NE
    assert "7,5 m/s, uit het ZW (225°)" in line.children[3] and sector(350, "en") == "N"
    calm = wind_line({**row, "wind_state": "calm", "wind_from": None, "wind_speed": 0.0}, "en")
    assert "calm" in calm.children[1] and len(calm.children) == 2  # no arrow without a direction
    assert wind_line(None, "en") is None and newest_wind([]) is None
