"""/v1/map/latest and /v1/map/hourly: public outdoor kits, bands from ijlucht.bands, ETag, hourly grid."""

from datetime import UTC, datetime, timedelta

import orjson

from api.settings import ApiSettings
from ijlucht import bands


def test_latest_is_geojson_of_outdoor_kits_with_bands(api, rolled_up, make_kit):
    indoor, _ = make_kit("indoor", indoor=True)
    r = api.get("/v1/map/latest", params={"quantity": "pm25", "scale": "eaqi-2024"})
    assert r.status_code == 200
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["quantity"] == "pm25" and fc["unit"] == "µg/m³"
    assert fc["scale"] == "eaqi-2024" and datetime.fromisoformat(fc["generated_at"])
    assert fc["stale_after_s"] == ApiSettings().api_stale_after_s  # the threshold behind `stale`, from the setting
    by_id = {f["id"]: f for f in fc["features"]}
    assert set(rolled_up) <= set(by_id) and indoor not in by_id
    props = by_id["seed-velsen-zuid"]["properties"]
    assert set(props) == {
        "kit_id", "name", "municipality", "district", "online", "last_seen", "stale", "value", "time", "flags",
        "excluded", "band"
    }  # fmt: skip
    assert props["municipality"] == "Velsen" and props["stale"] is False and props["online"] is True
    assert props["excluded"] is False
    expected = bands.band_for("pm25", props["value"], "eaqi-2024")
    assert props["band"] == {
        "index": expected.index,
        "name_nl": expected.name_nl,
        "name_en": expected.name_en,
        "colour": expected.colour,
    }
    assert "owner" not in str(fc) and "lat" not in props


def test_every_scale_of_the_catalogue_is_served(api, rolled_up):
    for scale in bands.SCALES:
        r = api.get("/v1/map/latest", params={"quantity": "pm10", "scale": scale})
        assert r.status_code == 200, r.text
        band = next(f for f in r.json()["features"] if f["id"] == "seed-ijmuiden")["properties"]["band"]
        assert band is not None and band["index"] >= 1


def test_kit_without_readings_is_stale_without_value(api, make_kit):
    kit, _ = make_kit("quiet")
    api.get("/v1/map/latest", params={"quantity": "t"})  # a quantity nobody else asked for: no cached answer
    r = api.get("/v1/map/latest", params={"quantity": "rh", "scale": "lki"})
    props = next(f for f in r.json()["features"] if f["id"] == kit)["properties"]
    assert props["value"] is None and props["band"] is None and props["stale"] is True


def test_etag_gives_304_when_unchanged(api, rolled_up):
    r = api.get("/v1/map/latest", params={"quantity": "pm25"})
    etag = r.headers["etag"]
    again = api.get("/v1/map/latest", params={"quantity": "pm25"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
    other = api.get("/v1/map/latest", params={"quantity": "pm25"}, headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_unknown_quantity_or_scale_is_422_naming_the_choices(api):
    r = api.get("/v1/map/latest", params={"quantity": "co2"})
    assert r.status_code == 422 and "pm25" in r.json()["detail"]
    r = api.get("/v1/map/latest", params={"scale": "usaqi"})
    assert r.status_code == 422 and "eaqi-2024" in r.json()["detail"]


def test_hourly_grid_has_one_slot_per_hour(api, rolled_up):
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=6)
    r = api.get("/v1/map/hourly", params={"quantity": "pm25", "start": start.isoformat(), "end": end.isoformat()})
    assert r.status_code == 200
    body = r.json()
    assert len(body["hours"]) == 6 and datetime.fromisoformat(body["hours"][0]) == start
    series = body["kits"]["seed-heemskerk"]
    assert len(series) == 6 and all(v is not None and 2 < v < 6 for v in series)


def test_hourly_range_is_at_most_a_week(api):
    r = api.get("/v1/map/hourly", params={"start": "2026-01-01T00:00:00Z", "end": "2026-01-09T00:00:00Z"})
    assert r.status_code == 422 and "7 days" in r.json()["detail"]


def test_reused_answers_are_gzipped_for_clients_that_accept_it(api_base_url, rolled_up):
    import httpx

    url = f"{api_base_url}/v1/map/latest?quantity=pm10"
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with httpx.Client() as client:
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.headers["etag"].endswith('-gz"')
    assert r.json()["features"] == plain.json()["features"]
    assert int(r.headers["content-length"]) < len(plain.content) / 3  # the bytes on the wire
    again = httpx.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_a_kit_whose_latest_reading_is_unclean_keeps_its_raw_value_but_is_marked_and_gets_no_band():
    from api.routes.map import feature_tail
    from ijlucht import quality

    def tail(value, flags):
        closed = feature_tail(
            ("k", True, 0.0, 0.0, value, flags), "pm25", "eaqi-2024", False
        )  # ...}} closes the feature
        return orjson.loads(b"{" + closed[:-1])

    for flags in (quality.OUT_OF_RANGE, quality.FLATLINE | quality.HIGH_HUMIDITY):
        props = tail(1500.0, flags)
        assert (props["value"], props["flags"], props["excluded"], props["band"]) == (1500.0, flags, True, None)
    for flags in (0, quality.SPIKE, quality.HIGH_HUMIDITY):  # flagged, but still counted in public figures
        props = tail(12.0, flags)
        assert props["excluded"] is False and props["band"]["index"] == bands.band_for("pm25", 12.0, "eaqi-2024").index
    assert tail(None, None)["excluded"] is False  # no reading yet: nothing to leave out


def test_hourly_map_means_are_clean_means_with_what_was_left_out_counted(api, rolled_up):
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    r = api.get("/v1/map/hourly", params={"quantity": "pm25", "start": (end - timedelta(hours=3)).isoformat()})
    body = r.json()
    assert r.status_code == 200 and isinstance(body["excluded"], dict)
    assert not set(rolled_up) & set(body["excluded"])  # the seeded kits sent nothing unclean
    assert all(len(counts) == len(body["hours"]) for counts in body["excluded"].values())
