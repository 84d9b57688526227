"""A physiotherapist discharges a patient from the patient form: the button asks first,
saying what changes for the patient; Cancel changes nothing; "Yes, discharge" ends the care."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from clinic.models import Patient
from rehab.models import Plan
from tests import factories
from tests.e2e.conftest import check_page
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "patient-discharge"


def test_discharging_asks_first_and_says_what_changes_for_the_patient(
    live_server: object, desktop: Page
) -> None:
    base = str(live_server)
    physio = factories.ClinicianFactory(
        user__email="physio@clinic.example", user__full_name="Pat Physio"
    )
    patient = factories.PatientFactory(
        clinic=physio.clinic, therapist=physio, first_name="Dana", last_name="Done"
    )
    plan = factories.PlanFactory(patient=patient)
    edit = base + reverse("clinic:patient_edit", args=[patient.pk])
    page = desktop

    sign_in(page, base, "physio@clinic.example", factories.PASSWORD)
    page.goto(edit)
    page.get_by_role("button", name="Discharge").click()

    expect(page.get_by_role("heading", name="Discharge Dana Done?")).to_be_visible()
    expect(
        page.get_by_text("Their current plan ends: they are no longer offered exercises.")
    ).to_be_visible()
    expect(page.get_by_text("Reminders and other notifications to them stop.")).to_be_visible()
    check_page(page, JOURNEY, "question")
    page.get_by_role("link", name="Cancel").click()
    assert page.url == edit
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.ACTIVE
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.ACTIVE

    page.get_by_role("button", name="Discharge").click()
    page.get_by_role("button", name="Yes, discharge").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dana Done has been discharged.")).to_be_visible()
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.DISCHARGED
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.COMPLETED
