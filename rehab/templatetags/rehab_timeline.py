"""The clinician's timeline: one exercise log as a line of text (a page shows a week of them,
so the line is put together here once rather than by three template blocks per log)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rehab.models.logbook import ExerciseLog

register = template.Library()


@register.filter
def log_line(log: ExerciseLog) -> SafeString:
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
    return format_html(
        "<strong>{}</strong>: {} · {} · {}", log.prescription.exercise.name, sets, pain, effort
    )
