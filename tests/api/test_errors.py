"""One error body everywhere: ``{"detail": ...}`` or field errors keyed by field, never a
page of HTML, never a hint that another clinic's object exists."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail

from core.api.exceptions import exception_handler, validation_error_body
from core.api.schema import FIELD_CODES
from core.ids import opaque
from rehab.models import CheckIn, Measurement, Plan
from tests import factories
from tests.api.conftest import World, body


def test_service_errors_become_field_errors() -> None:
    error = ValidationError({"date": ["Too late."], "__all__": ["Both wrong."]})
    assert validation_error_body(error) == {
        "date": ["Too late."],
        "non_field_errors": ["Both wrong."],
    }
    assert validation_error_body(ValidationError("Nope.")) == {"non_field_errors": ["Nope."]}


def test_another_clinics_object_looks_exactly_like_a_missing_one(world: World) -> None:
    client = world.client("clinician")
    theirs = factories.AlertFactory(patient=world.stranger)
    for url in [
        f"/api/v1/patients/{opaque(world.stranger.pk)}/",
        f"/api/v1/plans/{opaque(world.stranger_prescription.phase.plan_id)}/",
        f"/api/v1/alerts/{opaque(theirs.pk)}/",
    ]:
        missing = url.rsplit("/", 2)[0] + "/999999/"
        got, unknown = client.get(url), client.get(missing)
        assert (got.status_code, body(got)) == (unknown.status_code, body(unknown))
        assert body(got) == {"detail": "Not found."}


def test_wrong_json_types_are_400_not_500(world: World) -> None:
    client = world.client("patient")
    payloads: list[Any] = [None, "text", 5, [], {"client_uuid": {"a": 1}}]
    for payload in payloads:
        response = client.post("/api/v1/checkins/", payload, format="json")
        assert response.status_code == 400, payload
        assert isinstance(body(response), dict)


def test_a_records_unknown_key_is_refused_not_dropped(world: World) -> None:
    # ``flag_pe`` is the check-in's name for breathlessness in the patient's own export: sent
    # to the API it was silently dropped, 201 with the question stored as not reported (no
    # alert, no pause). The check-in and the measurement, whose every answer is optional,
    # refuse a key they do not take, and store nothing. (The ATRS needs all ten answers, and a
    # ``total`` sent to it is not read: the server computes it.)
    plan = world.plan
    patient_client = world.client("patient")
    sent = {"client_uuid": str(uuid.uuid4()), "swelling": "mild", "flag_pe": True}
    response = patient_client.post("/api/v1/checkins/", sent, format="json")
    assert response.status_code == 400
    assert body(response)["codes"] == {"flag_pe": ["unknown_field"]}
    assert not CheckIn.objects.filter(patient=world.patient).exists()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    response = world.client("clinician").post(
        "/api/v1/measurements/",
        {
            "client_uuid": str(uuid.uuid4()),
            "patient": opaque(world.patient.pk),
            "heel_rise_reps_injured": 10,
            "heel_rise_reps_uninjurd": 20,
        },
        format="json",
    )
    assert body(response)["codes"] == {"heel_rise_reps_uninjurd": ["unknown_field"]}
    assert not Measurement.objects.filter(patient=world.patient).exists()


# --- Codes: each error's code beside its message, each operation's rules in its schema ------


def test_a_400_carries_each_errors_code_under_the_same_key(world: World) -> None:
    response = world.client("patient").post(
        "/api/v1/checkins/", {"pain_at_rest": 12, "swelling": "x"}, format="json"
    )
    assert response.status_code == 400
    assert body(response)["codes"] == {
        "client_uuid": ["required"],
        "pain_at_rest": ["max_value"],
        "swelling": ["invalid_choice"],
    }


def test_a_rule_the_schema_cannot_state_answers_its_own_code(world: World) -> None:
    yesterday = world.patient.local_today() - dt.timedelta(days=1)
    log = factories.ExerciseLogFactory(prescription=world.prescription, date=yesterday)
    response = world.client("patient").patch(
        f"/api/v1/logs/{opaque(log.pk)}/", {"pain": 3}, format="json"
    )
    assert response.status_code == 400
    assert body(response)["codes"] == {"non_field_errors": ["not_today"]}
    clinician = world.client("clinician")
    message = clinician.post("/api/v1/messages/", {"body": "Hello"}, format="json")
    assert body(message)["codes"] == {"patient": ["patient_required"]}
    stranger = {"body": "Hello", "patient": opaque(world.stranger.pk)}
    message = clinician.post("/api/v1/messages/", stranger, format="json")
    assert body(message)["codes"] == {"patient": ["unknown_patient"]}


def test_malformed_json_has_a_code_too(world: World) -> None:
    response = world.client("patient").post(
        "/api/v1/checkins/", "{", content_type="application/json"
    )
    assert response.status_code == 400
    assert body(response)["codes"] == {"detail": ["parse_error"]}


def test_an_error_raised_without_a_code_is_invalid_not_null() -> None:
    """django-filter passes a form error's code on as it is: None for a plain message."""
    error = exceptions.ValidationError({"date": [ErrorDetail("No code.", code=None)]})
    response = exception_handler(error, {})
    assert response is not None
    assert response.data["codes"] == {"date": ["invalid"]}


def _bad_request(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    response = schema["paths"][path][method]["responses"]["400"]
    content: dict[str, Any] = response["content"]["application/json"]["schema"]
    if "$ref" in content:
        content = schema["components"]["schemas"][content["$ref"].rsplit("/", 1)[-1]]
    return {"description": response["description"], "schema": content}


def _documented_codes(bad_request: dict[str, Any]) -> set[str]:
    codes = bad_request["schema"]["properties"]["codes"]["additionalProperties"]["anyOf"][0]
    return set(codes["items"]["enum"])


def test_each_operation_documents_its_rules_codes(world: World) -> None:
    schema = world.client("clinician").get("/api/v1/schema/", {"format": "json"}).json()
    patch_log = _bad_request(schema, "/api/v1/logs/{id}/", "patch")
    assert "not_today" in _documented_codes(patch_log)
    assert "`not_today`" in patch_log["description"]
    activate = _documented_codes(_bad_request(schema, "/api/v1/plans/{id}/activate/", "post"))
    assert {"stale_plan", "no_phases", "patient_not_active", "already_active"} <= activate
    assert "not_today" not in activate
    # A list with no rule of its own: only the fields' own codes.
    plain = _documented_codes(_bad_request(schema, "/api/v1/messages/", "get"))
    assert plain == set(FIELD_CODES)
