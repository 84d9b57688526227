"""Week ranges in words: half-open ranges read inclusively, the same everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from rehab.models.plans import Plan, PlanPhase
from rehab.templatetags.rehab_weeks import week_span
from rehab.weeks import last_week, phase_week_range, week_range

# The dates below are this year's (a range in another year names its year).
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False)


def test_a_half_open_range_reads_inclusively() -> None:
    # Phases 0–2 and 2–6 share the boundary week 2 in storage; in words week 2 is in one only.
    assert week_range(0, 2) == "weeks 0–1"
    assert week_range(2, 6) == "weeks 2–5"


def test_a_one_week_range_says_week() -> None:
    assert week_range(3, 4) == "week 3"
    assert last_week(3, 3) == 3  # never before its first week


def test_dates_follow_the_weeks() -> None:
    text = week_range(2, 6, start=dt.date(2026, 10, 14), end=dt.date(2026, 11, 10))
    assert text == "weeks 2–5 · 14 Oct – 10 Nov"


def test_a_range_over_new_year_names_both_years() -> None:
    text = week_range(0, 4, start=dt.date(2026, 12, 20), end=dt.date(2027, 1, 16))
    assert text == "weeks 0–3 · 20 Dec 2026 – 16 Jan 2027"


def test_a_range_in_another_year_names_its_year() -> None:
    """A later phase of a long plan is not read as this year's, its dates already past."""
    text = week_range(20, 36, start=dt.date(2027, 2, 21), end=dt.date(2027, 6, 12))
    assert text == "weeks 20–35 · 21 Feb – 12 Jun 2027"
    text = week_range(0, 4, start=dt.date(2025, 3, 2), end=dt.date(2025, 3, 29))
    assert text == "weeks 0–3 · 2 Mar – 29 Mar 2025"


def test_a_plan_phase_reads_its_dates() -> None:
    plan = Plan(anchor_date=dt.date(2026, 9, 30))
    phase = PlanPhase(plan=plan, start_week=2, end_week=6)
    assert phase_week_range(phase) == "weeks 2–5 · 14 Oct – 10 Nov"
    assert phase_week_range(phase, dates=False) == "weeks 2–5"


@pytest.mark.parametrize(
    ("dates", "expected"), [("", "weeks 2–5 · 14 Oct – 10 Nov"), (":False", "weeks 2–5")]
)
def test_the_template_filter_uses_the_same_words(dates: str, expected: str) -> None:
    plan = Plan(anchor_date=dt.date(2026, 9, 30))
    phase = PlanPhase(plan=plan, start_week=2, end_week=6)
    template = Template("{% load rehab_weeks %}{{ phase|week_range" + dates + " }}")
    assert template.render(Context({"phase": phase})) == expected


def test_week_span_reads_values_rows_like_phases() -> None:
    """The record export's phases are values, not objects: the same words come out."""
    assert week_span(2, 6) == "weeks 2–5"
    assert week_span(0, 1) == "week 0"
