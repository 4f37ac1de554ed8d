"""docs/researchers.md runs: its Python blocks are executed in order against the running API of the session, with
the seeded kits and a kit in Uitgeest that has a year of hourly readings (like the demo fleet), so the examples a
researcher copies work as printed. The R block is shown there, not run."""

import contextlib
import io
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.rollups import refresh_rollups
from ingest.store import Batch, store_batch
from ingest.validate import Row

DOC = Path(__file__).resolve().parents[2] / "docs" / "researchers.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)
HOURS = 365 * 24


def python_blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def year_in_uitgeest(settings, rolled_up):
    """A kit in Uitgeest (GM0450) with hourly readings for the last year, up to the current hour."""
    import psycopg

    from ijlucht.kits import NewKit, register_kit

    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=HOURS)
    nothing = dict.fromkeys(("pm1", "pm25", "pm10", "t", "rh", "p"))
    with psycopg.connect(settings.dsn, autocommit=True) as conn:
        register_kit(conn, settings, NewKit("uitgeest-year", "Uitgeest", 52.529, 4.709, created_at=start))
        batch = Batch()
        for i in range(HOURS):
            t = start + timedelta(hours=i)
            pm25 = round(8 + 4 * math.sin(i / 24 * 2 * math.pi), 2)  # a daily cycle
            batch.rows.append((Row(t.timestamp(), "uitgeest-year", {**nothing, "pm25": pm25}, 0, None), t.timestamp()))
        store_batch(conn, batch)
        while refresh_rollups(conn):
            pass
    return "uitgeest-year"


def test_the_researchers_python_examples_run_against_the_api(api_base_url, year_in_uitgeest, monkeypatch):
    blocks = python_blocks()
    assert len(blocks) >= 6
    monkeypatch.setenv("IJLUCHT_API", api_base_url)
    namespace: dict = {"__name__": "researchers_doc"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for n, block in enumerate(blocks, 1):
            exec(compile(block, f"docs/researchers.md python block {n}", "exec"), namespace)
    # What the examples promise: data, units and licence read from the API, every page followed, a whole year.
    assert "ODbL-1.0" in printed.getvalue()
    hourly = namespace["hourly"]
    assert len(hourly) > 20 and set(hourly["ucum"]) == {"ug/m3"} and str(hourly["time"].dt.tz) == "UTC"
    assert namespace["frame"]["ucum"].unique().tolist() == ["ug/m3"]
    assert len(namespace["raw"]) > 100  # more than one page of 100
    assert namespace["area_hourly"].size >= HOURS - 1  # the hour may turn while the examples run
    assert abs(namespace["area_hourly"].mean() - 8) < 0.1


def test_the_r_example_is_shown_and_not_mistaken_for_python():
    text = DOC.read_text(encoding="utf-8")
    assert "```r\nlibrary(openair)" in text and "timeVariation" in text
    assert all("library(openair)" not in block for block in python_blocks())
