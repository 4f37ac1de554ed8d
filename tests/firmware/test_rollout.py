"""Updates that say what they did: a signed update's version is the version the kit reports afterwards, and an
operator rolls an update out to a share of a fleet of virtual kits (real firmware, real broker, real ingest and
database), then to all, and sees per kit whether it took (`ijlucht kits rollout` / `ijlucht kits updates`)."""

import json
import secrets
import subprocess
from pathlib import Path

import pytest

from ijlucht import cli, kitupdates
from ijlucht.settings import PlatformSettings
from tests.conftest import wait_for
from tests.firmware.kitbroker import kit_config
from tests.firmware.test_kit_commands import RESET_EXIT_CODE, infos, send_command, signed, start
from tests.firmware.test_virtual_kit_publishes import SERIES
from virtualkit.launch import start_kit, write_kit_dir

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"


def test_an_update_that_leaves_kit_init_alone_still_changes_the_reported_version(
    broker, tmp_path: Path, kits: list
) -> None:
    from ijlucht import kitcommands

    recorder, kit_dir = start(broker, tmp_path, "vk-version-1", kits)
    try:
        update = kitcommands.update_command(FIRMWARE, ["kit/health.py"], "0.2.1-v", "u-v1")
        send_command(broker, "vk-version-1", signed(broker, "vk-version-1", update))
        assert kits[-1].wait(timeout=20) == RESET_EXIT_CODE
        kits.append(start_kit(kit_dir))
        info = recorder.wait(lambda: [i for i in infos(recorder) if i["fw"] == "0.2.1-v"], 30, "info from 0.2.1-v")
        assert info[-1]["last_cmd"] == {"cmd": "update", "ok": True, "version": "0.2.1-v"}
        assert (kit_dir / "fw" / "version").read_text() == "0.2.1-v"
        readings = recorder.wait(
            lambda: [json.loads(p) for p, _ in recorder.of("readings") if json.loads(p)["fw"] == "0.2.1-v"],
            20,
            "readings sent by 0.2.1-v",
        )
        assert readings
    finally:
        recorder.close()


class Fleet:
    """Virtual kits that come back after a reset, as a powered kit does."""

    def __init__(self, kits: list) -> None:
        self.kits = kits
        self.dirs: dict[str, Path] = {}
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, kit_id: str, kit_dir: Path) -> None:
        self.dirs[kit_id] = kit_dir
        self.procs[kit_id] = start_kit(kit_dir)
        self.kits.append(self.procs[kit_id])

    def revive(self) -> None:
        for kit_id, proc in self.procs.items():
            if proc.poll() == RESET_EXIT_CODE:
                self.start(kit_id, self.dirs[kit_id])


def firmware_of(conn, kit_ids: list[str]) -> dict[str, str | None]:
    rows = conn.execute("SELECT kit_id, firmware FROM kits WHERE kit_id = ANY(%s)", (kit_ids,)).fetchall()
    return dict(rows)


@pytest.mark.slow
def test_an_update_rolls_out_to_a_share_then_to_all_and_each_kit_says_whether_it_took(
    broker, make_kit, conn, ingest_worker, settings: PlatformSettings, tmp_path: Path, kits: list, capsys
) -> None:
    fleet = Fleet(kits)
    ids = []
    for _ in range(4):
        kit_id, password = make_kit("vk-roll")
        ids.append(kit_id)
        fleet.start(kit_id, write_kit_dir(tmp_path / kit_id, kit_config(kit_id, password), SERIES, broker.update_key))
    wait_for(
        lambda: all(
            conn.execute("SELECT online AND firmware IS NOT NULL FROM kits WHERE kit_id = %s", (k,)).fetchone()[0]
            for k in ids
        ),
        40,
        what="four kits online",
    )
    # A version whose first half of these four kits is one to three of them (the split is by hash).
    version = next(
        v
        for v in (f"0.3.{n}-roll{secrets.token_hex(2)}" for n in range(100))
        if 0 < sum(kitupdates.in_share(k, v, 50) for k in ids) < 4
    )
    first = [k for k in ids if kitupdates.in_share(k, version, 50)]
    # A share of these four (other tests' kits share the database: a share of the whole fleet would reach them).
    argv = ["kits", "rollout", "kit/health.py", "--version", version, "--share", "50", "--kits", ",".join(ids)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"update {version} (share 50 of list): sent to {len(first)} kit(s)" in out

    def took(expected: list[str]) -> bool:
        fleet.revive()
        return all(v == version for k, v in firmware_of(conn, ids).items() if k in expected)

    wait_for(lambda: took(first), 60, what="the first share runs the update")
    others = firmware_of(conn, [k for k in ids if k not in first])
    assert all(v != version for v in others.values())  # nobody else got it

    assert cli.main(["kits", "updates", "--version", version]) == 0
    table = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split() for line in table[1:-1]}
    assert set(rows) == set(first) and all(
        r[1] == version and r[2] == version and r[3] == "took" for r in rows.values()
    )
    assert table[-1] == f"{len(first)} took, 0 sent, 0 failed, 0 mismatch"

    assert cli.main(["kits", "rollout", "kit/health.py", "--version", version, "--kits", ",".join(ids)]) == 0
    out = capsys.readouterr().out
    assert f"sent to {4 - len(first)} kit(s)" in out and f"{len(first)} run it already" in out
    wait_for(lambda: took(ids), 60, what="every kit runs the update")
    assert cli.main(["kits", "updates", "--version", version]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "4 took, 0 sent, 0 failed, 0 mismatch"
    assert cli.main(["kits", "rollout", "kit/health.py", "--version", version, "--kits", ",".join(ids)]) == 0
    assert "sent to 0 kit(s)" in capsys.readouterr().out  # nothing is sent twice
    for kit_id in ids:
        info = conn.execute("SELECT info FROM kits WHERE kit_id = %s", (kit_id,)).fetchone()[0]
        assert info["fw"] == version and info["last_cmd"] == {"cmd": "update", "ok": True, "version": version}

    # One kit on its own (`kits update`) is recorded too, and the table follows it from sent to took.
    single = version + "-k"
    assert cli.main(["kits", "update", ids[0], "kit/health.py", "--version", single]) == 0
    assert "sent update" in capsys.readouterr().out
    assert cli.main(["kits", "updates", "--version", single]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[0] == ids[0] and row[1] == single and row[3] in ("sent", "took") and row[-1] == "kit"

    def single_took() -> bool:
        fleet.revive()
        return firmware_of(conn, ids[:1])[ids[0]] == single

    wait_for(single_took, 60, what="the single kit runs its own update")
    assert cli.main(["kits", "updates"]) == 0  # every kit's latest update, any version
    latest = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert latest[ids[0]][1:4] == [single, single, "took"] and latest[ids[1]][1:4] == [version, version, "took"]
