"""rehab.selectors.builder: the builder's progression evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from rehab.models import Plan
from rehab.selectors.builder import plan_builder
from rehab.selectors.progression import progression_evidence
from rehab.services.plans import plan_activation_early_placements
from tests import factories
from tests.rehab.clinical_loop import daily_plan

pytestmark = pytest.mark.django_db


def test_the_evidence_owes_nothing_for_today_before_it_is_over() -> None:
    """Every session of the last 13 days done, today's not yet: 13 of 13 (100 %), as the
    phase's adherence criterion and the patient's progress judge it; not 13 of 14 sessions."""
    scene = daily_plan()
    for days_ago in range(1, 14):
        factories.ExerciseLogFactory.create(
            prescription=scene.rx, date=scene.today - dt.timedelta(days=days_ago)
        )
    evidence = progression_evidence(scene.plan)
    assert (evidence.adherence.done, evidence.adherence.expected) == (13, 13)
    assert evidence.adherence.percent == 100


def test_on_the_first_day_nothing_is_owed_yet() -> None:
    """A plan activated this morning: nothing prescribed yet, not 0 %."""
    scene = daily_plan(started_days_ago=0, prescribed_days_ago=0)
    assert progression_evidence(scene.plan).adherence.percent is None


def test_a_drafts_first_phase_warns_as_activation_will_judge_it() -> None:
    """A patient in week 1; a draft whose only phase starts in week 2 with an exercise not
    safe before week 2: activation starts that phase now (week 1) and refuses without a
    reason, so the builder must warn and ask for one."""
    patient = factories.PatientFactory.create(
        injury_date=dt.date.today() - dt.timedelta(days=10),
    )
    plan = factories.PlanFactory.create(patient=patient, status=Plan.Status.DRAFT)
    assert plan.week_on(patient.local_today()) == 1
    phase = factories.PlanPhaseFactory.create(plan=plan, order=1, start_week=2, end_week=6)
    factories.PrescriptionFactory.create(
        phase=phase,
        exercise=factories.ExerciseFactory.create(
            earliest_week_operative=2, earliest_week_non_operative=2
        ),
    )
    assert plan_activation_early_placements(plan)  # activation refuses without a reason
    (item,) = plan_builder(plan).phases[0].items
    assert item.warning is not None
