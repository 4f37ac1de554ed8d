"""Dated events as data: the shipped file loads, and a row without a public source or with a bad date is refused
with its line."""

import pytest

from ijlucht import events

HEADER = "id,date,date_precision,kind,emitter,place,title_nl,title_en,source_url,certainty,note\n"
GOOD = "a-1,2023-11-03,day,plan,tata-steel-ijmuiden,IJmuiden,plan,plan,https://example.org/a,stated,\n"


def test_the_shipped_events_each_have_a_public_source_and_a_known_precision_and_certainty():
    found = events.events()
    assert len(found) >= 8 and len({e.id for e in found}) == len(found)
    assert all(e.source_url.startswith("https://") and e.title_nl and e.title_en for e in found)
    assert [e.date for e in found] == sorted(e.date for e in found)
    assert {e.certainty for e in found} <= set(events.CERTAINTIES)


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("b-1,2023-02-30,day,plan,,,t,t,https://example.org/b,stated,\n", "events.csv:3: date"),
        ("b-1,2023-02-01,week,plan,,,t,t,https://example.org/b,stated,\n", "date_precision"),
        ("b-1,2023-02-01,day,plan,,,t,t,http://example.org/b,stated,\n", "public source_url"),
        ("b-1,2023-02-01,day,plan,,,t,t,https://example.org/b,rumour,\n", "certainty"),
        ("a-1,2023-02-01,day,plan,,,t,t,https://example.org/b,stated,\n", "repeated"),
    ],
)
def test_a_bad_row_is_refused_with_its_line_and_field(tmp_path, row, says):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + GOOD + row, encoding="utf-8")
    with pytest.raises(events.EventFileError, match=says):
        events.parse(path)


def test_empty_optional_fields_read_as_none_and_rows_sort_by_date(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + GOOD + GOOD.replace("a-1,2023-11-03", "a-2,2024-01-01").replace("tata-steel-ijmuiden", ""))
    found = events.parse(path)
    assert [e.id for e in found] == ["a-1", "a-2"] and found[1].emitter is None
