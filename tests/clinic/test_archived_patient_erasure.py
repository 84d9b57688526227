"""A clinic admin erasing an archived patient: the erase page asks for a discharge first and
the page it links to offers one, so the patient never has to be made active again (which
would put them back on the lists and start their reminders) on the way to erasure."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from rehab.services import records as record_services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_an_archived_patient_is_discharged_then_erased_without_being_reactivated(
    admin: Clinician, patient: Patient
) -> None:
    patient_services.patient_archive(patient=patient)
    client = client_for(admin.user)

    erase_page = unescape(
        client.get(reverse("rehab:patient_erase", args=[patient.pk])).content.decode()
    )
    assert "Only a discharged patient can be erased." in erase_page
    edit_url = reverse("clinic:patient_edit", args=[patient.pk])
    assert f'href="{edit_url}"' in erase_page

    edit_page = client.get(edit_url).content.decode()
    assert f'action="{reverse("clinic:patient_discharge", args=[patient.pk])}"' in edit_page

    client.post(reverse("clinic:patient_discharge", args=[patient.pk]), {"confirmed": "1"})
    patient.refresh_from_db()
    assert patient.status == Patient.Status.DISCHARGED
    client.post(
        reverse("rehab:patient_erase", args=[patient.pk]),
        {"confirmation": record_services.ERASE_CONFIRMATION},
    )
    patient.refresh_from_db()
    assert patient.is_erased


def test_a_discharged_patient_is_not_offered_a_discharge(
    admin: Clinician, patient: Patient
) -> None:
    patient_services.patient_discharge(patient=patient)
    page = client_for(admin.user).get(reverse("clinic:patient_edit", args=[patient.pk]))
    assert reverse("clinic:patient_discharge", args=[patient.pk]) not in page.content.decode()
