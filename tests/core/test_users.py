"""The signed-in person, typed: their user row and their patient or clinician record."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from clinic.access import clinician_of, patient_of
from clinic.models import User
from core.users import signed_in_record, signed_in_user
from tests import factories

pytestmark = pytest.mark.django_db


def _request(user: Any) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_signed_in_patients_record() -> None:
    patient = factories.PatientFactory()
    request = _request(patient.user)
    assert signed_in_record(request, patient_of) == patient
    assert signed_in_user(request, User) == patient.user


def test_someone_without_such_a_record_gets_a_404() -> None:
    clinician = factories.ClinicianFactory()
    with pytest.raises(Http404):
        signed_in_record(_request(clinician.user), patient_of)
    with pytest.raises(Http404):
        signed_in_record(_request(AnonymousUser()), clinician_of)
    with pytest.raises(Http404):
        signed_in_user(_request(AnonymousUser()), User)
