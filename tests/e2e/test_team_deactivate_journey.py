"""A clinic admin deactivates a physiotherapist from the team page: the button asks first,
saying what will happen; Cancel changes nothing; "Yes, deactivate" hands their patients on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clinic.models import Patient
from tests import factories
from tests.e2e.conftest import check_page
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "team-deactivate"


def test_deactivating_asks_first_and_hands_the_patients_on(
    live_server: object, desktop: Page
) -> None:
    base = str(live_server)
    admin = factories.ClinicAdminFactory(
        user__email="admin@clinic.example", user__full_name="Ada Admin"
    )
    leaving = factories.ClinicianFactory(clinic=admin.clinic, user__full_name="Lee Leaving")
    factories.ClinicianFactory(clinic=admin.clinic, user__full_name="Cam Colleague")
    patient = factories.PatientFactory(clinic=admin.clinic, therapist=leaving)
    page = desktop

    sign_in(page, base, "admin@clinic.example", factories.PASSWORD)
    page.get_by_role("link", name="Team").click()
    page.get_by_role("link", name="Lee Leaving").click()
    page.get_by_label("Their patients").select_option(label="Cam Colleague")
    page.get_by_role("button", name="Deactivate").click()

    expect(page.get_by_role("heading", name="Deactivate Lee Leaving?")).to_be_visible()
    expect(
        page.get_by_text("The 1 patient assigned to them goes to Cam Colleague.")
    ).to_be_visible()
    check_page(page, JOURNEY, "question")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name="Lee Leaving")).to_be_visible()
    leaving.user.refresh_from_db()
    assert leaving.user.is_active

    page.get_by_label("Their patients").select_option(label="Cam Colleague")
    page.get_by_role("button", name="Deactivate").click()
    page.get_by_role("button", name="Yes, deactivate").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Lee Leaving is deactivated")).to_be_visible()
    leaving.user.refresh_from_db()
    assert not leaving.user.is_active
    assert Patient.objects.get(pk=patient.pk).therapist.user.get_full_name() == "Cam Colleague"
