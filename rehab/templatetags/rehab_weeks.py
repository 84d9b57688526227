"""Week ranges in words for templates (the convention is in ``rehab.weeks``)."""

from __future__ import annotations

from django import template

from rehab.weeks import HasWeeks, phase_week_range
from rehab.weeks import week_range as week_range_text

register = template.Library()


@register.filter
def week_range(phase: HasWeeks, dates: bool = True) -> str:
    """``{{ phase|week_range }}`` → "weeks 2–5 · 14 Oct – 10 Nov";
    ``{{ phase|week_range:False }}`` → "weeks 2–5"."""
    return phase_week_range(phase, dates=dates)


@register.filter
def week_span(start_week: int, end_week: int) -> str:
    """For rows without a phase object (the record export's values):
    ``{{ phase.start_week|week_span:phase.end_week }}`` → "weeks 2–5"."""
    return week_range_text(int(start_week), int(end_week))
