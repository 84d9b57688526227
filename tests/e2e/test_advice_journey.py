"""Advice to read on the patient's phone (an education item: ``Exercise.is_advice``): shown
after the exercises in plain words, with nothing to tick, and left out of the guided session."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rehab import services
from rehab.models import Exercise
from tests import factories
from tests.e2e.conftest import check_page
from tests.e2e.helpers import patient_with_plan, sign_in_to_today

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "phone"
STEP = "Loosen the straps a little if your foot swells."


def test_advice_is_read_after_the_exercises_and_left_out_of_the_session(
    live_server: object, small_phone: Page
) -> None:
    scene = patient_with_plan(with_user=True)
    advice = factories.ExerciseFactory(
        name="Boot at night (education)",
        category=Exercise.Category.EDUCATION,
        patient_name="Keep your boot on, at night too",
        patient_summary="Wear the boot in bed until your physiotherapist says otherwise.",
        steps=["Sleep with the boot on.", STEP],
        default_sets=1,
        default_reps=1,
        default_days_per_week=1,
    )
    services.prescription_add(phase=scene.plan.current_phase, exercise=advice)
    page = small_phone
    sign_in_to_today(page, str(live_server), scene.patient.email)
    good = page.get_by_role("region", name="Good to know")
    expect(good.get_by_role("heading", name="Keep your boot on, at night too")).to_be_visible()
    expect(good.get_by_text(STEP)).to_be_visible()
    expect(good.get_by_role("button")).to_have_count(0)
    expect(good.get_by_text("Sets done")).to_have_count(0)
    expect(good.get_by_text("1 day a week")).to_have_count(0)
    last_card = page.locator(".rehab-card").last.bounding_box()
    section = good.bounding_box()
    assert last_card is not None
    assert section is not None
    assert section["y"] > last_card["y"]  # after the exercises
    check_page(page, JOURNEY, "today-advice")
    page.get_by_role("button", name="Start session").click()
    # The two exercises only: the advice is not a step of the session.
    expect(page.get_by_role("dialog").get_by_text("Exercise 1 of 2 · Set 1 of 1")).to_be_visible()
