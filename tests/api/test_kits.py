"""The API against the real database: GeoJSON of kits with latest values, time series, clear errors."""

from datetime import UTC, datetime, timedelta

import httpx

from ijlucht.privacy import distance_m


def test_kits_are_geojson_with_latest_values(api_base_url, seeded_kits):
    r = httpx.get(f"{api_base_url}/v1/kits")
    assert r.status_code == 200
    fc = r.json()
    assert r.headers["content-type"] == "application/geo+json"  # RFC 7946
    assert fc["type"] == "FeatureCollection" and fc["units"]["pm25"] == {"unit": "µg/m³", "ucum": "ug/m3"}
    by_id = {f["id"]: f for f in fc["features"]}
    assert set(seeded_kits) <= set(by_id)
    wijk = by_id["seed-wijkaanzee"]
    # The public position: moved 40-100 m from the registered 52.493, 4.596, the same on every call.
    lon, lat = wijk["geometry"]["coordinates"]
    assert 40 <= distance_m(lat, lon, 52.493, 4.596) <= 100
    props = wijk["properties"]
    assert props["name"] == "Wijk aan Zee" and props["online"] is True
    latest = props["latest"]
    assert latest["pm25"] is not None and latest["pm10"] == round(latest["pm25"] * 1.6, 1)
    assert datetime.fromisoformat(latest["time"]) > datetime.now(UTC) - timedelta(minutes=10)


def test_kit_without_readings_has_null_latest(api_base_url, make_kit):
    kit, _ = make_kit()
    r = httpx.get(f"{api_base_url}/v1/kits/{kit}")
    assert r.status_code == 200 and r.json()["properties"]["latest"] is None


def test_readings_default_to_the_last_24_hours_oldest_first(api_base_url, seeded_kits):
    r = httpx.get(f"{api_base_url}/v1/kits/seed-beverwijk/readings")
    assert r.status_code == 200
    body = r.json()
    times = [datetime.fromisoformat(x["time"]) for x in body["results"]]
    assert 280 <= len(times) <= 288
    assert times == sorted(times)
    assert times[0] >= datetime.now(UTC) - timedelta(hours=24, minutes=1)
    assert body["meta"]["units"]["t"] == {"unit": "°C", "ucum": "Cel"} and body["meta"]["next"] is None
    assert all(set(x) == {"time", "pm1", "pm25", "pm10", "t", "rh", "p", "flags"} for x in body["results"])


def test_readings_window_and_limit(api_base_url, seeded_kits):
    end = datetime.now(UTC)
    start = end - timedelta(hours=1)
    r = httpx.get(
        f"{api_base_url}/v1/kits/seed-beverwijk/readings",
        params={"start": start.isoformat(), "end": end.isoformat(), "limit": 5},
    )
    results = r.json()["results"]
    assert len(results) == 5
    assert all(start <= datetime.fromisoformat(x["time"]) < end for x in results)


def test_unknown_kit_is_404_with_reason(api_base_url, settings):
    for path in ("/v1/kits/no-such-kit", "/v1/kits/no-such-kit/readings"):
        r = httpx.get(api_base_url + path)
        assert r.status_code == 404 and "no-such-kit" in r.json()["detail"]


def test_bad_requests_are_422_with_reasons(api_base_url, seeded_kits):
    base = f"{api_base_url}/v1/kits"
    assert httpx.get(f"{base}/BAD%20ID").status_code == 422
    r = httpx.get(
        f"{base}/seed-beverwijk/readings", params={"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"}
    )
    assert r.status_code == 422 and "start must be before end" in r.json()["detail"]
    r = httpx.get(f"{base}/seed-beverwijk/readings", params={"limit": 10_000_000})
    assert r.status_code == 422 and "less than or equal to 100000" in r.json()["detail"]
    assert httpx.get(f"{base}/seed-beverwijk/readings", params={"start": "yesterday"}).status_code == 422


def test_openapi_documents_the_kit_endpoints(api_base_url, settings):
    spec = httpx.get(f"{api_base_url}/openapi.json").json()
    assert {"/v1/kits", "/v1/kits/{kit_id}", "/v1/kits/{kit_id}/readings"} <= set(spec["paths"])


def test_kits_filter_by_box_area_indoor_and_online(api_base_url, seeded_kits, make_kit):
    base = f"{api_base_url}/v1/kits"

    def ids(**params):
        return {f["id"] for f in httpx.get(base, params=params).json()["features"]}

    # Around Wijk aan Zee only (public positions move at most 100 m, so a box of ~1 km is safe).
    assert "seed-wijkaanzee" in ids(bbox="4.589,52.488,4.603,52.498")
    assert "seed-beverwijk" not in ids(bbox="4.589,52.488,4.603,52.498")
    velsen = ids(municipality="GM0453")
    assert {"seed-ijmuiden", "seed-velsen-zuid"} <= velsen and "seed-beverwijk" not in velsen
    assert ids(municipality="Velsen") == velsen
    assert "seed-wijkaanzee" in ids(district="Wijk aan Zee") and "seed-heemskerk" not in ids(district="WK037508")
    indoor, _ = make_kit("home", indoor=True)
    assert indoor in ids(indoor="true") and indoor not in ids(indoor="false")
    assert "seed-beverwijk" in ids(online="true") and indoor in ids(online="false")


def test_kits_as_flat_json_with_public_positions(api_base_url, seeded_kits):
    body = httpx.get(f"{api_base_url}/v1/kits", params={"format": "json"}).json()
    assert body["meta"]["count"] == len(body["results"]) >= 5
    wijk = next(k for k in body["results"] if k["kit_id"] == "seed-wijkaanzee")
    assert wijk["district"] == "Wijk aan Zee" and wijk["municipality_code"] == "GM0375"
    assert 40 <= distance_m(wijk["lat"], wijk["lon"], 52.493, 4.596) <= 100
    one = httpx.get(f"{api_base_url}/v1/kits/seed-wijkaanzee", params={"format": "json"}).json()
    assert (one["lat"], one["lon"]) == (wijk["lat"], wijk["lon"])
