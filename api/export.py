"""Streamed exports: rows from a server-side cursor, written out batch by batch as CSV or Parquet.

Memory stays at one batch whatever the range: the cursor fetches BATCH rows at a time inside the export's own
transaction, and each batch becomes CSV text or one Parquet row group before the next is fetched.

An export holds a database connection and one of a few slots while it streams, so it is bounded three ways: a slot
is taken without waiting (ExportSlots), the whole response ends at a deadline however slowly it is read
(DeadlineStream), and PostgreSQL ends the transaction when it idles between fetches (idle_in_transaction timeout).
"""

import csv
import io
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import datetime
from typing import Any

import anyio
import pyarrow as pa
import pyarrow.parquet as pq
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from api import timeseries

BATCH = 20_000

log = logging.getLogger("ijlucht.api.export")


class ExportSlots:
    """At most `size` exports at once. take() checks and counts with no await in between, so on the one event
    loop two requests can never both get the last slot; nobody waits for a slot."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.taken = 0

    def take(self) -> bool:
        if self.taken >= self.size:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        self.taken = max(0, self.taken - 1)


class DeadlineStream(StreamingResponse):
    """A streamed export that stops at `deadline_s` (the client gets a cut-off body), then closes its source (the
    cursor, transaction and connection) and gives its slot back; the slot comes back however the response ends."""

    def __init__(self, content: AsyncGenerator[bytes], slots: ExportSlots, deadline_s: float, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.content = content
        self.slots = slots
        self.deadline_s = deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            with anyio.move_on_after(self.deadline_s) as deadline:
                await super().__call__(scope, receive, send)
            if deadline.cancelled_caught:
                log.warning("export stopped at its deadline of %s s; the client got a cut-off file", self.deadline_s)
        finally:
            try:
                with anyio.CancelScope(shield=True):
                    await self.content.aclose()  # now, not when the garbage collector gets to it
            except Exception as exc:  # e.g. PostgreSQL already ended the idle transaction
                log.warning("closing an export's query failed: %s", exc)
            finally:
                self.slots.give_back()


PARQUET_SCHEMA = pa.schema(
    [
        ("kit_id", pa.string()),
        ("time", pa.timestamp("us", tz="UTC")),
        ("quantity", pa.string()),
        ("value", pa.float64()),
        ("n", pa.int32()),
        ("n_flagged", pa.int32()),
        ("min", pa.float64()),
        ("max", pa.float64()),
        ("flags", pa.int32()),
    ]
)


async def batches(
    pool: Any, query: Any, params: dict[str, Any], to_rows: Callable[[list], list[tuple]], idle_ms: int
) -> AsyncGenerator[list[tuple]]:
    """Result tuples (timeseries.COLUMNS order), BATCH source rows at a time, from a server-side cursor.

    Each FETCH has the connection's statement_timeout; between fetches the transaction may idle `idle_ms` at
    most (a reader that stops reading), then PostgreSQL ends the session and the connection leaves the pool."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, true)", (str(idle_ms),))
        async with conn.cursor(name="ijlucht_export") as cur:
            cur.itersize = BATCH
            await cur.execute(query, params)
            while True:
                rows = await cur.fetchmany(BATCH)
                if not rows:
                    break
                yield to_rows(rows)


async def as_csv(source: AsyncGenerator[list[tuple]]) -> AsyncGenerator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(timeseries.COLUMNS)
    yield buf.getvalue().encode()
    async with aclosing(source):  # closing the file closes the query
        async for rows in source:
            buf.seek(0)
            buf.truncate()
            writer.writerows((r[0], _iso(r[1]), *r[2:]) for r in rows)
            yield buf.getvalue().encode()


def _iso(t: datetime) -> str:
    return t.isoformat()


class _Sink(io.RawIOBase):
    """A write-only file that hands what Parquet wrote so far to the stream."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.parts.append(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


async def as_parquet(source: AsyncGenerator[list[tuple]]) -> AsyncGenerator[bytes]:
    sink = _Sink()
    writer = pq.ParquetWriter(sink, PARQUET_SCHEMA, compression="zstd")
    try:
        async with aclosing(source):  # closing the file closes the query
            async for rows in source:
                columns = list(zip(*rows, strict=True)) if rows else [[] for _ in PARQUET_SCHEMA]
                table = pa.Table.from_arrays(
                    [pa.array(col, type=field.type) for col, field in zip(columns, PARQUET_SCHEMA, strict=True)],
                    schema=PARQUET_SCHEMA,
                )
                writer.write_table(table)
                if chunk := sink.drain():
                    yield chunk
    finally:
        writer.close()
    if chunk := sink.drain():
        yield chunk
