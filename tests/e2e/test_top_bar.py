"""The clinician's top bar on a phone: at 390 and 360 px its seven links, Account and Sign out
wrapped onto three or four lines. It now folds into a menu button (Bootstrap's navbar
collapse) and stays one row; the menu opens and is walked with the keyboard, focus visible;
axe-clean closed and open. On a desktop every link shows in the bar, without the button."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from rehab.models import AtrsRequest
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, SMALL_PHONE, assert_accessible, screenshot
from tests.e2e.helpers import ONE_ROW, bar_height, sign_in, tab_to

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "top-bar"


def _outline(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle + ' ' + s.outlineWidth; }"
        )
    )


def test_the_clinicians_top_bar_fits_a_phone_and_opens_with_the_keyboard(
    live_server: object, phone: Page
) -> None:
    base = str(live_server)
    admin = factories.ClinicAdminFactory(
        user__email="admin@clinic.example", user__full_name="Ada Admin"
    )
    page = phone
    sign_in(page, base, "admin@clinic.example", factories.PASSWORD)
    page.goto(f"{base}{reverse('rehab:dashboard')}")
    menu = page.get_by_role("button", name="Menu")
    team = page.get_by_role("link", name="Team")
    for size in (PHONE, SMALL_PHONE):
        page.set_viewport_size(size)
        where = f"{size['width']}px"
        expect(menu).to_be_visible()
        assert bar_height(page) <= ONE_ROW, f"the bar is two rows or more at {where}"
        expect(team).to_be_hidden()
        assert_accessible(page, f"top bar closed at {where}")
    page.set_viewport_size(PHONE)
    screenshot(page, JOURNEY, "closed")

    # With the keyboard: the skip link, the brand, then the menu button; Enter opens it.
    page.locator("body").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    assert _outline(page).startswith("solid"), "the menu button's focus is not visible"
    expect(menu).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(team).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Dashboard")).to_be_focused()
    assert _outline(page).startswith("solid"), "a menu link's focus is not visible"
    for name in ("Patients", "Alerts", "Library", "Templates", "Team", "Clinic settings"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Account")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the open menu is {width}px wide"
    assert_accessible(page, "top bar open at 390px")
    screenshot(page, JOURNEY, "open")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the button again: it closes
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(team).to_be_hidden()

    # A desktop shows every link in the bar, one row, and no menu button.
    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(team).to_be_visible()
    assert bar_height(page) <= ONE_ROW, "the desktop bar is two rows or more"
    screenshot(page, JOURNEY, "desktop")
    assert admin.user.is_active


def test_a_patients_phone_keeps_account_and_sign_out_in_its_top_bar(
    live_server: object, phone: Page
) -> None:
    base = str(live_server)
    factories.PatientFactory(user=factories.UserFactory(email="robin@patient.example"))
    page = phone
    sign_in(page, base, "robin@patient.example", factories.PASSWORD)
    expect(page.get_by_role("button", name="Menu")).to_have_count(0)
    expect(page.get_by_role("link", name="Account")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, JOURNEY, "patient")


def test_a_patients_top_bar_stays_one_row_at_360px_with_the_questionnaire_due(
    live_server: object, small_phone: Page
) -> None:
    """From the phone review: at 360 px a patient whose questionnaire was due (the top bar's
    one link more, with its "due" badge) had a top bar of two rows, the questionnaire's link
    on the first and Account and Sign out under it. On a phone the questionnaire folds into
    the bottom bar, as the patient's other sections do: Progress is marked "due" and offers it
    at the top. The top bar stays one row; each item is reached with Tab, its focus visible;
    axe-clean; nothing wider than the screen. From a tablet up the top bar has its link."""
    base = str(live_server)
    patient = factories.PatientFactory(user=factories.UserFactory(email="robin@patient.example"))
    AtrsRequest.objects.create(patient=patient)  # the clinic asks: the questionnaire is due
    page = small_phone
    sign_in(page, base, "robin@patient.example", factories.PASSWORD)
    account = page.get_by_role("link", name="Account")
    sign_out = page.get_by_role("button", name="Sign out")
    for item in (account, sign_out):
        expect(item).to_be_visible()
    progress = page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Progress (questionnaire due)"
    )
    expect(progress).to_be_visible()
    expect(progress).to_contain_text("due")
    screenshot(page, JOURNEY, "patient-questionnaire-due")
    assert bar_height(page) <= ONE_ROW, f"the bar is {bar_height(page)}px high: two rows"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SMALL_PHONE["width"], f"the page is {width}px wide"
    assert_accessible(page, "the patient's top bar at 360px, questionnaire due")

    page.locator("body").focus()
    for item in (account, sign_out, progress):
        tab_to(page, item)
        assert _outline(page).startswith("solid"), f"{item}'s focus is not visible"
        box = item.bounding_box()
        assert box is not None, item
        assert box["x"] >= 0, item
        assert box["x"] + box["width"] <= SMALL_PHONE["width"], item
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    answer = page.get_by_role("link", name="Answer the questions")
    tab_to(page, answer)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/me/atrs/$"))

    page.set_viewport_size(DESKTOP)
    questionnaire = page.get_by_role("link", name=re.compile("^Questionnaire"))
    expect(questionnaire).to_be_visible()
    expect(questionnaire).to_contain_text("due")
    expect(progress).to_be_hidden()


def test_the_alerts_count_stands_apart_from_its_word_and_the_page_is_marked(
    live_server: object, desktop: Page
) -> None:
    """On a desktop the bar read "Alerts1 open": the link's flex layout dropped the space
    between the word and its badge. They now have a gap, and the page the physiotherapist is
    on is marked (aria-current) in the bar; axe-clean."""
    base = str(live_server)
    therapist = factories.ClinicianFactory(user__email="physio@clinic.example")
    patient = factories.PatientFactory(clinic=therapist.clinic)
    factories.AlertFactory(patient=patient)
    page = desktop
    sign_in(page, base, "physio@clinic.example", factories.PASSWORD)
    page.goto(f"{base}{reverse('rehab:alerts')}")
    link = page.locator("#main-menu").get_by_role("link", name="Alerts 1 open")
    expect(link).to_have_attribute("aria-current", "page")
    gap = link.evaluate(
        """el => {
          const range = document.createRange();
          range.selectNodeContents(el.firstChild.nodeType === 3 && el.firstChild.textContent.trim()
            ? el.firstChild : el.childNodes[1]);
          const word = range.getBoundingClientRect();
          const badge = el.querySelector('.badge').getBoundingClientRect();
          return badge.left - word.right;
        }"""
    )
    assert gap >= 4, f"the badge touches the word 'Alerts' ({gap:.1f} px apart)"
    assert_accessible(page, "alerts with the menu's current page")
