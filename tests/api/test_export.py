"""/v1/export: streamed CSV and Parquet with the rows of /v1/series, raw or averaged, any range."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq


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
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * 2 * 288
    assert set(rows[0]) == {"kit_id", "time", "quantity", "value", "n", "n_flagged", "min", "max", "flags"}


def test_parquet_of_hourly_means_matches_the_series(api, rolled_up):
    params = _params(resolution="hour", quantities="pm25")
    r = api.get("/v1/export", params={**params, "format": "parquet"})
    assert r.status_code == 200
    table = pq.read_table(io.BytesIO(r.content))
    series = api.get("/v1/series", params=params).json()["results"]
    assert table.num_rows == len(series) > 40
    assert table.column("value").to_pylist() == [s["value"] for s in series]
    assert str(table.schema.field("time").type) == "timestamp[us, tz=UTC]"


def test_export_of_nothing_is_an_empty_file_with_a_header(api, rolled_up):
    r = api.get("/v1/export", params=_params(kits="nobody-here"))
    assert r.status_code == 200 and r.text.strip() == "kit_id,time,quantity,value,n,n_flagged,min,max,flags"
    r = api.get("/v1/export", params=_params(kits="nobody-here", format="parquet"))
    assert pq.read_table(io.BytesIO(r.content)).num_rows == 0


def test_bad_export_requests_are_422(api):
    assert api.get("/v1/export", params={"kits": "seed-beverwijk", "format": "xlsx"}).status_code == 422
    assert api.get("/v1/export", params={}).status_code == 422
