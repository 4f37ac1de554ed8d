"""`ijlucht calibrate` on the imported Beverwijk co-location: fits, stores a versioned record, prints it as JSON."""

import json

import pytest

from ijlucht import calibrations, cli
from ijlucht.science import calibration
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures)
from tests.science.colocation import as_readings, beverwijk

pytestmark = pytest.mark.usefixtures("imported")


def calibrate(capsys, *argv: str) -> tuple[int, object, str]:
    rc = cli.main(["calibrate", *argv])
    out = capsys.readouterr()
    return rc, json.loads(out.out) if out.out.strip().startswith(("{", "[")) else out.out, out.err


def test_calibrate_prints_and_stores_the_record_and_meets_the_targets(conn, capsys):
    rc, record, _ = calibrate(capsys, "--kit", "HLL_545", "--station", "NL49570", "--json")
    assert rc == 0
    assert record["method"] == calibration.METHOD and record["kit"] == "sm-hll-545"
    assert record["external_id"] == "HLL_545" and record["n"] > 4000 and record["valid"]
    assert record["cv"]["rmse"] <= record["raw"]["rmse"] / 2
    assert record["cv"]["rmse"] <= record["humidity"]["rmse"]
    assert {"rmse", "r2", "bias", "mae", "slope"} <= set(record["cv"])
    assert record["correction_applied_to"] == "hourly-mean" and record["cv_scheme"] == "leave-one-month-out"
    stored = conn.execute(
        "SELECT kit_id, station_id, method, n, valid, metrics -> 'cv' ->> 'rmse' FROM calibrations WHERE id = %s",
        (record["id"],),
    ).fetchone()
    assert stored == ("sm-hll-545", "NL49570", calibration.METHOD, record["n"], True, str(record["cv"]["rmse"]))
    marked = conn.execute("SELECT metrics ->> 'correction_applied_to' FROM calibrations WHERE id = %s", (record["id"],))
    assert marked.fetchone() == ("hourly-mean",)


def test_two_kits_at_one_station_get_leave_one_kit_out_scores(capsys):
    rc, records, _ = calibrate(capsys, "--kit", "HLL_545", "--kit", "sm-hll-549", "--station", "NL49570", "--json")
    assert rc == 0
    assert [r["external_id"] for r in records] == ["HLL_545", "HLL_549"]
    for r in records:
        assert r["cv_kit"]["rmse"] <= r["raw"]["rmse"] / 2


def test_a_refit_adds_a_record_and_the_old_one_stays(conn, capsys):
    before = conn.execute("SELECT count(*) FROM calibrations").fetchone()[0]
    calibrate(capsys, "--kit", "HLL_549", "--station", "NL49570", "--start", "2023-03-01", "--end", "2023-06-01")
    assert conn.execute("SELECT count(*) FROM calibrations").fetchone()[0] == before + 1


def test_a_period_too_short_gives_an_invalid_record_with_its_reason_and_latest_returns_it(conn, capsys):
    rc, record, _ = calibrate(
        capsys, "--kit", "HLL_549", "--station", "NL49570", "--start", "2023-03-01", "--end", "2023-03-03", "--json"
    )
    assert rc == 1 and record["valid"] is False and record["coefficients"] is None
    assert "a calibration needs ≥ 168 hours" in record["reason"]
    latest = calibrations.latest(conn, "sm-hll-549")
    values, reason = calibration.apply(latest, [10.0], [70.0])
    assert values[0] != values[0] and reason.startswith("calibration not valid")


def test_unknown_kit_or_station_is_a_clear_error(capsys):
    rc, _, err = calibrate(capsys, "--kit", "HLL_999", "--station", "NL49570")
    assert rc == 2 and "no kit 'HLL_999': neither a registered kit nor one imported" in err
    rc, _, err = calibrate(capsys, "--kit", "HLL_545", "--station", "NL00000")
    assert rc == 2 and "no reference station 'NL00000'" in err


def test_an_ijlucht_kit_is_calibrated_on_its_raw_readings_each_corrected_before_the_hourly_mean(conn, capsys, make_kit):
    kit_id, _ = make_kit("colo")
    readings = as_readings(beverwijk("HLL_549"))
    with conn.cursor().copy("COPY readings (kit_id, time, pm25, rh) FROM STDIN") as copy:
        for t, row in readings.iterrows():
            copy.write_row((kit_id, t.to_pydatetime(), row["pm"], row["rh"]))
    raw = "SELECT count(*), sum(pm25), sum(rh) FROM readings WHERE kit_id = %s"
    before = conn.execute(raw, (kit_id,)).fetchone()
    rc, record, _ = calibrate(capsys, "--kit", kit_id, "--station", "NL49570", "--json")
    assert conn.execute(raw, (kit_id,)).fetchone() == before  # raw values never change
    assert rc == 0 and record["valid"] and record["external_id"] is None
    assert record["correction_applied_to"] == "reading" and record["n"] == len(beverwijk("HLL_549"))
    assert record["cv"]["rmse"] <= record["raw"]["rmse"] / 2
    assert record["cv"]["rmse"] <= record["humidity"]["rmse"]
