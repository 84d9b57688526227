"""Words and values the patient's pages show: which leg, a dose kept in their record, a video's
start time, a fresh id for a form that works without JavaScript."""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from heroicons.templatetags.heroicons import heroicon_outline

from clinic.models import Patient
from rehab import clinical
from rehab.models.doses import Side, dose_words
from rehab.models.library import Exercise
from rehab.selectors import notices as notice_selectors
from rehab.selectors.progress import HistoryLog

register = template.Library()


@register.filter
def leg(side: str, injured_side: str) -> str:
    """Which leg, in words: "Left leg (your injured side)", "Both legs together", …

    ``{{ rx.side|leg:patient.injured_side }}``"""
    injured = Patient.Side(injured_side).label if injured_side else ""
    if side == Side.BOTH:
        return _("Both legs together")
    if side == Side.UNINJURED:
        other = Patient.Side.RIGHT if injured_side == Patient.Side.LEFT else Patient.Side.LEFT
        return _("%(side)s leg only (not your injured side)") % {"side": other.label}
    if side == Side.EACH:
        return _("Each leg in turn (start with the %(side)s leg)") % {"side": str(injured).lower()}
    return _("%(side)s leg (your injured side)") % {"side": injured}


# Each exercise category's picture (a heroicons outline icon, served from the Python package).
CATEGORY_ICONS = {
    "stretch": "arrows-pointing-out",
    "strength": "bolt",
    "balance": "scale",
    "mobility": "arrow-path",
    "cardio": "heart",
    "education": "book-open",
}


@register.simple_tag
def exercise_icon(exercise: Exercise) -> SafeString:
    """The exercise's category as a decorative icon with its name for screen readers:
    ``{% exercise_icon rx.exercise %}``. Written here in one go, not through a template per
    card, and naming only its own category (``get_category_display`` would translate every
    category's name to find it)."""
    category = exercise.category
    label = Exercise.Category(category).label if category in Exercise.Category else category
    return format_html(
        '<span class="rehab-icon rehab-icon-{}">\n  {}\n  <span class="visually-hidden">{}</span>\n</span>',
        category,
        _icon(CATEGORY_ICONS.get(category, "sparkles"), 28),
        label,
    )


# The one host the CSP lets a video frame come from (config/settings.py, "frame-src"):
# YouTube's privacy-enhanced mode, which sets no cookie until the video plays.
EMBED_HOST = "https://www.youtube-nocookie.com"
_YOUTUBE_ID = re.compile(
    r"^https://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:.*&)?v=|embed/|shorts/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})(?:[?&#].*)?$"
)


@register.filter
def video_embed(exercise: Exercise) -> str:
    """The privacy-friendly embed address of the exercise's video (YouTube only), starting at
    its start time, or "" when there is none (the plain link remains)."""
    match = _YOUTUBE_ID.match(exercise.video_url or "")
    if not match:
        return ""
    start = f"&start={exercise.video_start_seconds}" if exercise.video_start_seconds else ""
    return f"{EMBED_HOST}/embed/{match.group(1)}?rel=0{start}"


@register.filter
def clock(seconds: int) -> str:
    """Seconds as the patient reads a video's start time: 95 → "1:35"."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def logged(log: HistoryLog, words: LogWords | None = None) -> str:
    """What a log says in the patient's history: "Heel raise: 2 sets · pain 3/10 · effort 5/10",
    or "Bike: done · pain 2/10" of a one-set exercise. ``words``: the words translated already
    (a list of logs translates them once)."""
    words = words or LogWords()
    # One set is done or not, as Today's card says it; several are counted.
    one_of_one = log.sets_prescribed == 1 and log.sets_done == 1
    parts = [words.done if one_of_one else words.sets(log.sets_done)]
    if log.pain is not None:
        parts.append(words.pain % {"pain": log.pain})
    if log.effort is not None:
        parts.append(words.effort % {"effort": log.effort})
    return f"{log.name}: " + " · ".join(parts)


class LogWords:
    """The words of the history's logs, each translated once (``logged``)."""

    def __init__(self) -> None:
        self.pain = _("pain %(pain)s/10")
        self.effort = _("effort %(effort)s/10")
        self.done = _("done")
        self.sets_done: dict[int, str] = {}

    def sets(self, count: int) -> str:
        """ "2 sets", translated once per count."""
        if count not in self.sets_done:
            self.sets_done[count] = ngettext("%(sets)s set", "%(sets)s sets", count) % {
                "sets": count
            }
        return self.sets_done[count]


@register.simple_tag
def icon(name: str, size: int = 24) -> str:
    """A decorative heroicon (outline, hidden from screen readers): ``{% icon "home" %}``. Drawn
    once per name and size (the package's fixed files; a page of cards and the bottom bar draw
    a dozen, each a parse of its SVG otherwise)."""
    return _icon(name, size)


@functools.lru_cache(maxsize=64)
def _icon(name: str, size: int) -> str:
    return heroicon_outline(name, size=size, aria_hidden="true", focusable="false")


