"""`ijlucht import` on the real shipped files: idempotent, bad lines named and the rest kept, hours at the start."""

import shutil
from datetime import UTC, datetime

from ijlucht import cli
from ingest.sources import samenmeten
from tests.ingest.sources.conftest import KNMI, LUCHTMEETNET, REFERENCE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = cli.main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_importing_the_real_files_again_changes_nothing(imported, conn, capsys):
    tables = ("reference_hourly", "weather_hourly", "external_hourly", "external_kits", "reference_stations")
    before = {t: count(conn, t) for t in tables}
    snapshot = conn.execute("SELECT sum(value), max(hour) FROM reference_hourly").fetchone()
    for source, files in (("luchtmeetnet", LUCHTMEETNET), ("knmi", KNMI)):
        rc, out, _ = run(capsys, "import", source, *map(str, files))
        assert rc == 0
        assert all(" 0 new or changed" in line for line in out.splitlines()), out
    assert {t: count(conn, t) for t in tables} == before
    assert conn.execute("SELECT sum(value), max(hour) FROM reference_hourly").fetchone() == snapshot
    # 2023: NL49570, then NL49551, 553, 557, 572, 573 (the steelworks analysis); the IJmond multi-station file
    assert before["reference_hourly"] == 5613 + 5804 + 5759 + 5744 + 5852 + 5845 + 17330


def test_stations_get_their_names_and_positions_from_data_geo(imported, conn):
    assert conn.execute(
        "SELECT name, lat, lon, components FROM reference_stations WHERE station_id = 'NL49570'"
    ).fetchone() == ("Beverwijk-Creutzberglaan", 52.4893, 4.64053, ["PM10", "PM25"])  # components with values
    assert conn.execute("SELECT name FROM weather_stations WHERE station_id = '225'").fetchone() == (
        "IJmuiden (wind only)",
    )


def test_each_station_position_says_where_it_comes_from_and_a_missing_one_why(imported, conn):
    rows = dict(conn.execute("SELECT station_id, position_source FROM reference_stations").fetchall())
    assert "Samen-analyseren-tool" in rows["NL49570"] and "global.R" in rows["NL49570"]
    assert conn.execute("SELECT lat FROM reference_stations WHERE station_id = 'NL49557'").fetchone() == (None,)
    assert "not found" in rows["NL49557"] and "luchtmeetnet.nl" in rows["NL49557"]
    assert (
        "locaties_knmi_all"
        in conn.execute("SELECT position_source FROM weather_stations WHERE station_id = '225'").fetchone()[0]
    )


def test_luchtmeetnet_end_of_hour_labels_are_stored_as_the_start_of_the_hour(imported, conn):
    # NL49570.csv's first row: 85.7 µg/m³ labelled 2023-01-01 00:00 (the hour 2022-12-31 23:00–24:00).
    value = conn.execute(
        "SELECT value FROM reference_hourly WHERE station_id = 'NL49570' AND component = 'PM25' AND hour = %s",
        (datetime(2022, 12, 31, 23, tzinfo=UTC),),
    ).fetchone()
    assert value == (85.7,)
    # The fireworks peak at NL49551, labelled 2020-01-01 00:00 in the shared data, is the hour from 23:00.
    peak = conn.execute(
        "SELECT hour FROM reference_hourly WHERE station_id = 'NL49551' AND component = 'PM25' "
        "ORDER BY value DESC LIMIT 1"
    ).fetchone()
    assert peak == (datetime(2019, 12, 31, 23, tzinfo=UTC),)


def test_reference_values_are_never_clipped(imported, conn):
    negatives = conn.execute("SELECT count(*), min(value) FROM reference_hourly WHERE station_id = 'NL49570' "
                             "AND component = 'PM25' AND value < 0 AND hour >= '2022-12-31'").fetchone()  # fmt: skip
    assert negatives == (125, -6.2)


def test_knmi_calm_and_variable_wind_are_states_not_directions(imported, conn):
    rows = dict(
        conn.execute(
            "SELECT wind_state, count(*) FROM weather_hourly WHERE station_id = '225' AND hour >= '2023-01-01' "
            "AND wind_dir IS NULL GROUP BY wind_state"
        ).fetchall()
    )
    assert rows.get("calm", 0) > 0 and rows.get("variable", 0) > 0
    assert conn.execute("SELECT count(*) FROM weather_hourly WHERE wind_dir IN (0, 990)").fetchone() == (0,)
    first = conn.execute(
        "SELECT hour, wind_dir, wind_speed FROM weather_hourly WHERE station_id = '225' ORDER BY hour LIMIT 1"
    ).fetchone()
    # knmi_225_257's first row, labelled 2019-12-23 01:00 (HH 1), covers 00:00–01:00 UT.
    assert first == (datetime(2019, 12, 23, 0, tzinfo=UTC), 250, 7.0)


