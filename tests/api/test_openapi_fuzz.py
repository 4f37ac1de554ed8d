"""Schemathesis against the app's own OpenAPI schema: generated requests find no 5xx and no schema violation.

The schema comes from create_app() (no server needed to collect); requests go to the real API of the session
(api_base_url) on the test database, with an admin key so that the admin operations are exercised too.
Examples per operation are bounded so the whole run stays well under two minutes.
"""

import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.settings import ApiSettings

schema = schemathesis.openapi.from_dict(create_app(ApiSettings()).openapi())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@schema.parametrize()
@hypothesis.settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_conforms_to_its_schema(case, api_base_url, rolled_up, admin_key):
    case.call_and_validate(base_url=api_base_url, headers={"X-API-Key": admin_key}, checks=CHECKS, timeout=30)
