"""rehab.selectors.builder: the builder's progression evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from rehab.selectors.builder import progression_evidence
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