@register.filter
def logged_items(logs: list[HistoryLog]) -> SafeString:
    """A day's logs as the list items of the patient's history, each ``logged``: one
    template node for the day, not one per log (a month of history has a few hundred), its
    words translated once for the day, each item escaped and joined here (``format_html``
    per log cost more than the log's words)."""
    words = LogWords()
    return mark_safe(  # noqa: S308  (each item is escaped)
        "".join(f"<li>{escape(logged(log, words))}</li>" for log in logs)
    )


@register.simple_tag(takes_context=True)
def atrs_due(context: template.Context, patient: Patient) -> bool:
    """Whether the ATRS questionnaire is due (the clinic asked, or a scheduled week's offer is
    open and unanswered): the patient menus mark it (``base.html``: the top bar's link from a
    tablet up, the bottom bar's Progress on a phone). A page that has the offer already
    (Today's and Progress's ``atrs_offer``) costs nothing more; any other one query."""
    if patient.status != Patient.Status.ACTIVE:
        return False  # care has ended: the questionnaire is not asked for any more
    if "atrs_offer" in context:
        return context["atrs_offer"] is not None
    return notice_selectors.atrs_due(patient, day=patient.local_today())


@register.simple_tag
def new_uuid() -> str:
    """A new client id for a form posted without JavaScript (a retried post keeps it)."""
    return str(uuid.uuid4())


@register.simple_tag
def score_scale(rx_id: str | int, name: str, label: str, log: Any) -> SafeString:
    """A 0–10 score of a card's feedback form (``_feedback_forms.html``): a group of radio
    buttons with "No answer" first, so a score the patient did not choose is sent empty and
    stored as nothing (never a made-up 5 or 0); the tick ``log``'s answer (its field ``name``)
    checked, "No answer" when there is no tick or no answer. Written here in one go, as a
    card's two scores are 24 radio buttons and a page has a card per exercise."""
    value = getattr(log, name, None) if log else None
    # The id and name are escaped once; the scores are numbers.
    key, field = conditional_escape(str(rx_id)), conditional_escape(name)
    radios = "".join(
        f'<input type="radio" class="btn-check" name="{field}" value="{score}" '
        f'id="rx-{key}-{field}-{score}"{" checked" if value == score else ""}>'
        f'<label class="btn btn-outline-primary" for="rx-{key}-{field}-{score}">{score}</label>'
        for score in range(clinical.SCORE_MAX + 1)
    )
    return format_html(
        '<fieldset class="rehab-scale mb-2">\n'
        '  <legend class="form-label fs-6">{label}</legend>\n'
        '  <div class="rehab-scale-options">\n'
        '    <input type="radio" class="btn-check" name="{name}" value="" id="rx-{key}-{name}-none"'
        "{checked}>\n"
        '    <label class="btn btn-outline-secondary" for="rx-{key}-{name}-none">{none}</label>\n'
        "    {radios}\n"
        "  </div>\n"
        "</fieldset>",
        label=label,
        name=field,
        key=key,
        checked=" checked" if value is None else "",
        none=_("No answer"),
        radios=mark_safe(radios),  # noqa: S308 (built above from escaped values and numbers)
    )


@register.filter
def tel(number: str) -> str:
    """A phone number as a ``tel:`` link's target: digits and a leading +, nothing else."""
    number = (number or "").strip()
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"+{digits}" if number.startswith("+") else digits


@register.filter
def record_dose(row: dict[str, Any]) -> str:
    """A prescription of the patient's record (``rehab.export``'s row) as My plan says its dose:
    "3 holds of 30 seconds, 3 times a day", not the clinic's "3 × –, 30 s, 3 times a day,
    7/7"."""
    return dose_words(row, for_patient=True)


@register.filter
def clinic_record_dose(row: dict[str, Any]) -> str:
    """A prescription of the clinic's record (``rehab.export``'s row) in the clinic's words:
    "12 min, 1 time a day, 7/7" or "3 × 10, 30 s, 2 times a day, 5/7" (one node for what was
    a dozen per prescription)."""
    if row["duration_minutes"]:
        dose = _("%(minutes)s min") % {"minutes": row["duration_minutes"]}
    else:
        dose = f"{row['sets']} × {row['reps'] or '–'}"
        if row["hold_seconds"]:
            dose += f", {row['hold_seconds']} s"
    times = row["times_per_day"]
    every = ngettext("%(times)s time a day", "%(times)s times a day", times) % {"times": times}
    return f"{dose}, {every}, {row['days_per_week']}/7"


@register.filter
def earlier_dose(dose: dict[str, Any]) -> str:
    """An earlier dose of the patient's record in words: "2 sets, 2 times a day, 5 days a week"
    ("sets" absent from entries kept before the sets were kept with the daily dose)."""
    parts = []
    if dose.get("sets"):
        parts.append(ngettext("%(n)s set", "%(n)s sets", dose["sets"]) % {"n": dose["sets"]})
    times = dose["times_per_day"]
    parts.append(ngettext("%(n)s time a day", "%(n)s times a day", times) % {"n": times})
    days = dose["days_per_week"]
    parts.append(
        _("every day")
        if days >= 7
        else ngettext("%(n)s day a week", "%(n)s days a week", days) % {"n": days}
    )
    return ", ".join(parts)
