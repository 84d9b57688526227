"""The counts the clinician's top bar carries (open alerts, unread messages) are seen at every
width: at 1024 px (a small laptop, a tablet on its side) the bar's links fold into the menu
button, and the counts went with them, out of sight. They now stay in the bar beside the
button below the width where the links show, as words ("1 open alert", "1 unread"), not a
colour alone: at 1024×768, at 1366×900 and on a phone, the menu closed and open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from clinic.services.messages import message_send
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, SMALL_PHONE, assert_accessible, screenshot
from tests.e2e.helpers import ONE_ROW, bar_height, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "nav-counts"
SMALL_LAPTOP = {"width": 1024, "height": 768}


def _visible_in_bar(page: Page, pattern: str) -> Locator:
    """The one link of the top bar showing ``pattern`` as visible text."""
    shown = page.locator("header.navbar a:visible", has_text=re.compile(pattern))
    expect(shown).to_have_count(1)
    return shown


def test_the_counts_show_in_the_top_bar_at_every_width(live_server: object, phone: Page) -> None:
    base = str(live_server)
    admin = factories.ClinicAdminFactory(
        user__email="admin@clinic.example", user__full_name="Ada Admin"
    )
    patient = factories.PatientFactory(clinic=admin.clinic, first_name="Olivia")
    factories.AlertFactory(patient=patient)
    message_send(patient=patient, author=patient.user, body="A question", from_patient=True)
    page = phone
    sign_in(page, base, "admin@clinic.example", factories.PASSWORD)
    page.goto(f"{base}{reverse('rehab:patient_list')}")  # not the dashboard: its own counts

    menu = page.get_by_role("button", name="Menu")
    for size in (SMALL_LAPTOP, DESKTOP, PHONE, SMALL_PHONE):
        page.set_viewport_size(size)
        where = f"{size['width']}×{size['height']}"
        alerts = _visible_in_bar(page, r"\b1 open\b")
        unread = _visible_in_bar(page, r"\b1 unread\b")
        for shown in (alerts, unread):
            box = shown.bounding_box()
            assert box is not None, where
            assert box["x"] >= 0, where
            assert box["x"] + box["width"] <= size["width"], where
            assert box["y"] + box["height"] <= bar_height(page), where
        assert bar_height(page) <= ONE_ROW, f"the bar is two rows or more at {where}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the page is {width}px wide at {where}"
        assert_accessible(page, f"the top bar's counts at {where}")
        screenshot(page, JOURNEY, f"{size['width']}")

    # On a phone with the menu open, the counts are there too, beside their links' words.
    page.set_viewport_size(PHONE)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    open_menu = page.locator("#main-menu")
    expect(open_menu.get_by_role("link", name="Alerts 1 open")).to_be_visible()
    expect(open_menu.get_by_role("link", name="Dashboard 1 unread")).to_be_visible()
    screenshot(page, JOURNEY, "phone-open")
