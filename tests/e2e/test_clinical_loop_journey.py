"""Issue 16's journey: a week-3 non-operative patient. The physiotherapist tries to advance to
the weeks 6–9 phase and meets the guardrail list; the patient's check-in with a red flag pauses
Today (a banner, a tap-to-call link, no ticks); the physiotherapist sees the check-in's answers
on the dashboard, reviews and resumes; the patient's Today returns. axe at 360×740 and desktop."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from clinic.models import Clinician
from rehab.models import Plan, PlanHold
from tests import factories
from tests.e2e.conftest import check_page
from tests.e2e.helpers import sign_in, sign_in_to_today
from tests.rehab.clinical_loop import week3_non_operative

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "clinical-loop"


def test_guardrail_pause_review_resume(
    live_server: object, desktop: Page, small_phone: Page
) -> None:
    clinician: Clinician = factories.ClinicianFactory.create(
        user__full_name="Pat Physio", user__email="physio@clinic.example"
    )
    clinic = clinician.clinic
    clinic.phone = "+44 20 7946 0000"
    clinic.out_of_hours_phone = "111"
    clinic.save()
    scene = week3_non_operative(
        clinician, user=factories.UserFactory(email="noah@patient.example"), last_name="Hill"
    )
    base = str(live_server)

    # The physiotherapist tries to advance a week-3 patient to the weeks 6–9 phase.
    physio = desktop
    sign_in(physio, base, "physio@clinic.example", factories.PASSWORD)
    physio.goto(f"{base}{reverse('rehab:plan_builder', args=[scene.plan.pk])}")
    physio.locator("summary", has_text="Show exit criteria and evidence").click()
    physio.get_by_role("button", name=re.compile("Advance to next phase")).click()
    expect(physio.get_by_role("heading", name="Advance to Weeks 6–9?")).to_be_visible()
    expect(physio.get_by_role("heading", name="Seated heel raise")).to_be_visible()
    expect(physio.get_by_role("heading", name="Two-leg bike")).to_be_visible()
    expect(physio.get_by_role("heading", name="Hip bridges")).to_have_count(0)
    check_page(physio, JOURNEY, "advance-guardrail-list")
    physio.get_by_role("link", name=re.compile("Cancel")).click()
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.early.pk

    # The patient checks in with a red flag: Today is paused, with a tap-to-call link.
    patient = small_phone
    sign_in_to_today(patient, base, "noah@patient.example")
    expect(patient.locator('[data-role="tick"]').first).to_be_visible()
    patient.goto(f"{base}/me/check-in/")
    expect(patient.get_by_label(re.compile("wound", re.I))).to_have_count(0)
    patient.get_by_text("Moderate", exact=True).click()
    patient.get_by_label(re.compile("New pain, swelling, warmth")).check()
    patient.get_by_label(re.compile("Anything else")).fill("Calf hot and swollen since last night")
    patient.get_by_role("button", name="Send check-in").click()
    expect(patient.get_by_role("heading", name="Act on this now")).to_be_visible()
    patient.goto(f"{base}/me/")
    banner = patient.get_by_role("region", name="Your exercises are paused")
    expect(banner).to_be_visible()
    expect(banner.locator('a[href="tel:+442079460000"]')).to_be_visible()
    expect(patient.locator('[data-role="tick"]')).to_have_count(0)
    check_page(patient, JOURNEY, "today-paused")
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED

    # The physiotherapist sees the check-in's answers on the dashboard, reviews and resumes.
    physio.goto(f"{base}/clinic/")
    alerts = physio.get_by_role("region", name=re.compile("Open alerts"))
    expect(alerts.get_by_text(re.compile("Suspected DVT")).first).to_be_visible()
    expect(alerts.get_by_text("Calf hot and swollen since last night")).to_be_visible()
    expect(alerts.get_by_text("Moderate")).to_be_visible()
    check_page(physio, JOURNEY, "dashboard-report")
    alerts.get_by_role("link", name="Review and resume exercise").first.click()
    expect(physio.get_by_role("heading", name=re.compile("Review and resume"))).to_be_visible()
    physio.get_by_role("button", name="Resume exercise").click()
    expect(physio.get_by_text("Write what you reviewed and decided.").first).to_be_visible()
    physio.get_by_label("What you reviewed and decided").fill(
        "Phoned: GP saw him today, scan clear. Carry on."
    )
    check_page(physio, JOURNEY, "resume")
    physio.get_by_role("button", name="Resume exercise").click()
    expect(physio.get_by_text(re.compile("Plan resumed"))).to_be_visible()
    hold = PlanHold.objects.get()
    assert hold.resumed_by == clinician.user

    # The patient's Today returns, saying the physiotherapist has reviewed it.
    patient.goto(f"{base}/me/")
    expect(patient.get_by_text(re.compile("Your physiotherapist has reviewed"))).to_be_visible()
    expect(patient.locator('[data-role="tick"]').first).to_be_visible()
    check_page(patient, JOURNEY, "today-resumed")
