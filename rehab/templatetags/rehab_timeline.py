"""The clinician's timeline: a day's exercise logs as one list (a page shows a week of days,
each with several logs, so the lines are put together here once rather than by template blocks
per log)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
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
    not once a log (each exercise's name too; "not answered" only when a log has no score);
    the reader's time zone is looked up once; the line is put together by an f-string of
    escaped values, not format_html's escaping of each of its six again."""
    pain_of, effort_of = _("pain %(pain)s/10"), _("effort %(effort)s/10")
    sets_of: dict[int, SafeString] = {}
    pains: dict[int | None, SafeString] = {}
    efforts: dict[int | None, SafeString] = {}
    zone = timezone.get_current_timezone()
    names: dict[str, str] = {}
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
        if log.name not in names:
            names[log.name] = conditional_escape(log.name)
        note = f' <span class="d-block">“{conditional_escape(log.note)}”</span>' if log.note else ""
        # As the date filter's H:i: the time in the reader's time zone (digits: no escaping).
        at = log.created_at.astimezone(zone).strftime("%H:%M")
        lines.append(
            f"<li><strong>{names[log.name]}</strong>: {sets_of[log.sets_done]} · "
            f"{pains[log.pain]} · {efforts[log.effort]}{note} "
            f'<span class="text-body-secondary">{at}</span></li>'
        )
    return mark_safe("".join(lines))  # noqa: S308 (each value escaped above, or digits)
