"""What looked wrong walking through the demo as the patient (360×740) and the therapist
(1366×900, 1024×768): each test is one such thing, seen in the browser."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.helpers import patient_with_plan, sign_in, sign_in_to_today

pytestmark = pytest.mark.django_db(transaction=True)

# The brand's blue (static/css/design.css, --rehab-brand), as the browser computes it.
BRAND = "rgb(10, 92, 138)"


def _lines_of(page: Page, words: str) -> int:
    """On how many lines the first text node holding ``words`` shows them."""
    return int(
        page.evaluate(
            """(words) => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.replace(/\\s/g, " ").indexOf(words);
                if (at < 0 || !node.parentElement.checkVisibility()) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
            }
            return 0;
        }""",
            words,
        )
    )


def test_a_temperature_keeps_its_unit_on_its_line(live_server: object, small_phone: Page) -> None:
    """The messages page's "do not wait" list at 360 px broke "a fever over 38 °C" between the
    number and its unit, "°C" alone at the start of the next line."""
    scene = patient_with_plan(with_user=True)
    page = small_phone
    sign_in_to_today(page, str(live_server), scene.patient.email)
    page.goto(f"{live_server}{reverse('rehab:my_messages')}")
    expect(page.get_by_text(re.compile("a fever over 38")).first).to_be_visible()
    assert _lines_of(page, "38 °C") == 1


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


def test_a_sessions_sign_in_time_stays_on_one_line(live_server: object, small_phone: Page) -> None:
    """The sessions page at 360 px broke "7 Dec 2026, 1:52 p.m." between the time and its
    "p.m."."""
    scene = patient_with_plan(with_user=True)
    page = small_phone
    sign_in_to_today(page, str(live_server), scene.patient.email)
    page.goto(f"{live_server}{reverse('clinic:sessions')}")
    times = page.locator("main time")
    expect(times.first).to_be_visible()
    lines = times.evaluate_all(
        "(els) => els.map((el) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size)"
    )
    assert lines, "no time on the page"
    assert set(lines) == {1}, lines
