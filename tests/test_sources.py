"""Emitters come from data/sources with their notes; the steelworks seen from the IJmond stations."""

import pytest

from ijlucht import geo, sources
from ijlucht.science import direction


def test_the_steelworks_is_shipped_with_centre_outline_and_where_they_come_from():
    tata = sources.get_emitter("tata-steel-ijmuiden")
    assert (tata.centre_lat, tata.centre_lon) == (52.480, 4.600)
    assert len(tata.outline) >= 8
    assert "ijmond.md" in tata.source_note and "approximate" in tata.source_note
    lons = [x for x, _ in tata.outline]
    lats = [y for _, y in tata.outline]
    # Inside the site box of the reference notes: lat 52.465–52.500, lon 4.565–4.640.
    assert min(lats) >= 52.465 and max(lats) <= 52.500 and min(lons) >= 4.565 and max(lons) <= 4.640
    assert sources.outline_geometry("tata-steel-ijmuiden")["type"] == "Polygon"


def test_an_unknown_emitter_names_the_known_ones():
    with pytest.raises(sources.UnknownEmitter, match="tata-steel-ijmuiden"):
        sources.get_emitter("hoogovens")


def test_steelworks_seen_from_the_stations_points_where_the_map_says():
    tata = sources.get_emitter("tata-steel-ijmuiden")
    st = geo.stations()

    def view(code):
        return direction.view_of(st[code].lat, st[code].lon, tata)

    # Wijk aan Zee lies north of the works, IJmuiden south across the canal, Beverwijk east, Reyndersweg on its
    # west side (inside the drawn outline).
    assert 160 < view("NL49553").bearing_deg < 200
    assert view("NL49551").bearing_deg > 340 or view("NL49551").bearing_deg < 20
    assert 230 < view("NL49570").bearing_deg < 280
    assert view("NL49573").inside and view("NL49573").rule == "centre"
    assert view("NL49572").adjacent and view("NL49551").adjacent
    assert view("NL49570").rule == "outline" and view("NL49570").distance_km > 2.5
