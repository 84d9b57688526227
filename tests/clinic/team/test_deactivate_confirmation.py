"""Deactivating a clinician signs them out everywhere and hands on their patients: the
member page's button asks first, saying what will happen, and only "Yes, deactivate" does it.
A refusal (oneself, the last clinic admin, a colleague who cannot take the patients) comes
before the question, not after it."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clinic.models import Clinician, TeamEvent
from tests import factories
from tests.confirmations import asks_first, text
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_deactivate_button_asks_first_and_nothing_changes_until_confirmed(
    admin: Clinician, clinician: Clinician, colleague: Clinician
) -> None:
    factories.PatientFactory.create_batch(2, clinic=clinician.clinic, therapist=clinician)
    client = client_for(admin.user)
    url = reverse("clinic:team_deactivate", args=[clinician.pk])

    page = asks_first(
        client,
        url,
        {"reassign_to": colleague.pk},
        yes="Yes, deactivate",
        cancel=reverse("clinic:team_member", args=[clinician.pk]),
    )
    clinician.user.refresh_from_db()
    assert clinician.user.is_active
    assert not TeamEvent.objects.filter(action="deactivated").exists()
    name, other = clinician.user.get_full_name(), colleague.user.get_full_name()
    assert f"Deactivate {name}?" in page
    assert "signed out everywhere" in page
    assert f"The 2 patients assigned to them go to {other}." in page

    done = client.post(url, {"reassign_to": colleague.pk, "confirmed": "1"})

    assert done.status_code == 302
    clinician.user.refresh_from_db()
    assert not clinician.user.is_active
    assert clinician.patients.count() == 0


def test_the_question_says_when_patients_are_left_unassigned(
    admin: Clinician, clinician: Clinician
) -> None:
    factories.PatientFactory(clinic=clinician.clinic, therapist=clinician)
    asked = client_for(admin.user).post(reverse("clinic:team_deactivate", args=[clinician.pk]))
    assert "The 1 patient assigned to them is left unassigned." in text(asked.content.decode())


def test_the_question_says_plainly_when_no_patient_is_assigned_to_them(
    admin: Clinician, clinician: Clinician, colleague: Clinician
) -> None:
    url = reverse("clinic:team_deactivate", args=[clinician.pk])
    for data in ({}, {"reassign_to": colleague.pk}):
        page = text(client_for(admin.user).post(url, data).content.decode())
        assert "No patients are assigned to them." in page
        assert "The 0 patients" not in page


def test_a_refusal_comes_before_the_question(admin: Clinician) -> None:
    factories.ClinicAdminFactory(clinic=admin.clinic)
    response = client_for(admin.user).post(reverse("clinic:team_deactivate", args=[admin.pk]))
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["You cannot deactivate yourself; ask another clinic admin."]
