"""Site staff edit an exercise's instructions in the admin; the patient sees them on Today."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.conftest import check_page
from tests.e2e.helpers import card, patient_with_plan, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_edit_reaches_the_patients_today_page(
    live_server: object, desktop: Page, phone: Page
) -> None:
    scene = patient_with_plan(with_user=True)
    factories.StaffFactory(email="admin@site.example")
    sign_in(desktop, str(live_server), "admin@site.example", factories.PASSWORD)

    desktop.goto(f"{live_server}/admin/rehab/exercise/")
    desktop.get_by_role("searchbox").fill("Toe curls")
    desktop.keyboard.press("Enter")
    desktop.get_by_role("link", name="Toe curls", exact=True).click()
    check_page(desktop, "admin", "exercise-change")
    steps = desktop.get_by_label(re.compile(r"^\s*Steps"))
    steps.fill(
        "Sit with the leg supported.\nCurl the toes slowly, then spread them wide.\n"
        "Relax for two seconds between curls."
    )
    desktop.get_by_role("button", name="Save and continue editing").first.click()
    expect(desktop.get_by_text(re.compile("was changed successfully"))).to_be_visible()
    check_page(desktop, "admin", "exercise-saved")

    sign_in(phone, str(live_server), scene.patient.user.email, factories.PASSWORD)
    toes = card(phone, "Toe curls")
    toes.get_by_text("How to do it, tips and safety").click()
    expect(toes.get_by_text("Relax for two seconds between curls.")).to_be_visible()
    check_page(phone, "admin", "patient-sees-change")
