"""Streamed exports: rows from a server-side cursor, written out batch by batch as CSV or Parquet.

Memory stays at one batch whatever the range: the cursor fetches BATCH rows at a time inside the export's own
transaction, and each batch becomes CSV text or one Parquet row group before the next is fetched.
"""

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from api import timeseries

BATCH = 20_000

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


async def batches(pool: Any, query: Any, params: dict[str, Any], to_rows: Callable[[list], list[tuple]]):
    """Result tuples (timeseries.COLUMNS order), BATCH source rows at a time, from a server-side cursor."""
    async with pool.connection() as conn, conn.transaction(), conn.cursor(name="ijlucht_export") as cur:
        cur.itersize = BATCH
        await cur.execute(query, params)
        while True:
            rows = await cur.fetchmany(BATCH)
            if not rows:
                break
            yield to_rows(rows)


async def as_csv(source: AsyncIterator[list[tuple]]) -> AsyncIterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(timeseries.COLUMNS)
    yield buf.getvalue().encode()
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


async def as_parquet(source: AsyncIterator[list[tuple]]) -> AsyncIterator[bytes]:
    sink = _Sink()
    writer = pq.ParquetWriter(sink, PARQUET_SCHEMA, compression="zstd")
    try:
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
