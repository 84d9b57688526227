"""The clinic's opening hours on a small phone: a day refused ("Give an opening and a later
closing time") keeps its two times side by side, the opening time level with the closing time
it goes with, not pushed below it by the error under the closing time."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_day_keeps_its_two_times_level(live_server: object, small_phone: Page) -> None:
    base = str(live_server)
    factories.ClinicAdminFactory(user__email="admin@clinic.example")
    page = small_phone
    sign_in(page, base, "admin@clinic.example", factories.PASSWORD)
    page.goto(f"{base}/clinic/settings/")
    page.get_by_label("Monday: opens").fill("18:00")
    page.get_by_label("Monday: closes").fill("08:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Give an opening and a later closing time").first).to_be_visible()

    opens = page.get_by_label("Monday: opens").bounding_box()
    closes = page.get_by_label("Monday: closes").bounding_box()
    assert opens is not None
    assert closes is not None
    assert abs(opens["y"] - closes["y"]) < 2, (opens, closes)
