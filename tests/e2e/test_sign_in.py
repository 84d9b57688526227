"""The sign-in page and the admin in a real browser, at phone and desktop sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.conftest import check_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_page_is_accessible_on_phone_and_desktop(
    live_server: object, phone: Page, desktop: Page
) -> None:
    for page in (phone, desktop):
        page.goto(f"{live_server}/accounts/login/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_label("Email address")).to_be_visible()
        check_page(page, "sign-in", "login")


def test_wrong_password_says_so_and_keeps_the_email(live_server: object, desktop: Page) -> None:
    factories.UserFactory(email="ann@example.org")
    desktop.goto(f"{live_server}/accounts/login/")
    desktop.get_by_label("Email address").fill("ann@example.org")
    desktop.get_by_label("Password").fill("not the password")
    desktop.get_by_role("button", name="Sign in").click()
    expect(desktop.get_by_text("Please enter a correct email address and password")).to_be_visible()
    expect(desktop.get_by_label("Email address")).to_have_value("ann@example.org")
    check_page(desktop, "sign-in", "login-error")
