"""What looked wrong walking through the demo as the patient (360×740) and the therapist
(1366×900, 1024×768): each test is one such thing, seen in the browser."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.helpers import patient_with_plan, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# The brand's blue (static/css/design.css, --rehab-brand), as the browser computes it.
BRAND = "rgb(10, 92, 138)"


def test_the_clinicians_selected_tabs_and_builder_buttons_are_the_brands_blue(
    live_server: object, desktop: Page
) -> None:
    """The patient list's and the alerts' selected tab ("All patients", "Open") was
    Bootstrap's bright blue, and the plan builder's outline buttons ("Plan overview", "Add
    exercises") a third blue, beside the brand's blue of every other button."""
    scene = patient_with_plan()
    page = desktop
    sign_in(page, str(live_server), scene.clinician.user.email, factories.PASSWORD)
    for name in ("rehab:patient_list", "rehab:alerts"):
        page.goto(f"{live_server}{reverse(name)}")
        selected = page.locator(".nav-pills .nav-link.active").first
        expect(selected).to_have_css("background-color", BRAND)
    page.goto(f"{live_server}{reverse('rehab:plan_builder', args=[scene.plan.pk])}")
    overview = page.get_by_role("link", name="Plan overview")
    expect(overview).to_have_css("color", BRAND)
    expect(overview).to_have_css("border-top-color", BRAND)
