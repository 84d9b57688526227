"""The patient's phone (issue 18) at 360×740: exercises first, the installable app that works
offline, progress that encourages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _context, _watched_page, check_page
from tests.e2e.helpers import card, patient_with_plan, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "phone"
SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture
def small_phone(browser: Browser) -> Iterator[Page]:
    """A 360×740 phone with touch."""
    yield from _watched_page(_context(browser, SMALL_PHONE, has_touch=True, is_mobile=True))


def _in_first_screen(page: Page, selector: str) -> bool:
    """Whether the top of the first element ``selector`` finds is in the first screen."""
    top = page.eval_on_selector(selector, "el => el.getBoundingClientRect().top")
    return 0 <= top < SMALL_PHONE["height"] - 80  # its top and a line of it, above the bottom bar


def test_today_puts_the_first_exercise_in_the_first_screen(
    live_server: object, small_phone: Page
) -> None:
    scene = patient_with_plan(with_user=True)
    page = small_phone
    sign_in(page, str(live_server), scene.patient.email, "correct-horse-battery-staple")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    # The check-in prompt is there (not done yet) and still the first card shows at once.
    expect(page.get_by_role("link", name="Do today's check-in")).to_be_visible()
    assert _in_first_screen(page, ".rehab-card")
    hold = card(page, "Seated ankle hold")
    expect(hold.locator(".rehab-icon svg")).to_have_count(1)
    # The phase in one line; its care one tap away.
    page.get_by_text("Protected movement").click()
    # The short disclaimer, once.
    expect(page.get_by_text("This plan comes from your physiotherapist")).to_have_count(1)
    # The navigation sits at the bottom on a phone.
    nav = page.get_by_role("navigation", name="Sections")
    expect(nav).to_be_visible()
    box = nav.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] >= SMALL_PHONE["height"] - 1
    check_page(page, JOURNEY, "today")


def test_the_installed_app_shows_today_offline(live_server: object, small_phone: Page) -> None:
    scene = patient_with_plan(with_user=True)
    page = small_phone
    base = str(live_server)
    sign_in(page, base, scene.patient.email, "correct-horse-battery-staple")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()

    # The manifest: valid, with its two icons.
    manifest = page.request.get(f"{base}/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert (data["start_url"], data["display"]) == ("/me/", "standalone")
    assert data["name"]
    assert data["theme_color"]
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        answer = page.request.get(f"{base}{icon['src']}")
        assert answer.ok
        assert answer.headers["content-type"] == "image/png"

    # The service worker controls the page once it is installed.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")

    # No connection: a reload shows today's exercises from the cached copy, marked offline.
    page.context.set_offline(True)
    page.reload()
    expect(card(page, "Toe curls")).to_be_visible()
    expect(page.get_by_text("Offline: this is the copy saved on this phone")).to_be_visible()
    check_page(page, JOURNEY, "today-offline")
    page.context.set_offline(False)

    # Signing out clears the cached pages.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("caches.has('rehab-pages')") is False
