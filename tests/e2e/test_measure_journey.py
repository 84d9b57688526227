"""Issue 22's journey: the physiotherapist records heel-rise height and ATRA values that meet
the current phase's exit criteria; the dashboard proposes the next phase; advancing goes
through the guardrail check; the recovery chart shows the patient's points against the
published band with its sources. axe at 360×740 and desktop."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.models import Clinician, Patient
from rehab.models import CriterionKind, Measurement, PlanCriterion
from tests import factories
from tests.e2e.conftest import check_page
from tests.e2e.helpers import patient_with_plan, sign_in
from tests.rehab.clinical_loop import week3_non_operative

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "measure"


def test_criteria_met_proposal_guarded_advance_and_recovery_chart(
    live_server: object, desktop: Page
) -> None:
    # The published points are rows a data migration ships; a transactional test run before
    # this one flushed every table, so ship them again (get_or_create: once).
    importlib.import_module("rehab.migrations.0013_reference_points_shipped").forward(apps, None)
    clinician: Clinician = factories.ClinicianFactory.create(
        user__full_name="Pat Physio", user__email="physio@clinic.example"
    )
    scene = week3_non_operative(clinician, last_name="Hill")
    PlanCriterion.objects.create(
        phase=scene.early,
        order=1,
        kind=CriterionKind.MEASUREMENT,
        measure="heel_rise_height_lsi",
        threshold=Decimal(90),
        label="Heel-rise height at about 90 % of the other side",
    )
    PlanCriterion.objects.create(
        phase=scene.early,
        order=2,
        kind=CriterionKind.MEASUREMENT,
        measure="relative_atra",
        threshold=Decimal(-5),
        label="Relative ATRA −5° or more (the tendon not more than 5° longer)",
    )
    factories.AtrsResponseFactory.create(patient=scene.patient)
    base = str(live_server)
    page = desktop
    sign_in(page, base, "physio@clinic.example", factories.PASSWORD)

    # Nothing proposed yet: the criteria are unknown.
    page.goto(f"{base}/clinic/")
    proposals = page.get_by_role("region", name="Ready to progress")
    expect(proposals.get_by_text(re.compile("No patient has met"))).to_be_visible()

    # The physiotherapist records the session's heel-rise height and ATRA.
    page.goto(f"{base}{reverse('rehab:patient_detail', args=[scene.patient.pk])}")
    criteria = page.get_by_role("region", name=re.compile("Exit criteria of"))
    expect(criteria.get_by_text("No data yet", exact=True)).to_have_count(2)
    page.get_by_role("navigation", name="Sections of the patient page").get_by_role(
        "link", name="Outcomes"
    ).click()
    page.get_by_role("link", name="Record the session's measurements").click()
    form = page.get_by_role("region", name="Measurements")
    form.get_by_label("Heel-rise height, injured side (cm)").fill("9.5")
    form.get_by_label("Heel-rise height, other side (cm)").fill("10")
    form.get_by_label("Achilles tendon resting angle (ATRA), injured side (°)").fill("-10")
    form.get_by_label("Achilles tendon resting angle (ATRA), other side (°)").fill("-5")
    form.get_by_role("button", name="Save the session's measurements").click()
    expect(page.get_by_text("Measurement saved.")).to_be_visible()
    page.get_by_role("navigation", name="Sections of the patient page").get_by_role(
        "link", name="Plan"
    ).click()
    criteria = page.get_by_role("region", name=re.compile("Exit criteria of"))
    expect(criteria.get_by_text("Met", exact=True)).to_have_count(2)
    expect(criteria.get_by_text(re.compile("ready to progress"))).to_be_visible()

    # The recovery chart: the patient's ATRS against the published points, with sources.
    page.get_by_role("navigation", name="Sections of the patient page").get_by_role(
        "link", name="Outcomes"
    ).click()
    recovery = page.get_by_role("region", name="Recovery against published cohorts")
    expect(recovery.get_by_role("img", name=re.compile("ATRS against published"))).to_be_visible()
    recovery.get_by_text("Published points and their sources").click()
    expect(recovery.get_by_role("cell", name=re.compile("UKSTAR")).first).to_be_visible()
    check_page(page, JOURNEY, "patient-page")

    # The dashboard proposes the next phase; advancing meets the guardrail check first.
    page.goto(f"{base}/clinic/")
    proposals = page.get_by_role("region", name="Ready to progress")
    expect(proposals.get_by_text(re.compile("proposed: Weeks 6–9"))).to_be_visible()
    check_page(page, JOURNEY, "dashboard-proposal")
    proposals.get_by_role("button", name=re.compile("Advance .* to Weeks 6–9")).click()
    expect(page.get_by_role("heading", name="Advance to Weeks 6–9?")).to_be_visible()
    expect(page.get_by_role("heading", name="Two-leg bike")).to_be_visible()
    check_page(page, JOURNEY, "advance-guardrail-check")
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.early.pk  # nothing moved without reasons


def test_the_patient_records_at_home_and_the_clinician_sees_it(
    live_server: object, desktop: Page
) -> None:
    scene = patient_with_plan(with_user=True)
    # Week 14: single-leg heel raises are asked at home from week 12 (a week-3 patient is asked
    # the girth only: tests/rehab/views/test_progress.py).
    surgery = timezone.localdate() - dt.timedelta(weeks=14)
    Patient.objects.filter(pk=scene.patient.pk).update(
        surgery_date=surgery, injury_date=surgery - dt.timedelta(days=2)
    )
    base = str(live_server)
    page = desktop
    sign_in(page, base, scene.patient.email, "correct-horse-battery-staple")
    page.goto(f"{base}/me/progress/")
    home = page.get_by_role("region", name="Measure at home")
    home.get_by_role("link", name="Record a measurement").click()
    home = page.get_by_role("region", name="Measure at home")
    home.get_by_label("Heel raises on your injured leg").fill("8")
    home.get_by_label("Heel raises on your other leg").fill("20")
    home.get_by_label("Around your injured lower leg (cm)").fill("34.5")
    home.get_by_label("Around your other lower leg (cm)").fill("37")
    check_page(page, JOURNEY, "home-measurements")
    home.get_by_role("button", name="Save my measurements").click()
    expect(page.get_by_text("Saved. Your physiotherapist will see it.")).to_be_visible()
    (measurement,) = Measurement.objects.filter(patient=scene.patient)
    assert measurement.at_home
    assert measurement.heel_rise_reps_injured == 8

    # A mistake is refused in plain words, nothing lost of what was typed.
    home = page.get_by_role("region", name="Measure at home")
    home.get_by_role("link", name="Record a measurement").click()
    home = page.get_by_role("region", name="Measure at home")
    home.get_by_label("Heel raises on your injured leg").fill("50")
    home.get_by_label("Heel raises on your other leg").fill("20")
    home.get_by_role("button", name="Save my measurements").click()
    home = page.get_by_role("region", name="Measure at home")
    expect(home.get_by_text(re.compile("check the two legs are not swapped"))).to_be_visible()
    expect(home.get_by_label("Heel raises on your injured leg")).to_have_value("50")
    check_page(page, JOURNEY, "home-measurements-refused")
    assert Measurement.objects.filter(patient=scene.patient).count() == 1


def test_the_clinic_outcomes_page_is_accessible(live_server: object, desktop: Page) -> None:
    scene = patient_with_plan()
    factories.ClinicAdminFactory.create(
        clinic=scene.patient.clinic, user__email="admin@clinic.example"
    )
    base = str(live_server)
    page = desktop
    sign_in(page, base, "admin@clinic.example", factories.PASSWORD)
    page.goto(f"{base}/clinic/outcomes/")
    operative = page.get_by_role("region", name="Operative (surgical repair)")
    expect(operative.get_by_role("table", name=re.compile("Median weeks"))).to_be_visible()
    expect(operative.get_by_text(re.compile("Adherence of the patients in care"))).to_be_visible()
    check_page(page, JOURNEY, "clinic-outcomes")
