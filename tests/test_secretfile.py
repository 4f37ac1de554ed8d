"""Secret files: created whole with mode 0600, and processes starting together all read the one same secret."""

import multiprocessing as mp
import stat
from pathlib import Path

import pytest

from ijlucht import privacy
from ijlucht.secretfile import SecretFileError, read_or_create_secret

RACERS = 4
ROUNDS = 40


def _race(secrets_dir: Path, barrier, results) -> None:
    barrier.wait()
    results.put(privacy.jitter_secret(secrets_dir).hex())


def test_processes_racing_to_create_the_jitter_secret_all_read_the_same_full_secret(tmp_path):
    ctx = mp.get_context("fork")
    for i in range(ROUNDS):
        folder = tmp_path / f"round-{i}" / "secrets"  # missing, as on a first start
        barrier, results = ctx.Barrier(RACERS), ctx.Queue()
        procs = [ctx.Process(target=_race, args=(folder, barrier, results)) for _ in range(RACERS)]
        for p in procs:
            p.start()
        seen = [results.get(timeout=20) for _ in procs]
        for p in procs:
            p.join(10)
        assert len(set(seen)) == 1 and len(bytes.fromhex(seen[0])) == 32, f"round {i}: {seen}"
        assert [p.name for p in folder.iterdir()] == [privacy.SECRET_FILE]  # no temporary file left behind
        assert stat.S_IMODE((folder / privacy.SECRET_FILE).stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_existing_secret_is_kept(tmp_path):
    path = tmp_path / "k"
    first = read_or_create_secret(path, lambda: "one")
    assert read_or_create_secret(path, lambda: "two") == first == "one"


def test_an_empty_secret_file_is_an_error_not_an_empty_secret(tmp_path):
    (tmp_path / privacy.SECRET_FILE).write_text("")
    with pytest.raises(SecretFileError, match=r"position-jitter.key is empty; remove it"):
        privacy.jitter_secret(tmp_path)
