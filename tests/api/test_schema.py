"""The OpenAPI schema, checked against the running API by Schemathesis.

Every operation of ``/api/v1/schema/`` is called in-process (WSGI, inside this test's
transaction) with generated valid and invalid input, once as a signed-in clinician and once as a
signed-in patient, each request with a fresh knox token (so ``auth/logout/`` in one example does
not sign the next out). Each response must not be a server error and must match the schema:
status code, content type and body (a 400's ``codes`` only those its operation documents).
Input the schema calls invalid must be refused (a wrong type, an array for a number, a value out
of range: never silently read as something else), and input it calls valid accepted, or refused
only for one of the operation's documented rules (never for a field's own rule the schema
failed to state). Few examples per operation, derandomized: reproducible and about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from clinic.models import User
from config.wsgi import application
from core.api.schema import FIELD_CODES
from tests import factories
from tests.api.conftest import World

# The coverage phase's boundary and invalid values stay; its calls with methods no operation
# has (each answers 405) are left out to keep the run short.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})


def _codes(found: Any) -> Iterator[str]:
    if isinstance(found, dict):
        for value in found.values():
            yield from _codes(value)
    elif isinstance(found, list):
        for value in found:
            yield from _codes(value)
    elif isinstance(found, str):
        yield found


@schemathesis.check
def valid_input_refused_only_by_a_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """Input the schema calls valid is accepted, or refused (400) only for one of the
    operation's own rules (its codes are checked against the documented ones by the response's
    schema): a field's own code (``required``, ``invalid``, ``max_length``, …) on valid input
    means the schema does not say what the field takes."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    codes = set(_codes(response.json().get("codes")))
    field_codes = codes & set(FIELD_CODES)
    if field_codes:
        msg = (
            f"Schema-valid input refused for {sorted(field_codes)} "
            f"(a field's own rule the schema does not state): {response.json()}"
        )
        raise AssertionError(msg)
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    valid_input_refused_only_by_a_rule,
]


@pytest.fixture
def _in_test_transaction() -> Iterator[None]:
    """Django closes "old" connections around each WSGI request; inside a test transaction that
    would break it (the test client disconnects these handlers the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["clinician", "patient"])
def caller(request: pytest.FixtureRequest, world: World) -> User:
    """The signed-in user, with a little more of everything for the generated ids to hit."""
    factories.ExerciseLogFactory(prescription=world.prescription)
    factories.CheckInFactory(patient=world.patient)
    factories.AtrsResponseFactory(patient=world.patient)
    factories.MeasurementFactory(patient=world.patient)
    factories.MessageFactory(patient=world.patient)
    factories.AlertFactory(patient=world.patient)
    return world.clinician.user if request.param == "clinician" else world.patient.user


def auth_header(user: User) -> dict[str, str]:
    _instance, token = AuthToken.objects.create(user=user)
    return {"Authorization": f"Token {token}"}


@pytest.fixture
def api_schema(request: pytest.FixtureRequest, caller: User, _in_test_transaction: None) -> Any:
    # Schemathesis 4.32 names each operation's subtest through ``node._nodeid``, which pytest
    # 9.2 no longer has (its node id is now derived): give it one to read.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", application, config=CONFIG, headers=auth_header(caller)
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, caller: User) -> None:
    # A token per request, deleted after: knox checks every token of the user on each request,
    # so thousands of leftovers would make each call slower than the last.
    instance, token = AuthToken.objects.create(user=caller)
    try:
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
    finally:
        AuthToken.objects.filter(pk=instance.pk).delete()
