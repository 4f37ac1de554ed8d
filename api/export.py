"""Streamed exports: rows from a server-side cursor, written out batch by batch as CSV or Parquet.

Memory stays at one batch whatever the range: the cursor (api/queries/series.py) fetches EXPORT_BATCH rows at a
time inside the export's own transaction, and each batch becomes CSV text or one Parquet row group before the next
is fetched.

An export holds a database connection and one of a few slots while it streams, so it is bounded three ways: a slot
is taken without waiting (ExportSlots), the whole response ends at a deadline however slowly it is read
(DeadlineStream), and PostgreSQL ends the transaction when it idles between fetches (idle_in_transaction timeout).
"""

import csv
import io
import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import HTTPException, Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from api.queries import series as timeseries
from api.responses import BUCKET_LABEL, JSON_OPTIONS, UNITS
from ijlucht import licence, quality

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


MEDIA = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def streamed_file(
    request: Request, body: AsyncGenerator[bytes, None], fmt: str, filename: str, headers: dict[str, str] | None = None
) -> DeadlineStream:
    """The export response every download uses: one of the few slots taken (429 with Retry-After when all are
    busy; nothing has run yet, the unstarted generator holds nothing), the body cut off at the deadline, the file
    name and the data licence in the headers."""
    slots: ExportSlots = request.app.state.export_slots
    if not slots.take():
        detail = f"too many exports are running (at most {slots.size} at once); retry in a minute"
        raise HTTPException(429, detail, headers={"Retry-After": "60"})
    return DeadlineStream(
        body,
        slots,
        request.app.state.settings.api_export_deadline_s,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Link": f'<{licence.DATA_LICENCE.url}>; rel="license"',
            **(headers or {}),
        },
    )


def _unit_field(name: str) -> pa.Field:
    # Values of several quantities share a column: their unit is per row (unit, ucum) and named here.
    return pa.field(name, pa.float64(), metadata={"unit": "see the row's unit and ucum columns"})


PARQUET_SCHEMA = pa.schema(
    [
        ("kit_id", pa.string()),
        pa.field("time", pa.timestamp("us", tz="UTC"), metadata={"label": "start of the bucket for rollups"}),
        ("quantity", pa.string()),
        ("unit", pa.string()),
        ("ucum", pa.string()),
        _unit_field("value"),
        _unit_field("clean_value"),
        ("n", pa.int32()),
        ("n_clean", pa.int32()),
        ("n_flagged", pa.int32()),
        _unit_field("min"),
        _unit_field("max"),
        ("flags", pa.int32()),
        *((c, pa.int32()) for c in timeseries.FLAG_COLUMNS),
    ],
    metadata={
        "licence": orjson.dumps(licence.licence_json()),
        "units": orjson.dumps(UNITS),
        "time_label": BUCKET_LABEL,
        "flags": orjson.dumps({"method_version": quality.METHOD_VERSION, "names": quality.NAMES}, option=JSON_OPTIONS),
    },
)


# With correction=humidity|calibrated: the corrected value beside the raw one, its method version, or why none.
CORRECTED_PARQUET_SCHEMA = (
    PARQUET_SCHEMA.append(_unit_field("corrected_value"))
    .append(pa.field("correction", pa.string()))
    .append(pa.field("correction_reason", pa.string()))
    .append(pa.field("calibration_id", pa.int64()))
)


def header_lines(resolution: str, tz: str, source_url: str) -> list[str]:
    """The `#` lines that open a CSV export: licence, attribution, source, how times are labelled."""
    data = licence.DATA_LICENCE
    return [
        f"# IJlucht export, {resolution} rows; data licence {data.id} ({data.url})",
        f"# attribution: {licence.ATTRIBUTION}",
        f"# source: {source_url}",
        f"# time: RFC 3339 in {tz}; rollup rows are labelled by the start of their bucket; read with comment='#'",
    ]


async def as_csv(
    source: AsyncGenerator[list[tuple]],
    header: list[str],
    tz: str = "UTC",
    columns: tuple[str, ...] = timeseries.COLUMNS,
) -> AsyncGenerator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    buf.write("".join(line + "\n" for line in header))
    writer.writerow(columns)
    yield buf.getvalue().encode()
    zone = ZoneInfo(tz)
    async with aclosing(source):  # closing the file closes the query
        async for rows in source:
            buf.seek(0)
            buf.truncate()
            writer.writerows((r[0], rfc3339(r[1], zone), *r[2:]) for r in rows)
            yield buf.getvalue().encode()


def rfc3339(t: datetime, zone: ZoneInfo) -> str:
    """RFC 3339 in `zone`: UTC as Z, other zones with their offset at that moment (+01:00, +02:00)."""
    if zone.key == "UTC":
        return t.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return t.astimezone(zone).isoformat()


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


async def as_parquet(source: AsyncGenerator[list[tuple]], schema: pa.Schema = PARQUET_SCHEMA) -> AsyncGenerator[bytes]:
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    try:
        async with aclosing(source):  # closing the file closes the query
            async for rows in source:
                columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
                table = pa.Table.from_arrays(
                    [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)],
                    schema=schema,
                )
                writer.write_table(table)
                if chunk := sink.drain():
                    yield chunk
    finally:
        writer.close()
    if chunk := sink.drain():
        yield chunk
