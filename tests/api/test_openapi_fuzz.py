"""Schemathesis over the OpenAPI document: requests generated from the schema, valid and not, with an admin
token, against the real store and broker. None may get a 5xx.

Driven by hand (hypothesis per operation) rather than by `schema.parametrize`: schemathesis' pytest
fixture loader does not work with pytest 9, and the app needs this test's broker topics and store."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import auth

pytestmark = pytest.mark.integration

EXAMPLES = 25  # per operation


def test_no_generated_request_gets_a_server_error(client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case) -> None:
            case.call_and_validate(headers=auth("admin"), checks=[not_a_server_error])

        no_server_error()