def test_external_kits_get_a_valid_platform_id_and_keep_theirs_apart_from_readings(imported, conn):
    kits = dict(conn.execute("SELECT external_id, kit_id FROM external_kits").fetchall())
    assert kits["HLL_545"] == "sm-hll-545" and kits["HLL_hl_device_001"] == "sm-hll-hl-device-001"
    assert conn.execute("SELECT count(*) FROM external_hourly WHERE kit_id = 'sm-hll-545'").fetchone() == (4569,)
    assert conn.execute("SELECT count(*) FROM readings WHERE kit_id LIKE 'sm-%'").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM kits WHERE kit_id LIKE 'sm-%'").fetchone() == (0,)
    # The multi-kit file gives positions, but never the source's 0,0 ("no position").
    assert conn.execute("SELECT count(*) FROM external_kits WHERE lat = 0 AND lon = 0").fetchone() == (0,)
    assert conn.execute("SELECT lat, lon FROM external_kits WHERE kit_id = 'sm-hll-hl-device-001'").fetchone() == (
        52.473,
        4.663,
    )


def test_the_sources_error_rows_are_named_by_file_and_line_and_the_rest_is_kept(empty_sources, conn, capsys):
    path = REFERENCE / "samenmeten" / "hll_sensors_2019-12-23_2020-01-08_first1145.csv"
    rc, out, err = run(capsys, "import", "samenmeten", str(path))
    assert rc == 1
    assert f"{path}:378: kit HLL_hl_device_003: no time (the source's error row: error in: https://" in err
    assert "1129 rows" in out and "16 problem(s)" in out
    assert conn.execute("SELECT count(*) FROM external_hourly WHERE kit_id LIKE 'sm-hll-hl-device-%'").fetchone()[0]


def test_a_bad_line_in_a_real_file_is_reported_and_every_other_line_is_stored(empty_sources, conn, capsys, tmp_path):
    lines = (REFERENCE / "samenmeten" / "HLL_549.csv").read_text().splitlines()
    lines.insert(10, "lots,of,garbage,here")
    lines.insert(15, "1,2,3")
    lines.insert(21, "6.1,12.0,2023-02-23 08:30:00+00:00,70.0")
    bad = tmp_path / "HLL_549.csv"
    bad.write_text("\n".join(lines) + "\n")
    conn.execute("DELETE FROM external_hourly WHERE kit_id = 'sm-hll-549'")
    rc, _, err = run(capsys, "import", "samenmeten", str(bad))
    assert rc == 1
    assert f"{bad}:11: time 'garbage' is not an ISO date and time" in err
    assert f"{bad}:16: number of fields differs from the header" in err
    assert f"{bad}:22: time '2023-02-23 08:30:00+00:00' is not on the hour" in err
    assert conn.execute("SELECT count(*) FROM external_hourly WHERE kit_id = 'sm-hll-549'").fetchone() == (4492,)


def test_one_station_file_needs_its_station_from_the_name_or_the_option(empty_sources, conn, capsys, tmp_path):
    unnamed = tmp_path / "station.csv"
    shutil.copy(REFERENCE / "luchtmeetnet" / "NL49570.csv", unnamed)
    rc, _, err = run(capsys, "import", "luchtmeetnet", str(unnamed))
    assert rc == 1 and f"{unnamed}:1: one-station file: name the station (--station NL49570)" in err
    rc, out, _ = run(capsys, "import", "luchtmeetnet", "--station", "NL49570", str(unnamed))
    assert rc == 0 and "5613 rows" in out


def test_platform_kit_ids_are_valid_and_distinct():
    import re

    ids = {samenmeten.platform_kit_id(e) for e in ("HLL_545", "LTD_12345", "HLL_hl_device_001", "X" * 60, "Y" * 60)}
    assert len(ids) == 5
    assert all(re.match(r"^[a-z0-9][a-z0-9-]{2,31}$", i) for i in ids)
