"""Schemathesis against the generated OpenAPI schema: no 5xx, no response outside the schema.

Bounded: a fixed number of examples per operation (SCHEMATHESIS_EXAMPLES, default 8) so that the
run stays well under two minutes in CI. Requests go to the WSGI application in-process, as an
authenticated staff member with a token, over the small test programme.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from cse_monitor.tokens import token_create
from cse_monitor.wsgi import application

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))


# The examples and fuzzing phases, positive and negative data; the coverage phase (which enumerates
# boundary cases of every parameter, hundreds per operation) and the stateful phase are left out
# to keep the run bounded.
CONFIG = SchemathesisConfig.from_str(
    f"""
[phases.coverage]
enabled = false
[phases.stateful]
enabled = false
[generation]
max-examples = {EXAMPLES}
deterministic = true
"""
)


@pytest.fixture
def api_schema(db, settings):
    settings.API_AUTH_FAILURE_LIMIT = 10**6  # generated requests must not lock the test client out
    # Requests run in-process inside the test's transaction: like Django's test client, keep the
    # request signals from closing the connection after each request (PostgreSQL would lose it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def auth_header(users, full_programme):
    return {"Authorization": f"Token {token_create(user=users['staff'], name='schemathesis').secret}"}


@pytest.mark.slow
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case, auth_header):
    case.call_and_validate(
        headers=auth_header,
        checks=[
            checks.not_a_server_error,
            checks.response_schema_conformance,
            checks.status_code_conformance,
            checks.content_type_conformance,
        ],
    )
