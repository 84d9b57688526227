"""Discharging and archiving a patient end their care (their plan, their reminders, what they
can record): the buttons of the patient form ask first, saying what changes for the patient,
and only "Yes, …" (``confirmed``) does it. Cancel goes back to the form; a ``next`` is kept;
a refusal (an erased record) comes before the question."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Clinician, Invitation, Patient
from clinic.services import invitations as invitation_services
from rehab.models import Plan
from tests import factories
from tests.confirmations import asks_first
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


CARE_ENDS = (
    "Their current plan ends: they are no longer offered exercises.",
    "Reminders and other notifications to them stop.",
    (
        "They can no longer record exercises, check-ins, questionnaires or measurements; they can "
        "still sign in, read their record and download it."
    ),
    "Their record and logs are kept.",
)


def test_discharge_asks_first_saying_what_changes_for_the_patient(
    clinician: Clinician, patient: Patient
) -> None:
    plan = factories.PlanFactory(patient=patient)
    client = client_for(clinician.user)
    url = reverse("clinic:patient_discharge", args=[patient.pk])

    page = asks_first(
        client, url, yes="Yes, discharge", cancel=reverse("clinic:patient_edit", args=[patient.pk])
    )
    patient.refresh_from_db()
    plan.refresh_from_db()
    assert (patient.status, plan.status) == (Patient.Status.ACTIVE, Plan.Status.ACTIVE)
    assert f"Discharge {patient.full_name}?" in page
    for said in CARE_ENDS:
        assert said in page
    assert "Only a discharged patient can be erased" in page

    done = client.post(url, {"confirmed": "1"})

    assert done.status_code == 302
    patient.refresh_from_db()
    plan.refresh_from_db()
    assert (patient.status, plan.status) == (Patient.Status.DISCHARGED, Plan.Status.COMPLETED)


def test_archive_asks_first_saying_the_invitation_links_stop_working(
    clinician: Clinician, patient: Patient
) -> None:
    invitation_services.invitation_create(patient=patient, created_by=clinician.user)
    client = client_for(clinician.user)
    url = reverse("clinic:patient_archive", args=[patient.pk])

    page = asks_first(
        client, url, yes="Yes, archive", cancel=reverse("clinic:patient_edit", args=[patient.pk])
    )
    patient.refresh_from_db()
    assert patient.status == Patient.Status.ACTIVE
    assert Invitation.objects.filter(patient=patient, revoked_at__isnull=True).exists()
    assert f"Archive {patient.full_name}?" in page
    for said in CARE_ENDS:
        assert said in page
    assert "An invitation link sent to them stops working" in page

    done = client.post(url, {"confirmed": "1"})

    assert done.status_code == 302
    patient.refresh_from_db()
    assert patient.status == Patient.Status.ARCHIVED
    assert not Invitation.objects.filter(patient=patient, revoked_at__isnull=True).exists()


def test_the_question_keeps_a_safe_next(clinician: Clinician, patient: Patient) -> None:
    client = client_for(clinician.user)
    url = reverse("clinic:patient_discharge", args=[patient.pk])
    asked = client.post(url, {"next": "/clinic/patients/"})
    assert 'name="next" value="/clinic/patients/"' in asked.content.decode()
    assert 'href="/clinic/patients/"' in asked.content.decode()  # Cancel goes back there
    asked = client.post(url, {"next": "https://evil.example.com/"})
    assert "evil.example" not in asked.content.decode()
