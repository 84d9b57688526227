"""The clinician's timeline: a day's exercise logs as one list (a page shows a week of days,
each with several logs, so the lines are put together here once rather than by template blocks
per log)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rehab.selectors.timeline import LoggedExercise

register = template.Library()


@register.filter
def log_lines(logs: Sequence[LoggedExercise]) -> SafeString:
    """A day's logs as list items: each one's line ("<strong>Heel raise</strong>: 3 sets · pain
    3/10 · effort not answered"), its note (quoted) and its time. The words are looked up and
    escaped once a list for each value (a day's logs share a few sets, pain and effort scores),
    not once a log ("not answered" only when a log has no score); the reader's time zone and
    the time format are looked up once."""
    pain_of, effort_of = _("pain %(pain)s/10"), _("effort %(effort)s/10")
    sets_of: dict[int, SafeString] = {}
    pains: dict[int | None, SafeString] = {}
    efforts: dict[int | None, SafeString] = {}
    zone = timezone.get_current_timezone()
    time_words = get_format("TIME_FORMAT")  # a time as the app writes one ("2:30 p.m.")
    lines = []
    for log in logs:
        if log.sets_done not in sets_of:
            sets_of[log.sets_done] = conditional_escape(
                ngettext("%(sets)s set", "%(sets)s sets", log.sets_done) % {"sets": log.sets_done}
            )
        if log.pain not in pains:
            pains[log.pain] = conditional_escape(
                _("pain not answered") if log.pain is None else pain_of % {"pain": log.pain}
            )
        if log.effort not in efforts:
            efforts[log.effort] = conditional_escape(
                _("effort not answered")
                if log.effort is None
                else effort_of % {"effort": log.effort}
            )
        lines.append(
            format_html(
                '<li><strong>{}</strong>: {} · {} · {}{} <span class="text-body-secondary">{}'
                "</span></li>",
                log.name,
                sets_of[log.sets_done],
                pains[log.pain],
                efforts[log.effort],
                format_html(' <span class="d-block">“{}”</span>', log.note) if log.note else "",
                # As the time filter writes it: in the reader's time zone, TIME_FORMAT.
                time_format(log.created_at.astimezone(zone), time_words),
            )
        )
    return mark_safe("".join(lines))  # noqa: S308 (each line is format_html's)
