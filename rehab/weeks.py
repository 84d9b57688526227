"""Week ranges in words: the one convention for every page, handout and API text.

A phase is stored as a half-open range of weeks: ``start_week`` up to (not including)
``end_week``, so that consecutive phases share a boundary ("0 to 2", "2 to 6"). People read
ranges inclusively, so a range is shown with its last week, ``end_week - 1``: "weeks 0–1", then
"weeks 2–5" – week 2 belongs to one phase only. With dates, the phase's first and last day
follow: "weeks 2–5 · 14 Oct – 10 Nov".

Templates use the ``week_range`` filter of ``rehab_weeks``; Python code calls
:func:`week_range` or :func:`phase_week_range`.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


class HasWeeks(Protocol):
    start_week: int
    end_week: int


def last_week(start_week: int, end_week: int) -> int:
    """The last week a half-open range includes (never before its first)."""
    return max(start_week, end_week - 1)


def date_range(start: dt.date, end: dt.date) -> str:
    """ "14 Oct – 10 Nov" within this year; "21 Feb – 30 Oct 2027" within another year, so a
    later phase is not read as this year's (dates already past); "20 Dec 2026 – 16 Jan 2027"
    over a new year. This year is the reader's (the active time zone's)."""
    if start.year != end.year:
        return f"{date_format(start, 'j M Y')} – {date_format(end, 'j M Y')}"
    if start.year != timezone.localdate().year:
        return f"{date_format(start, 'j M')} – {date_format(end, 'j M Y')}"
    return f"{date_format(start, 'j M')} – {date_format(end, 'j M')}"


def week_range(
    start_week: int, end_week: int, *, start: dt.date | None = None, end: dt.date | None = None
) -> str:
    """A half-open range of weeks in words, inclusive: "weeks 2–5", "week 2"; with the first
    and last day when given: "weeks 2–5 · 14 Oct – 10 Nov"."""
    final = last_week(start_week, end_week)
    if final == start_week:
        text = _("week %(week)s") % {"week": start_week}
    else:
        text = _("weeks %(first)s–%(last)s") % {"first": start_week, "last": final}
    if start is not None and end is not None:
        text = f"{text} · {date_range(start, end)}"
    return text


def phase_week_range(phase: HasWeeks, *, dates: bool = True) -> str:
    """A phase's weeks in words, with its dates when it has them (a plan's phase does; a
    template's does not): "weeks 2–5 · 14 Oct – 10 Nov"."""
    start = getattr(phase, "start_date", None) if dates else None
    end = getattr(phase, "end_date", None) if dates else None
    return week_range(phase.start_week, phase.end_week, start=start, end=end)
