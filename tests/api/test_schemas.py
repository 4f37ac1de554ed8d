"""Real answers validate against the response schemas published in the OpenAPI document (api/schemas.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter

from api import schemas

END = datetime.now(UTC) + timedelta(hours=1)
DAY = {"start": (END - timedelta(days=2)).isoformat(), "end": END.isoformat()}


@pytest.mark.parametrize(
    ("path", "params", "model"),
    [
        ("/v1/map/latest", {"scale": "lki"}, schemas.MapLatest),
        ("/v1/map/hourly", DAY, schemas.MapHourly),
        ("/v1/series", {"kits": "seed-beverwijk,seed-ijmuiden", "limit": 50}, schemas.Series),
        ("/v1/series", {"kits": "seed-beverwijk", "resolution": "10min", **DAY}, schemas.Series),
        ("/v1/areas", {"level": "district"}, schemas.Areas),
        ("/v1/quantities", {}, schemas.Quantities),
        ("/v1/flags", {}, schemas.Flags),
        ("/v1/scales", {}, schemas.Scales),
        ("/v1/stats", {"municipality": "GM0453,GM0375", "by": "hour_of_day", **DAY}, schemas.Stats),
        ("/v1/kits", {}, schemas.KitCollection),
        ("/v1/kits", {"format": "json"}, schemas.KitList),
        ("/v1/kits/seed-heemskerk", {}, schemas.OneKitFeature),
        ("/v1/kits/seed-heemskerk", {"format": "json"}, schemas.OneKitFlat),
        ("/v1/kits/seed-heemskerk/readings", {}, schemas.Readings),
    ],
)
def test_answer_matches_its_published_schema(api, rolled_up, path, params, model):
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    TypeAdapter(model).validate_python(r.json(), strict=False)
