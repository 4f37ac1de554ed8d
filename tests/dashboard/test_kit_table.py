"""The kit list: every kit a row with a keyboard-reachable name, band in words, sortable columns."""

from dash import html

from dashboard.kit_table import kit_table
from dashboard.markers import latest_markers
from tests.dashboard.samples import LATEST

PLACES = {"bev-01": "Beverwijk", "wij-01": "Beverwijk", "vel-01": "Velsen", "hee-01": "Heemskerk", "hee-02": None}


def rows(table) -> list[list[str]]:
    body = table[0].children[2]
    out = []
    for tr in body.children:
        first = tr.children[0].children  # a button with the kit name
        cells = [first.children] + [
            " ".join(str(c) for c in td.children if isinstance(c, str)).strip()
            if isinstance(td.children, list)
            else str(td.children)
            for td in tr.children[1:]
        ]
        out.append(cells)
    return out


def test_each_kit_is_a_row_with_band_in_words_and_state():
    table = kit_table(latest_markers(LATEST, "eaqi-2024"), PLACES, "nl", "pm25", {"column": "name"})
    assert isinstance(table[0], html.Table)
    by_name = {r[0]: r for r in rows(table)}
    assert by_name["Beverwijk Centrum"] == ["Beverwijk Centrum", "Beverwijk", "7,1", "redelijk", "online"]
    assert by_name["IJmuiden"][4] == "offline" and by_name["Heemskerk Oost"][4] == "geen recente meting"
    assert by_name["Heemskerk"][2] == "–" and by_name["Heemskerk"][3] == "–"
    assert "5 kits" in table[0].children[0].children


def test_columns_sort_both_ways_and_say_so_for_screen_readers():
    markers = latest_markers(LATEST, "eaqi-2024")
    by_value = rows(kit_table(markers, PLACES, "en", "pm25", {"column": "value", "descending": True}))
    assert [r[2] for r in by_value] == ["95.0", "7.1", "4.0", "3.0", "–"]
    ascending = kit_table(markers, PLACES, "en", "pm25", {"column": "value"})
    assert [r[2] for r in rows(ascending)][:4] == ["3.0", "4.0", "7.1", "95.0"]
    headers = ascending[0].children[1].children.children
    assert [h.to_plotly_json()["props"]["aria-sort"] for h in headers] == [
        "none", "none", "ascending", "none", "none"
    ]  # fmt: skip
    assert rows(kit_table(markers, PLACES, "en", "pm25", {"column": "?"}))[0][0] == "Beverwijk Centrum"


def test_kit_names_are_buttons_that_carry_the_kit_id():
    table = kit_table(latest_markers(LATEST, "eaqi-2024"), PLACES, "en", "pm25", {})
    first = table[0].children[2].children[0].children[0].children
    assert isinstance(first, html.Button) and first.id == {"type": "kit-pick", "kit": "bev-01"}
