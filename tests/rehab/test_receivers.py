"""Plans follow the patient's record: a corrected surgery date re-dates them; discharge ends them."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.services import patients as patient_services
from rehab.models import ExerciseLog, Plan
from tests import factories

pytestmark = pytest.mark.django_db


def test_corrected_surgery_date_re_dates_draft_and_active_plans_not_completed_ones() -> None:
    patient = factories.PatientFactory(
        injury_date=dt.date(2026, 3, 1), surgery_date=dt.date(2026, 3, 3)
    )
    active = factories.PlanFactory(patient=patient, status=Plan.Status.ACTIVE)
    draft = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    done = factories.PlanFactory(patient=patient, status=Plan.Status.COMPLETED)
    version = active.version

    patient_services.patient_update(patient=patient, surgery_date=dt.date(2026, 3, 10))

    for plan in (active, draft, done):
        plan.refresh_from_db()
    assert active.anchor_date == dt.date(2026, 3, 10)
    assert draft.anchor_date == dt.date(2026, 3, 10)
    assert done.anchor_date == dt.date(2026, 3, 3)
    assert active.version == version + 1  # an open builder page sees the change


def test_other_edits_leave_plans_alone() -> None:
    patient = factories.PatientFactory()
    plan = factories.PlanFactory(patient=patient)
    version = plan.version
    patient_services.patient_update(patient=patient, first_name="Robin")
    plan.refresh_from_db()
    assert plan.version == version


@pytest.mark.parametrize(
    "leave", [patient_services.patient_discharge, patient_services.patient_archive]
)
def test_leaving_care_completes_the_active_plan_and_keeps_the_logs(leave: object) -> None:
    log = factories.ExerciseLogFactory()
    patient = log.patient
    plan = log.prescription.phase.plan
    assert plan.status == Plan.Status.ACTIVE

    leave(patient=patient)  # type: ignore[operator]

    plan.refresh_from_db()
    assert plan.status == Plan.Status.COMPLETED
    assert ExerciseLog.objects.filter(pk=log.pk).exists()
