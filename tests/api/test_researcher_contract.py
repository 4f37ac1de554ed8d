"""What a researcher relies on (issue 12): one envelope, units, values as stored, times with a zone, a licence,
and answers that browsers of other sites and HTTP caches can use."""

import csv
import gzip
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ijlucht import licence
from ingest.rollups import refresh_rollups
from ingest.store import Batch, store_batch
from ingest.validate import Row

T0 = datetime(2025, 1, 15, 10, tzinfo=UTC)  # far from the seeded day: nothing here is fresh or in another test
NONE = dict.fromkeys(("pm1", "pm25", "pm10", "t", "rh", "p"))
DAY = {"start": "2025-01-15T00:00:00Z", "end": "2025-01-16T00:00:00Z"}

LISTS = [
    ("/v1/kits", {"format": "json"}),
    ("/v1/kits/seed-beverwijk/readings", {}),
    ("/v1/series", {"kits": "seed-beverwijk", "resolution": "hour"}),
    ("/v1/stats", {"kits": "seed-beverwijk"}),
    ("/v1/areas", {}),
    ("/v1/quantities", {}),
    ("/v1/flags", {}),
    ("/v1/scales", {}),
    ("/v1/licence", {}),
]


def store(conn, kit, readings):
    rows = [(Row(t.timestamp(), kit, {**NONE, **v}, f, None), t.timestamp()) for t, v, f in readings]
    store_batch(conn, Batch(rows=rows))
    while refresh_rollups(conn):
        pass


@pytest.fixture
def airrohr_kit(make_kit, conn):
    """A kit that sent what the issue saw rounded: PM10 1.87 and PM2.5 1.05, stored as float4."""
    kit, _ = make_kit("sc", created_at=T0 - timedelta(days=30))
    store(conn, kit, [(T0, {"pm10": 1.87, "pm25": 1.05, "t": 7.3}, 0), (T0 + timedelta(minutes=5), {"pm10": 2.2}, 0)])
    return kit


@pytest.mark.parametrize(("path", "params"), LISTS)
def test_every_list_has_one_envelope_with_count_next_and_licence(api, rolled_up, path, params):
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"meta", "results"} and isinstance(body["results"], list)
    meta = body["meta"]
    assert meta["count"] == len(body["results"]) and "next" in meta
    assert meta["licence"]["id"] == licence.DATA_LICENCE.id == "ODbL-1.0"


def test_the_published_schema_names_the_data_licence_and_an_optional_key_on_public_operations(api):
    spec = api.get("/openapi.json").json()
    assert spec["info"]["license"]["identifier"] == "ODbL-1.0"
    assert spec["paths"]["/v1/series"]["get"]["security"] == [{}, {"APIKeyHeader": []}]
    assert spec["paths"]["/v1/admin/kits"]["get"]["security"] == [{"APIKeyHeader": []}]


def test_each_source_keeps_its_own_licence(api, rolled_up):
    sources = {s["key"]: s for s in api.get("/v1/licence").json()["results"]}
    assert sources["platform"]["licence"] == "ODbL-1.0"
    assert sources["sensor.community-push"]["licence"] == "ODbL-1.0"
    assert sources["cbs-areas"]["licence"] == "CC-BY-4.0"
    assert {s.key for s in licence.SOURCES} == set(sources)


def test_geojson_is_served_as_geojson_with_its_licence(api, rolled_up):
    for path in ("/v1/kits", "/v1/kits/seed-beverwijk", "/v1/map/latest"):
        assert api.get(path).headers["content-type"] == "application/geo+json", path
    assert api.get("/v1/kits").json()["licence"]["url"] == licence.DATA_LICENCE.url


def test_raw_values_come_back_as_stored_not_rounded(api, airrohr_kit):
    readings = api.get(f"/v1/kits/{airrohr_kit}/readings", params=DAY).json()["results"]
    assert (readings[0]["pm10"], readings[0]["pm25"], readings[0]["t"]) == (1.87, 1.05, 7.3)
    one = api.get(f"/v1/kits/{airrohr_kit}").json()
    assert one["properties"]["latest"]["pm10"] == 2.2 and one["units"]["pm10"] == {"unit": "µg/m³", "ucum": "ug/m3"}
    raw = api.get("/v1/series", params={"kits": airrohr_kit, "quantities": "pm10", **DAY}).json()["results"]
    assert [r["value"] for r in raw] == [1.87, 2.2]
    hour = api.get("/v1/series", params={"kits": airrohr_kit, "quantities": "pm10", "resolution": "hour", **DAY})
    row = hour.json()["results"][0]
    assert (row["min"], row["max"], row["n"]) == (1.87, 2.2, 2)
    assert (row["unit"], row["ucum"]) == ("µg/m³", "ug/m3")


