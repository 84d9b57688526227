"""One error body everywhere: ``{"detail": ...}`` or field errors keyed by field, never a
page of HTML, never a hint that another clinic's object exists."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from core.api.exceptions import validation_error_body
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
        f"/api/v1/patients/{world.stranger.pk}/",
        f"/api/v1/plans/{world.stranger_prescription.phase.plan_id}/",
        f"/api/v1/alerts/{theirs.pk}/",
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
