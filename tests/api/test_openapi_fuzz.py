"""Schemathesis against the app's own OpenAPI schema, with every check it has and both kinds of data: generated
requests that fit the schema are accepted, ones that do not are refused, no answer is a 5xx or breaks its schema,
and operations that need a key refuse requests without one.

The schema comes from create_app() (no server needed to collect); requests go to the real API of the session
(api_base_url) on the test database, with an admin key so that the admin operations are exercised too.
Examples per operation are bounded so the whole run stays within a few minutes.

JSON Schema cannot relate one parameter to another. The three rules of that kind are written in the operations'
descriptions, and keep_within_the_rules below keeps the schema-valid requests within them, so that a refusal for
breaking one is not counted as the schema lying: start before end (and a span of at most 7 days on /v1/map/hourly,
which also keeps /v1/stats under its kit-hours limit), and on /v1/stats exactly one of kits, municipality and
district; and the sensors of a sign-up or a move a combination the firmware drives (one particle sensor, one SHT
sensor).
"""

from datetime import datetime, timedelta

import hypothesis
import pytest
import schemathesis
from schemathesis.generation.modes import GenerationMode

from api.app import create_app
from api.settings import ApiSettings
from ijlucht import cli
from ijlucht.flash import firmware_module
from tests.ingest.sources.conftest import empty_sources, imported  # noqa: F401  (module fixtures)

schema = schemathesis.openapi.from_dict(create_app(ApiSettings()).openapi())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

SPAN = timedelta(days=7)
GROUPS = ("kits", "municipality", "district")


def within_the_rules(query: dict) -> dict:
    """The query with start before end, at most SPAN apart (times stay in the years the schema allows)."""
    start, end = query.get("start"), query.get("end")
    if isinstance(start, str) and end is None:  # the end defaults to now: the span would grow with the years
        s = datetime.fromisoformat(start)
        e = s + SPAN if s.year < 2099 else s
        return {**query, "start": (e - SPAN).isoformat(), "end": e.isoformat()}
    if not (isinstance(start, str) and isinstance(end, str)):
        return query
    s, e = sorted((datetime.fromisoformat(start), datetime.fromisoformat(end)))
    late = s.year >= 2050  # move the end back rather than past 2099, or the start forward rather than before 2000
    if e - s > SPAN or e == s:
        step = SPAN if e - s > SPAN else timedelta(hours=1)
        s, e = (e - step, e) if late else (s, s + step)
    return {**query, "start": s.isoformat(), "end": e.isoformat()}


PERIOD_KEYS = ("before_start", "before_end", "after_start", "after_end")


def periods_in_order(query: dict) -> dict:
    """/v1/compare: the four times sorted into before then after, each period at most SPAN and at least an hour."""
    if not all(isinstance(query.get(k), str) for k in PERIOD_KEYS):
        return query
    times = sorted(datetime.fromisoformat(query[k]) for k in PERIOD_KEYS)
    if times[0].year >= 2050:  # stay before 2099: build the periods backwards from the latest time
        a1 = times[3]
        a0 = max(times[2], a1 - SPAN) if times[2] < a1 else a1 - timedelta(hours=1)
        b1 = min(times[1], a0)
        b0 = max(times[0], b1 - SPAN) if times[0] < b1 else b1 - timedelta(hours=1)
    else:
        b0 = times[0]
        b1 = min(times[1], b0 + SPAN) if times[1] > b0 else b0 + timedelta(hours=1)
        a0 = max(times[2], b1)
        a1 = min(times[3], a0 + SPAN) if times[3] > a0 else a0 + timedelta(hours=1)
    return {**query, **{k: t.isoformat() for k, t in zip(PERIOD_KEYS, (b0, b1, a0, a1), strict=True)}}


SENSOR_BODIES = ("/v1/accounts/signups", "/v1/admin/kits/{kit_id}/move", "/v1/owner/kits/{kit_id}/move")


def one_of_a_kind(sensors: list) -> list:
    """The sensors with only the first particle sensor and the first SHT sensor kept."""
    kinds = firmware_module("sensors")
    seen: set[tuple] = set()
    kept = []
    for name in sensors:
        kind = next((group for group in (kinds.PARTICLE, kinds.SHT) if name in group), (name,))
        if kind not in seen:
            seen.add(kind)
            kept.append(name)
    return kept


def keep_within_the_rules(case) -> None:
    """Bring a schema-valid request (of any phase) within the rules between parameters; others stay as made."""
    positive = case.meta is None or case.meta.generation.mode.is_positive  # no meta: the schema's own examples
    sensors = case.body.get("sensors") if isinstance(case.body, dict) else None
    if positive and case.path in SENSOR_BODIES and isinstance(sensors, list):
        case.body = {**case.body, "sensors": one_of_a_kind(sensors)}
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if case.query is None:
        return
    query = within_the_rules(case.query)
    if case.path in ("/v1/trend", "/v1/compare") and str(query.get("source", "")).startswith("station:"):
        query["quantity"] = "pm25"  # stations give pm25 and pm10 among the platform's quantities
    if case.path == "/v1/compare":
        query = periods_in_order(query)
    if case.path == "/v1/stats":
        given = [g for g in GROUPS if query.get(g) is not None]
        query = {k: v for k, v in query.items() if k not in GROUPS or k == given[0]} if given else query
        if not given:
            query["kits"] = "seed-beverwijk"
    case.query = query


@pytest.fixture(scope="module")
def reference_data(imported):  # noqa: F811
    """The shipped reference data and one calibration record, so the reference endpoints answer with real rows."""
    cli.main(["calibrate", "--kit", "HLL_545", "--station", "NL49570"])
    return imported


@schema.parametrize()
@hypothesis.settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_conforms_to_its_schema(case, api_base_url, rolled_up, reference_data, admin_key, smtp_server):
    keep_within_the_rules(case)
    # No `checks=`: schemathesis runs all of its built-in checks.
    case.call_and_validate(base_url=api_base_url, headers={"X-API-Key": admin_key}, timeout=30)
