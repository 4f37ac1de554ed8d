"""What the kit chart shows, as a file (pure): the same /v1/series rows, raw and mean, as CSV or Parquet.

The chart stores what it asked the API for (kits, quantity, exact start and end, resolutions); the download asks
again with exactly those, so the file holds the rows behind the chart (plus any late reading that arrived since).
"""

import io
from datetime import datetime, timedelta
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.api_client import InvalidKitId, checked_kit_id
from dashboard.layout import RANGES
from dashboard.markers import QUANTITY_CHOICES
from ijlucht import licence

COLUMNS = [
    "kit_id",
    "time",
    "quantity",
    "unit",
    "ucum",
    "resolution",
    "value",
    "clean_value",
    "n",
    "n_flagged",
    "flags",
]
FORMATS = {"csv": ("text/csv", "csv"), "parquet": ("application/vnd.apache.parquet", "parquet")}
MAX_SPAN = timedelta(days=366)


class BadRequest(ValueError):
    """The browser's store does not describe a chart this page draws."""


def checked_shown(shown: Any) -> dict[str, Any]:
    """The chart description from the browser's store, every part checked (BadRequest otherwise)."""
    if not isinstance(shown, dict):
        raise BadRequest("no chart shown")
    try:
        kits = [checked_kit_id(k) for k in shown["kits"]][:7]
        start, end = datetime.fromisoformat(shown["start"]), datetime.fromisoformat(shown["end"])
    except (KeyError, TypeError, ValueError, InvalidKitId) as exc:
        raise BadRequest(f"not a chart description: {exc}") from exc
    if not kits or shown.get("quantity") not in QUANTITY_CHOICES or shown.get("resolution") not in ("hour", "day"):
        raise BadRequest("not a chart description")
    if start.tzinfo is None or not timedelta(0) < end - start <= MAX_SPAN:
        raise BadRequest("not a chart period")
    span = shown.get("span") if shown.get("span") in RANGES else "chart"  # it goes into the file name
    return {"kits": kits, "quantity": shown["quantity"], "start": start, "end": end,
            "resolution": shown["resolution"], "raw": bool(shown.get("raw")), "span": span}  # fmt: skip


def download_frame(raw: list[dict[str, Any]], means: list[dict[str, Any]], resolution: str) -> pd.DataFrame:
    """One table: the raw readings (if shown), then the means, one row per kit and time."""
    rows = [{**r, "resolution": "raw"} for r in raw] + [{**r, "resolution": resolution} for r in means]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"n": "Int64", "n_flagged": "Int64", "flags": "Int64", "value": "float64"})


def file_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The file with the data licence: `#` lines before the CSV header (read with comment="#"), Parquet metadata."""
    if fmt == "parquet":
        table = pa.Table.from_pandas(frame, preserve_index=False)
        extra = {b"licence": orjson.dumps(licence.licence_json()), b"time_label": b"start"}
        buffer = io.BytesIO()
        pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **extra}), buffer)
        return buffer.getvalue()
    data = licence.DATA_LICENCE
    head = f"# IJlucht data, licence {data.id} ({data.url}); attribution: {licence.ATTRIBUTION}\n"
    head += "# times in UTC; hourly and daily means are labelled by the start of their hour or day\n"
    return (head + frame.to_csv(index=False)).encode("utf-8")


def file_name(shown: dict[str, Any], fmt: str) -> str:
    return f"ijlucht_{shown['kits'][0]}_{shown['quantity']}_{shown['span']}.{FORMATS[fmt][1]}"
