"""/v1/export: streamed CSV and Parquet with the rows of /v1/series, raw or averaged, any range."""

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import anyio
import psycopg
import pyarrow.parquet as pq
import pytest
from psycopg_pool import AsyncConnectionPool
from starlette.requests import ClientDisconnect

from api import export
from api.queries import series as timeseries


def _params(**kw):
    end = datetime.now(UTC) + timedelta(minutes=1)
    return {"kits": "seed-beverwijk,seed-ijmuiden", "start": (end - timedelta(days=400)).isoformat(),
            "end": end.isoformat(), **kw}  # fmt: skip


def test_raw_csv_streams_every_reading(api, rolled_up):
    with api.stream("GET", "/v1/export", params=_params(resolution="raw", quantities="pm25,pm10")) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        assert "content-length" not in r.headers  # streamed, not built in memory
        text = "".join(r.iter_text())
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("ODbL-1.0" in line for line in header) and any("start of their bucket" in line for line in header)
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    assert len(rows) == 2 * 2 * 288
    assert list(rows[0]) == list(timeseries.COLUMNS)
    assert {(r["quantity"], r["unit"], r["ucum"]) for r in rows} == {
        ("pm25", "µg/m³", "ug/m3"),
        ("pm10", "µg/m³", "ug/m3"),
    }
    assert all(r["time"].endswith("Z") for r in rows)


def test_parquet_of_hourly_means_matches_the_series(api, rolled_up):
    params = _params(resolution="hour", quantities="pm25")
    r = api.get("/v1/export", params={**params, "format": "parquet"})
    assert r.status_code == 200
    table = pq.read_table(io.BytesIO(r.content))
    series = api.get("/v1/series", params=params).json()["results"]
    assert table.num_rows == len(series) > 40
    assert table.column("value").to_pylist() == [s["value"] for s in series]
    assert str(table.schema.field("time").type) == "timestamp[us, tz=UTC]"
    assert table.column("ucum").to_pylist() == ["ug/m3"] * table.num_rows
    meta = table.schema.metadata
    assert b"ODbL-1.0" in meta[b"licence"] and meta[b"time_label"] == b"start"
    assert b'"ucum":"Cel"' in meta[b"units"]


def test_export_of_nothing_is_an_empty_file_with_a_header(api, rolled_up):
    r = api.get("/v1/export", params=_params(kits="nobody-here"))
    lines = [line for line in r.text.splitlines() if not line.startswith("#")]
    assert r.status_code == 200 and lines == [",".join(timeseries.COLUMNS)]
    r = api.get("/v1/export", params=_params(kits="nobody-here", format="parquet"))
    assert pq.read_table(io.BytesIO(r.content)).num_rows == 0


def test_bad_export_requests_are_422(api):
    assert api.get("/v1/export", params={"kits": "seed-beverwijk", "format": "xlsx"}).status_code == 422
    assert api.get("/v1/export", params={}).status_code == 422


def test_export_slots_are_taken_without_waiting_and_never_beyond_their_size():
    slots = export.ExportSlots(2)
    assert [slots.take() for _ in range(3)] == [True, True, False]
    slots.give_back()
    assert slots.take() and not slots.take() and slots.taken == 2


def _endless(closed: list[str]):
    async def rows():
        try:
            while True:
                yield b"kit_id,time\n"
        finally:
            closed.append("query closed")

    return rows()


SCOPE = {"type": "http", "asgi": {"spec_version": "2.4"}, "method": "GET", "path": "/v1/export"}


async def _never_disconnects():
    await anyio.sleep_forever()


def test_an_export_read_by_nobody_is_cut_off_at_its_deadline_and_frees_its_slot_and_query():
    closed: list[str] = []
    slots = export.ExportSlots(1)
    assert slots.take()
    sent: list[dict] = []

    async def stalled_reader(message: dict) -> None:
        sent.append(message)
        if len(sent) > 3:
            await anyio.sleep_forever()  # the client stopped reading: the socket is full, send never returns

    response = export.DeadlineStream(_endless(closed), slots, deadline_s=0.3, media_type="text/csv")
    anyio.run(response, SCOPE, _never_disconnects, stalled_reader)
    assert closed == ["query closed"] and slots.taken == 0
    assert sent[0]["type"] == "http.response.start" and len(sent) == 4
    assert all(m["more_body"] for m in sent[1:])  # the body was never completed: the client sees a cut-off file


def test_an_export_whose_client_went_away_frees_its_slot_and_query():
    closed: list[str] = []
    slots = export.ExportSlots(1)
    assert slots.take()

    async def gone(message: dict) -> None:
        if message["type"] == "http.response.body":
            raise OSError("connection reset by peer")

    response = export.DeadlineStream(_endless(closed), slots, deadline_s=30, media_type="text/csv")
    with pytest.raises(ClientDisconnect):
        anyio.run(response, SCOPE, _never_disconnects, gone)
    assert closed == ["query closed"] and slots.taken == 0


def test_the_export_transaction_is_bounded_and_ended_by_postgresql_when_the_reader_stalls(settings):
    async def run() -> None:
        pool = AsyncConnectionPool(
            settings.dsn, min_size=1, max_size=1, open=False,
            kwargs={"autocommit": True, "options": "-c statement_timeout=4000"},
        )  # fmt: skip
        await pool.open(wait=True)
        try:
            query = (
                "SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('statement_timeout'),"
                " g FROM generate_series(1, %(n)s) g"
            )
            source = timeseries.batches(pool, query, {"n": timeseries.EXPORT_BATCH + 10}, list, idle_ms=300)
            first = await anext(source)
            assert first[0] == ("300ms", "4s", 1) and len(first) == timeseries.EXPORT_BATCH
            await asyncio.sleep(1.2)  # the reader stalls longer than the idle timeout
            with pytest.raises(psycopg.errors.IdleInTransactionSessionTimeout):
                await anext(source)
            async with pool.connection() as conn:  # the dead connection left the pool; a fresh one works
                assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
        finally:
            await pool.close()

    asyncio.run(run())
