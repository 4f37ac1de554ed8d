"""The kit panel's history: periods with hourly or daily means from the API, the daily-cycle and weekday charts from
/v1/stats, and a download of exactly what the chart shows."""

import base64
import io
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboard.api_client import ApiClient
from dashboard.download import COLUMNS, BadRequest, checked_shown, download_frame, file_bytes, file_name
from dashboard.profile_chart import profile_figure
from tests.dashboard.recording import RecordingTransport, dash_callback, kit_panel_callback

BEVERWIJK = {"kit_id": "seed-beverwijk", "name": "Beverwijk"}


@pytest.fixture(scope="module")
def panel(api_base_url, rolled_up):
    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings

    transport = RecordingTransport()
    app = create_app(DashboardSettings(language="en", tile_url=""), client=ApiClient(api_base_url, transport=transport))
    return app.server, transport


def test_a_year_shows_daily_means_and_a_week_hourly_means_from_the_api(panel):
    server, transport = panel
    transport.paths.clear()
    year = kit_panel_callback(server, BEVERWIJK, span="1y")
    traces = year["kit-chart"]["figure"]["data"]
    assert traces[0]["name"] == "PM2.5 daily mean" and year["kit-chart"]["figure"]["layout"]["title"]["text"] == (
        "Beverwijk: PM2.5, last year"
    )
    assert not [v for v in traces[1]["y"] if v is not None]  # no raw readings beyond a day
    assert any(p.startswith("/v1/series?kits=seed-beverwijk&quantities=pm25") and "resolution=day" in p
               for p in transport.paths)  # fmt: skip
    assert year["kit-shown"]["data"]["resolution"] == "day" and year["downloads"]["hidden"] is False
    week = kit_panel_callback(server, BEVERWIJK, span="7d")
    assert week["kit-chart"]["figure"]["data"][0]["name"] == "PM2.5 hourly mean"
    assert len(week["kit-chart"]["figure"]["data"][0]["y"]) >= 23


def test_daily_cycle_and_weekday_charts_draw_the_api_statistics(panel):
    server, transport = panel
    transport.paths.clear()
    answer = kit_panel_callback(server, BEVERWIJK, span="30d")
    cycle, weekday = answer["kit-cycle"]["figure"], answer["kit-weekday"]["figure"]
    assert cycle["data"][0]["x"] == [f"{h:02d}" for h in range(24)]
    assert sum(v is not None for v in cycle["data"][0]["y"]) >= 20  # the seeded day covers most hours
    assert weekday["data"][0]["x"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert "Daily cycle" in cycle["layout"]["title"]["text"] and "last 30 days" in cycle["layout"]["title"]["text"]
    stats = [p for p in transport.paths if p.startswith("/v1/stats?")]
    assert any("by=hour_of_day" in p for p in stats) and any("by=day_of_week" in p for p in stats)


def test_a_period_the_page_does_not_offer_falls_back_to_a_day(panel):
    server, _ = panel
    for bad in ("10y", None, ["1y"], "../export"):
        answer = kit_panel_callback(server, BEVERWIJK, span=bad)
        assert answer["kit-shown"]["data"]["span"] == "24h"


def test_the_download_holds_the_rows_the_chart_shows_as_csv_and_parquet(panel, api_base_url):
    server, _ = panel
    shown = kit_panel_callback(server, BEVERWIJK, ["seed-heemskerk"], span="24h")["kit-shown"]["data"]
    client = ApiClient(api_base_url)
    start, end = datetime.fromisoformat(shown["start"]), datetime.fromisoformat(shown["end"])
    raw = client.series(["seed-beverwijk"], "pm25", start, end, "raw")
    means = client.series(["seed-beverwijk", "seed-heemskerk"], "pm25", start, end, "hour")
    for fmt, button in (("csv", "download-csv"), ("parquet", "download-parquet")):
        answer = dash_callback(
            server,
            ["kit-download.data"],
            {f"{button}.n_clicks": 1, ("download-parquet" if fmt == "csv" else "download-csv") + ".n_clicks": 0},
            {"kit-shown.data": shown},
        )["kit-download"]["data"]
        assert answer["filename"] == f"ijlucht_seed-beverwijk_pm25_24h.{fmt}"
        content = base64.b64decode(answer["content"])
        frame = pd.read_csv(io.BytesIO(content), comment="#") if fmt == "csv" else pd.read_parquet(io.BytesIO(content))
        assert list(frame.columns) == COLUMNS and set(frame["ucum"]) == {"ug/m3"}
        if fmt == "csv":
            assert content.startswith(b"# IJlucht data, licence ODbL-1.0")
        else:
            assert b"ODbL-1.0" in pq.read_schema(io.BytesIO(content)).metadata[b"licence"]
        assert (frame["resolution"] == "raw").sum() == len(raw) and (frame["resolution"] == "hour").sum() == len(means)
        assert set(frame["kit_id"]) == {"seed-beverwijk", "seed-heemskerk"}
        assert frame["value"].tolist() == [r["value"] for r in raw] + [r["value"] for r in means]


@pytest.mark.parametrize(
    "shown",
    [
        None,
        "x",
        {"kits": ["../export"], "quantity": "pm25", "start": "2026-01-01T00:00:00+00:00",
         "end": "2026-01-02T00:00:00+00:00", "resolution": "hour"},
        {"kits": ["bev-01"], "quantity": "pm25&x=1", "start": "2026-01-01T00:00:00+00:00",
         "end": "2026-01-02T00:00:00+00:00", "resolution": "hour"},
        {"kits": ["bev-01"], "quantity": "pm25", "start": "2000-01-01T00:00:00+00:00",
         "end": "2026-01-02T00:00:00+00:00", "resolution": "hour"},  # more than a year: not a chart of this page
        {"kits": ["bev-01"], "quantity": "pm25", "start": "2026-01-01T00:00:00",
         "end": "2026-01-02T00:00:00", "resolution": "raw"},
    ],
)  # fmt: skip
def test_a_download_request_not_describing_a_chart_is_refused(shown):
    with pytest.raises(BadRequest):
        checked_shown(shown)


def test_download_files_keep_types_and_names():
    rows = [{"kit_id": "bev-01", "time": "2026-11-28T12:00:00+00:00", "quantity": "pm25", "value": 7.1, "n": 58,
             "n_flagged": 1, "flags": None}]  # fmt: skip
    frame = download_frame([], rows, "hour")
    back = pd.read_parquet(io.BytesIO(file_bytes(frame, "parquet")))
    assert back.loc[0, "value"] == 7.1 and back.loc[0, "n"] == 58 and back.loc[0, "resolution"] == "hour"
    now = datetime.now(UTC)
    shown = checked_shown({"kits": ["bev-01"], "quantity": "pm10", "start": (now - timedelta(days=7)).isoformat(),
                           "end": now.isoformat(), "resolution": "hour", "span": "7d/../../x"})  # fmt: skip
    assert file_name(shown, "csv") == "ijlucht_bev-01_pm10_chart.csv"


def test_profile_chart_says_so_when_there_are_no_hourly_means():
    empty = profile_figure([], "bev-01", "hour_of_day", "pm25", "nl", "7d")
    assert "Nog geen uurgemiddelden" in empty.layout.annotations[0].text
    rows = [{"kit_id": "bev-01", "slot": 1, "mean": 9.5, "n_hours": 4}]
    bars = profile_figure(rows, "bev-01", "day_of_week", "pm25", "nl", "7d")
    assert list(bars.data[0].x) == ["ma", "di", "wo", "do", "vr", "za", "zo"] and bars.data[0].y[0] == 9.5
