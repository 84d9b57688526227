"""``clinic.accounts.backends``: the session's user comes with their clinician or patient record."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import load_backend

from clinic.models import Clinician, Patient
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", settings.AUTHENTICATION_BACKENDS)
def test_a_patients_record_comes_in_the_same_query(
    path: str, django_assert_num_queries: Any
) -> None:
    patient = factories.PatientFactory()
    with django_assert_num_queries(1):
        user = load_backend(path).get_user(patient.user_id)
        assert user.patient.pk == patient.pk
        with pytest.raises(Clinician.DoesNotExist):
            user.clinician  # noqa: B018 (the access is the test)


@pytest.mark.parametrize("path", settings.AUTHENTICATION_BACKENDS)
def test_a_clinicians_record_and_clinic_come_in_the_same_query(
    path: str, django_assert_num_queries: Any
) -> None:
    clinician = factories.ClinicianFactory()
    with django_assert_num_queries(1):
        user = load_backend(path).get_user(clinician.user_id)
        assert user.clinician.clinic.name == clinician.clinic.name
        with pytest.raises(Patient.DoesNotExist):
            user.patient  # noqa: B018


def test_an_inactive_or_missing_user_is_nobody() -> None:
    clinician = factories.ClinicianFactory(user__is_active=False)
    backend = load_backend(settings.AUTHENTICATION_BACKENDS[-1])
    assert backend.get_user(clinician.user_id) is None
    assert backend.get_user(10**9) is None


@pytest.mark.parametrize("path", settings.AUTHENTICATION_BACKENDS)
def test_an_email_longer_than_any_account_s_is_not_looked_for(
    path: str, django_assert_num_queries: Any, rf: Any
) -> None:
    """No account has an email over 254 characters: the sign-in fails without a look-up
    (SQLite refused a 100,000-character one: a 503 on the sign-in page)."""
    factories.UserFactory()
    with django_assert_num_queries(0):
        user = load_backend(path).authenticate(
            rf.post("/accounts/login/"), username="x" * 100_000, password="secret"
        )
    assert user is None
