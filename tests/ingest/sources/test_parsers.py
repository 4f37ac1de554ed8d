"""The parsers on the documented service formats (samples/README.md cites each page) and on hostile input."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.sources import knmi, luchtmeetnet, samenmeten
from ingest.sources.imports import import_file
from ingest.sources.rows import BadRow, hour_start

SAMPLES = Path(__file__).with_name("samples")


def test_luchtmeetnet_page_hours_are_the_start_of_the_measured_hour_and_nulls_are_skipped():
    page = luchtmeetnet.parse_file(SAMPLES / "luchtmeetnet_measurements_page2.json")
    assert [(r.station_id, r.component, r.hour, r.value) for r in page.rows] == [
        ("NL49570", "PM25", datetime(2023, 3, 1, 3, tzinfo=UTC), 5.9)
    ]
    assert page.problems == []


def test_luchtmeetnet_page_that_is_not_json_is_one_problem_not_a_crash():
    page = luchtmeetnet.parse_json_page("<html>502 Bad Gateway</html>", "page.json")
    assert page.rows == [] and str(page.problems[0]).startswith("page.json:1: not a Luchtmeetnet measurements page")


def test_luchtmeetnet_page_item_with_a_bad_station_is_named_and_the_others_kept():
    text = (
        '{"data": [{"station_number": "NL49570; DROP TABLE", "value": 1, "timestamp_measured": "2023-03-01T01:00:00Z",'
        ' "formula": "PM25"}, {"station_number": "NL49570", "value": 2, "timestamp_measured": "2023-03-01T02:00:00Z",'
        ' "formula": "PM25"}]}'
    )
    page = luchtmeetnet.parse_json_page(text, "p.json")
    assert len(page.rows) == 1
    assert "item 1: station 'NL49570; DROP TABLE' is not a Luchtmeetnet number" in str(page.problems[0])


def test_knmi_uurgegevens_hh_is_the_hour_ending_and_wind_states_are_kept():
    rows = knmi.parse_file(SAMPLES / "knmi_uurgegevens_225.txt").rows
    assert [(r.hour.hour, r.wind_state, r.wind_dir) for r in rows] == [
        (0, "direction", 210),
        (1, "calm", None),
        (2, "variable", None),
        (3, "direction", 360),
        (23, "direction", 250),
    ]
    assert (rows[0].wind_speed, rows[0].temperature, rows[0].humidity) == (8.0, 4.5, 88.0)
    assert (rows[3].temperature, rows[3].humidity) == (None, None)


def test_knmi_wind_direction_outside_the_legend_is_a_problem_naming_the_line():
    text = "# STN,YYYYMMDD,HH,DD,FH,T,U\n  225,20230301,1,500,10,40,90\n  225,20230301,2,200,10,40,90\n"
    parsed = knmi.parse_uurgegevens(text, "k.txt")
    assert len(parsed.rows) == 1
    assert str(parsed.problems[0]) == "k.txt:2: wind direction 500 is not 0 (calm), 990 (variable) or 1–360 degrees"


def test_the_same_hour_twice_with_other_values_is_a_conflict_and_the_same_values_a_repeat():
    text = "# STN,YYYYMMDD,HH,DD,FH,T,U\n 225,20230301,1,200,10,40,90\n 225,20230301,1,200,10,40,90\n"
    text += " 225,20230301,1,210,10,40,90\n"
    parsed = knmi.parse_uurgegevens(text, "k.txt")
    assert (len(parsed.rows), parsed.repeats) == (1, 1)
    assert str(parsed.problems[0]) == "k.txt:4: conflicts with line 2 for the same hour"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("NA", "no time"),
        ("yesterday", "is not an ISO date and time"),
        ("2023-03-01 10:15:00", "is not on the hour"),
        ("2023-03-01", "has no hour"),
    ],
)
def test_bad_times_are_refused_with_a_reason(text, reason):
    with pytest.raises(BadRow, match=reason):
        hour_start(text, "end")


def test_times_with_a_zone_are_converted_to_utc():
    assert hour_start("2023-03-01T12:00:00+01:00", "start") == datetime(2023, 3, 1, 11, tzinfo=UTC)


def test_a_line_too_long_for_csv_is_a_problem_and_the_lines_after_it_are_kept():
    text = "pm25,temperature,datetime,humidity\n" + "9" * 200_000 + ",1,2023-03-01 01:00:00+00:00,50\n"
    text += "5.0,10.0,2023-03-01 02:00:00+00:00,60.0\n"
    parsed = samenmeten.parse_csv(text, "HLL_1.csv")
    assert [r.hour.hour for r in parsed.rows] == [1]
    assert str(parsed.problems[0]).startswith("HLL_1.csv:2: unreadable CSV: field larger than field limit")


def test_line_numbers_follow_the_file_even_with_a_quoted_newline():
    text = 'station_number,date,pm25\n"NL49570",2023-03-01 01:00:00,"1\n2"\n"NL49570",2023-03-01 02:00:00,x\n'
    parsed = luchtmeetnet.parse_csv(text, "lmn.csv")
    assert [str(p) for p in parsed.problems] == [
        "lmn.csv:3: pm25 '1\\n2' is not a number",
        "lmn.csv:4: pm25 'x' is not a number",
    ]


def test_a_file_that_is_not_text_or_not_there_is_one_problem_naming_it(tmp_path):
    binary = tmp_path / "NL49570.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage\x80")
    for path in (binary, tmp_path / "missing.csv"):
        report = import_file(None, "luchtmeetnet", path)  # type: ignore[arg-type]  (nothing reaches the database)
        assert report.rows == 0 and report.problems[0].reason.startswith("cannot read the file")
