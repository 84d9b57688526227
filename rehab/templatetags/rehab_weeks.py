"""Week ranges in words for templates (the convention is in ``rehab.weeks``)."""

from __future__ import annotations

from django import template

from rehab.weeks import HasWeeks, phase_week_range

register = template.Library()


@register.filter
def week_range(phase: HasWeeks, dates: bool = True) -> str:
    """``{{ phase|week_range }}`` → "weeks 2–5 · 14 Oct – 10 Nov";
    ``{{ phase|week_range:False }}`` → "weeks 2–5"."""
    return phase_week_range(phase, dates=dates)
