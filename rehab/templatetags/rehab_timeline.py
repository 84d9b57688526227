"""The clinician's timeline: a day's exercise logs as one list (a page shows a week of days,
each with several logs, so the lines are put together here once rather than by template blocks
per log)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rehab.selectors.timeline import LoggedExercise

register = template.Library()


@register.filter
def log_lines(logs: Sequence[LoggedExercise]) -> SafeString:
    """A day's logs as list items: each one's line ("<strong>Heel raise</strong>: 3 sets · pain
    3/10 · effort not answered"), its note (quoted) and its time. The words are looked up once
    a list, not once a log."""
    pain_not_answered, effort_not_answered = _("pain not answered"), _("effort not answered")
    pain_of, effort_of = _("pain %(pain)s/10"), _("effort %(effort)s/10")
    sets_of: dict[int, str] = {}
    lines = []
    for log in logs:
        if log.sets_done not in sets_of:
            sets_of[log.sets_done] = ngettext("%(sets)s set", "%(sets)s sets", log.sets_done) % {
                "sets": log.sets_done
            }
        lines.append(
            format_html(
                '<li><strong>{}</strong>: {} · {} · {}{} <span class="text-body-secondary">{}'
                "</span></li>",
                log.name,
                sets_of[log.sets_done],
                pain_not_answered if log.pain is None else pain_of % {"pain": log.pain},
                effort_not_answered if log.effort is None else effort_of % {"effort": log.effort},
                format_html(' <span class="d-block">“{}”</span>', log.note) if log.note else "",
                timezone.localtime(log.created_at).strftime("%H:%M"),  # as the date filter's H:i
            )
        )
    return mark_safe("".join(lines))  # noqa: S308 (each line is format_html's)
