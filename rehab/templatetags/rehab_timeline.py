"""The clinician's timeline: a day's exercise logs as one list (a page shows a week of days,
each with several logs, so the lines are put together here once rather than by template blocks
per log)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rehab.selectors.timeline import LoggedExercise

register = template.Library()


def log_line(log: LoggedExercise) -> SafeString:
    """ "<strong>Heel raise</strong>: 3 sets · pain 3/10 · effort not answered"."""
    sets = ngettext("%(sets)s set", "%(sets)s sets", log.sets_done) % {"sets": log.sets_done}
    pain = (
        _("pain not answered") if log.pain is None else _("pain %(pain)s/10") % {"pain": log.pain}
    )
    effort = (
        _("effort not answered")
        if log.effort is None
        else _("effort %(effort)s/10") % {"effort": log.effort}
    )
    return format_html("<strong>{}</strong>: {} · {} · {}", log.name, sets, pain, effort)


@register.filter
def log_lines(logs: Sequence[LoggedExercise]) -> SafeString:
    """A day's logs as list items: each one's line, its note (quoted) and its time."""
    return format_html_join(
        "",
        '<li>{}{} <span class="text-body-secondary">{}</span></li>',
        (
            (
                log_line(log),
                format_html(' <span class="d-block">“{}”</span>', log.note) if log.note else "",
                format_date(timezone.localtime(log.created_at), "H:i"),
            )
            for log in logs
        ),
    )