def test_times_are_rfc3339_with_z(api, airrohr_kit):
    body = api.get("/v1/series", params={"kits": airrohr_kit, "resolution": "hour", **DAY}).json()
    assert body["meta"]["start"] == "2025-01-15T00:00:00Z" and body["results"][0]["time"] == "2025-01-15T10:00:00Z"
    hourly = api.get("/v1/map/hourly").json()
    assert hourly["start"].endswith("Z") and all(h.endswith("Z") for h in hourly["hours"])
    assert hourly["time_label"] == "start"


def test_a_time_without_zone_is_refused_with_the_same_time_written_both_ways(api, rolled_up):
    r = api.get("/v1/series", params={"kits": "seed-beverwijk", "start": "2025-01-15T10:00:00"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "2025-01-15T10:00:00Z" in detail and "2025-01-15T10:00:00+01:00" in detail


def test_csv_times_in_local_time_on_request(api, airrohr_kit):
    params = {"kits": airrohr_kit, "quantities": "pm10", "resolution": "raw", "tz": "Europe/Amsterdam", **DAY}
    text = api.get("/v1/export", params=params).text
    assert "# time: RFC 3339 in Europe/Amsterdam" in text
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    assert [r["time"] for r in rows] == ["2025-01-15T11:00:00+01:00", "2025-01-15T11:05:00+01:00"]
    assert [r["value"] for r in rows] == ["1.87", "2.2"]
    bad = api.get("/v1/export", params={**params, "tz": "Mars/Olympus"})
    assert bad.status_code == 422


def test_public_gets_allow_other_sites_and_admin_does_not(api, rolled_up, admin_key):
    r = api.get("/v1/areas", headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = api.options("/v1/series", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204 and "X-API-Key" in pre.headers["access-control-allow-headers"]
    admin = api.get("/v1/admin/kits", headers={"X-API-Key": admin_key, "Origin": "https://example.org"})
    assert admin.status_code == 200 and "access-control-allow-origin" not in admin.headers


def test_public_answers_carry_cache_control_and_an_etag_that_gives_304(api, rolled_up, reader_key):
    r = api.get("/v1/quantities")
    assert r.headers["cache-control"] == "public, max-age=3600" and r.headers["etag"]
    again = api.get("/v1/quantities", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    areas = api.get("/v1/areas")
    assert areas.headers["cache-control"] == "public, max-age=60"
    keyed = api.get("/v1/areas", headers={"X-API-Key": reader_key})
    assert keyed.headers["cache-control"].startswith("private")  # a keyed answer is nobody else's


def test_large_answers_are_gzipped(api_base_url, rolled_up):
    with httpx.Client(base_url=api_base_url) as c:
        raw = c.get("/v1/scales", headers={"Accept-Encoding": "identity"})
        r = c.build_request("GET", "/v1/scales", headers={"Accept-Encoding": "gzip"})
        zipped = c.send(r, stream=True)
        body = zipped.read()  # httpx decodes; the header says what came over the wire
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in raw.headers
    assert body == raw.content and int(zipped.headers.get("content-length", 0)) < len(raw.content)
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content


def test_areas_and_stats_treat_indoor_kits_the_same(api, make_kit, conn):
    t1 = T0 - timedelta(days=3)  # a day of their own: no other kit of Beverwijk measured then
    day = {"start": "2025-01-12T00:00:00Z", "end": "2025-01-13T00:00:00Z"}
    outdoor, _ = make_kit("out", lat=52.487, lon=4.657, created_at=t1 - timedelta(days=30))  # Beverwijk
    indoor, _ = make_kit("in", lat=52.487, lon=4.657, indoor=True, created_at=t1 - timedelta(days=30))
    store(conn, outdoor, [(t1 + timedelta(minutes=m), {"pm25": 10.0}, 0) for m in (0, 30)])
    store(conn, indoor, [(t1 + timedelta(minutes=m), {"pm25": 500.0}, 0) for m in (0, 30)])
    r = api.get("/v1/stats", params={"municipality": "GM0375", **day})
    assert r.json()["results"][0]["mean"] == 10.0  # the indoor kit's 500 is not the air of Beverwijk
    own = api.get("/v1/stats", params={"kits": indoor, **day}).json()["results"][0]
    assert own["mean"] == 500.0  # asked by id, an indoor kit has its own figures
