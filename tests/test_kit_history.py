"""Kit history (migration 052, ijlucht/kithistory.py): moving a kit adds a version and never overwrites one
(area statistics over moved kits: tests/api/test_stats_history.py)."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from ijlucht import kithistory, kits

BEVERWIJK = (52.4874, 4.6573)  # GM0375
IJMUIDEN = (52.458, 4.615)  # GM0453 Velsen


def test_a_move_adds_a_version_and_keeps_the_old_one(settings, conn, make_kit):
    kit_id, _ = make_kit("mover", *BEVERWIJK, height_m=3.0, sensors=("sds011",))
    v = kithistory.move_kit(conn, settings, kit_id, *IJMUIDEN, height_m=5.0, indoor=True)
    old, new = kithistory.history(conn, kit_id)
    assert (old.lat, old.lon, old.municipality_code, old.height_m, old.indoor) == (*BEVERWIJK, "GM0375", 3.0, False)
    assert old.valid_to == new.valid_from == v.valid_from and new.valid_to is None
    assert (new.lat, new.municipality_code, new.height_m, new.indoor, new.sensors) == (
        IJMUIDEN[0],
        "GM0453",
        5.0,
        True,
        ["sds011"],
    )
    row = conn.execute("SELECT lat, municipality_code, indoor FROM kits WHERE kit_id = %s", (kit_id,)).fetchone()
    assert row == (IJMUIDEN[0], "GM0453", True)  # the kit's current values follow the latest version


def test_history_is_never_rewritten(settings, conn, make_kit):
    kit_id, _ = make_kit("fixed", *BEVERWIJK)
    first = kithistory.history(conn, kit_id)[0].valid_from
    with pytest.raises(ValueError, match="history is never rewritten"):
        kithistory.move_kit(conn, settings, kit_id, *IJMUIDEN, valid_from=first - timedelta(hours=1))
    with pytest.raises(ValueError, match="future"):
        kithistory.move_kit(conn, settings, kit_id, *IJMUIDEN, valid_from=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(kits.KitNotFound):
        kithistory.move_kit(conn, settings, "no-such-kit", *IJMUIDEN)
    assert len(kithistory.history(conn, kit_id)) == 1


def test_a_sensor_change_the_kit_reports_is_a_version_too(conn, make_kit):
    kit_id, _ = make_kit("sensed", *BEVERWIJK, sensors=("sds011",))
    conn.execute("UPDATE kits SET sensors = %s WHERE kit_id = %s", (["sds011", "bme280"], kit_id))
    conn.execute("UPDATE kits SET sensors = %s WHERE kit_id = %s", (["sds011", "bme280"], kit_id))  # unchanged
    assert [v.sensors for v in kithistory.history(conn, kit_id)] == [["sds011"], ["sds011", "bme280"]]


def test_the_cli_moves_a_kit_and_shows_its_history(settings, make_kit):
    kit_id, _ = make_kit("climove", *BEVERWIJK)
    run = [sys.executable, "-m", "ijlucht.cli", "kits"]
    moved = subprocess.run(
        [*run, "move", kit_id, "--lat", "52.458", "--lon", "4.615", "--outdoor"], text=True, capture_output=True
    )
    assert moved.returncode == 0 and "GM0453" in moved.stdout, moved.stderr
    shown = subprocess.run([*run, "history", kit_id], text=True, capture_output=True).stdout.splitlines()
    assert len(shown) == 2 and "GM0375" in shown[0] and "GM0453" in shown[1] and shown[1].split()[2] == "now"
    bad = subprocess.run(
        [*run, "move", "no-such-kit", "--lat", "52.458", "--lon", "4.615"], text=True, capture_output=True
    )
    assert bad.returncode == 2 and "no kit" in bad.stderr
