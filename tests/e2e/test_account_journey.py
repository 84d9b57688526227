"""Two-factor sign-in, sessions, a patient's own data and the access histories, in a real
browser."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32decode
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from audit.models import AccessEvent
from tests import factories
from tests.e2e.conftest import SMALL_PHONE, assert_accessible, check_page
from tests.e2e.helpers import PASSWORD, patient_with_password, patient_with_plan, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

JOURNEY = "account"
WIDE = {"width": 1366, "height": 900}  # the desktop the accessibility standard names


def _code_from_key(page: Page) -> str:
    """What an authenticator app would show for the key printed on the set-up page."""
    key = re.sub(
        r"\s", "", page.get_by_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$")).inner_text()
    )
    key += "=" * (-len(key) % 8)
    return f"{totp(b32decode(key)):06d}"


def test_a_clinic_admin_sets_up_two_factor_then_signs_in_with_a_recovery_code(
    live_server: Any, desktop: Page, settings: Any
) -> None:
    settings.MFA_REQUIRED = True
    admin = factories.ClinicAdminFactory(user__email="admin@clinic.example")
    admin.user.set_password(PASSWORD)
    admin.user.save()
    page = desktop

    sign_in(page, live_server.url, "admin@clinic.example", PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    page.get_by_role("button", name="Show my QR code").click()  # opening the page wrote nothing
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    check_page(page, JOURNEY, "mfa-setup")

    field = page.get_by_label("6-digit code from your authenticator app")
    field.fill("000000" if _code_from_key(page) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code is not right, or has been used already.")).to_be_visible()

    page.wait_for_timeout(1100)  # django-otp throttles the device for a second after a failure
    page.get_by_label("6-digit code from your authenticator app").fill(_code_from_key(page))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = (
        page.get_by_role("listitem").filter(has_text=re.compile(r"^[a-z2-7]{8}$")).all_inner_texts()
    )
    assert len(codes) == 10
    check_page(page, JOURNEY, "recovery-codes")
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Dashboard"))).to_be_visible()

    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("You have 10 recovery codes left.")).to_be_visible()
    expect(page.get_by_role("link", name="Turn off two-factor sign-in")).to_have_count(0)
    check_page(page, JOURNEY, "account-admin")
    page.get_by_role("link", name="See and end your sessions").click()
    expect(page.get_by_role("heading", name="Where you are signed in")).to_be_visible()
    expect(page.get_by_text("This device")).to_be_visible()
    check_page(page, JOURNEY, "sessions")

    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page, live_server.url, "admin@clinic.example", PASSWORD)
    expect(page.get_by_role("heading", name="Enter your two-factor code")).to_be_visible()
    check_page(page, JOURNEY, "mfa-verify")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Dashboard"))).to_be_visible()


def test_a_patient_finds_their_data_and_who_opened_their_record(
    live_server: Any, phone: Page
) -> None:
    patient_with_password()
    page = phone

    sign_in(page, live_server.url, "robin@patient.example", PASSWORD)
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_role("link", name="Set up two-factor sign-in")).to_be_visible()
    check_page(page, JOURNEY, "account-patient")

    page.get_by_role("link", name="View or print everything we hold about you").click()
    expect(page.get_by_text("Seated ankle hold").first).to_be_visible()
    check_page(page, JOURNEY, "my-export")

    page.go_back()
    page.get_by_role("link", name="Who at the clinic opened your record").click()
    check_page(page, JOURNEY, "my-access-history")


def _page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_patients_printable_record_does_not_scroll_sideways_on_a_360px_phone(
    live_server: Any, small_phone: Page
) -> None:
    """The patient's own record (/me/export/) with a week of logs fits a 360 px phone: its
    exercise-log and check-in tables scroll inside their own focusable, named regions, not the
    page (from review: the page was 426 px wide); printed, the tables are whole."""
    scene = patient_with_plan(with_user=True)
    rx = scene.plan.phases.get().prescriptions.all()
    exercise = rx[0].exercise
    exercise.patient_name = "Pointing your foot down and back, boot off (sitting)"
    exercise.save(update_fields=["patient_name"])
    today = timezone.localdate()
    for days in range(7):
        factories.ExerciseLogFactory(
            prescription=rx[0],
            date=today - dt.timedelta(days=days),
            sets_done=2,
            pain=3,
            effort=5,
            note="Uncomfortable afterwards",
        )
    factories.CheckInFactory(patient=scene.patient, note="A little swollen in the evening")
    page = small_phone
    sign_in(page, live_server.url, "robin@patient.example", factories.PASSWORD)
    page.goto(f"{live_server.url}/me/export/")
    expect(page.get_by_role("heading", name="Exercise logs")).to_be_visible()
    assert _page_width(page) <= SMALL_PHONE["width"], (
        f"the record is {_page_width(page)} px wide on a {SMALL_PHONE['width']} px phone"
    )
    for name in ("Table of exercise logs", "Table of check-ins"):
        expect(page.get_by_role("region", name=name)).to_have_attribute("tabindex", "0")
    for size in (SMALL_PHONE, WIDE):
        page.set_viewport_size(size)
        assert_accessible(page, f"the printable record at {size['width']} px")
    page.emulate_media(media="print")
    overflow = page.evaluate(
        "[...document.querySelectorAll('.table-responsive')]"
        ".map(el => getComputedStyle(el).overflowX)"
    )
    assert overflow == ["visible", "visible"], overflow


def test_a_patients_access_history_is_axe_clean_on_a_360px_phone(
    live_server: Any, small_phone: Page
) -> None:
    """The clinic admin's access history of a patient: its six-column table scrolls sideways
    at 360 px inside a region the keyboard can reach and that says what it is (from review:
    a bare ``.table-responsive``, axe's scrollable-region-focusable); axe clean at 360 px and
    at a desktop."""
    scene = patient_with_plan(with_user=True)
    admin = factories.ClinicAdminFactory(
        clinic=scene.clinician.clinic, user__email="admin@clinic.example"
    )
    page = small_phone
    sign_in(page, live_server.url, admin.user.email, factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('rehab:patient_detail', args=[scene.patient.pk])}")
    page.goto(f"{live_server.url}{reverse('audit:patient_history', args=[scene.patient.pk])}")
    expect(page.get_by_role("heading", name="Access history", level=1)).to_be_visible()
    assert AccessEvent.objects.filter(patient_ref=scene.patient.pk).exists()
    table = page.get_by_role("region", name="Accesses to this record, newest first")
    assert table.evaluate("el => el.scrollWidth > el.clientWidth")  # it does scroll
    table.focus()
    page.keyboard.press("ArrowRight")  # the keyboard scrolls to the last columns
    # Chromium may scroll smoothly: wait for the scroll rather than read it at once.
    page.wait_for_function("el => el.scrollLeft > 0", arg=table.element_handle(), timeout=5000)
    for size in (SMALL_PHONE, WIDE):
        page.set_viewport_size(size)
        assert_accessible(page, f"access history at {size['width']} px")


def test_a_patient_changes_their_password_on_the_sites_own_pages(
    live_server: Any, small_phone: Page
) -> None:
    """From the account page, on a 360 px phone: the site's own password change page (not the
    Django admin's), its fields labelled, a wrong old password said on its field, then the
    confirmation; axe clean at 360 and 1366 px."""
    scene = patient_with_plan(with_user=True)
    assert scene.patient.user is not None
    page = small_phone
    sign_in(page, live_server.url, "robin@patient.example", factories.PASSWORD)
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", name="Change your password", level=1)).to_be_visible()
    expect(page.get_by_text("Django administration")).to_have_count(0)
    new = "a-brand-new-long-passphrase-42"
    page.get_by_label("Old password").fill("not-the-password-at-all")
    page.get_by_label(re.compile(r"^New password\W*$")).fill(new)
    page.get_by_label("New password confirmation").fill(new)
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_text("Your old password was entered incorrectly.")).to_be_visible()
    expect(page.get_by_label("Old password")).to_have_attribute("aria-invalid", "true")
    for size in (SMALL_PHONE, WIDE):
        page.set_viewport_size(size)
        assert_accessible(page, f"password change at {size['width']} px")
    page.set_viewport_size(SMALL_PHONE)
    page.get_by_label("Old password").fill(factories.PASSWORD)
    page.get_by_label(re.compile(r"^New password\W*$")).fill(new)
    page.get_by_label("New password confirmation").fill(new)
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("heading", name="Password changed", level=1)).to_be_visible()
    for size in (SMALL_PHONE, WIDE):
        page.set_viewport_size(size)
        assert_accessible(page, f"password changed at {size['width']} px")
    scene.patient.user.refresh_from_db()
    assert scene.patient.user.check_password(new)
