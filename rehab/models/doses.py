"""A dose: how many sets of how many reps or holds (or minutes), how often, which leg; the
fields every dose shares (``DoseFields``: an exercise's default, a template item's, a
prescription's) and the one wording of a dose (``dose_words``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rehab import clinical


def value_range(low: int, high: int) -> list[Any]:
    """Validators of a whole number from ``low`` to ``high`` (a dose's, a measurement's)."""
    return [MinValueValidator(low), MaxValueValidator(high)]


class Side(models.TextChoices):
    INJURED = "injured", _("Injured leg")
    BOTH = "both", _("Both legs together")
    EACH = "each", _("Each leg in turn")
    UNINJURED = "uninjured", _("The other leg only (not the injured one)")


# The fields of a dose (``DoseFields``), in their order: what a plan copies from a protocol
# item, and what the forms, serializers and the admin show of one.
DOSE_FIELD_NAMES = (
    "sets",
    "reps",
    "hold_seconds",
    "times_per_day",
    "days_per_week",
    "side",
    "duration_minutes",
)


# What a patient and a clinician read instead of a dose for advice (``DoseFields.dose_text``).
ADVICE_DOSE_TEXT = _("Advice to read")


def dose_words(dose: Mapping[str, Any], *, for_patient: bool = False) -> str:
    """A dose in words: "3 × 30 s hold", "2 sets × 10 reps, 3 times a day" or "10 minutes,
    5 days a week" (once a day and every day go unsaid). ``dose``: its values by
    ``DOSE_FIELD_NAMES`` (``side`` unused). ``for_patient``: a hold in plain words, "3 holds of
    30 seconds" and "2 sets × 10 reps, hold each for 5 seconds", not the clinician's "s"
    (clinical.md §8). The one wording: ``DoseFields.dose_text`` and ``patient_dose_text`` and
    the patient's copy of their record (its stored rows) read it."""
    sets, reps, hold_seconds = dose["sets"], dose["reps"], dose["hold_seconds"]
    duration_minutes = dose["duration_minutes"]
    times_per_day, days_per_week = dose["times_per_day"], dose["days_per_week"]
    if duration_minutes and not (reps or hold_seconds):
        minutes = ngettext("%(minutes)s minute", "%(minutes)s minutes", duration_minutes) % {
            "minutes": duration_minutes
        }
        text = minutes if sets == 1 else f"{sets} × {minutes}"
    elif hold_seconds and for_patient:
        seconds = ngettext("%(n)s second", "%(n)s seconds", hold_seconds) % {"n": hold_seconds}
        if reps and sets == 1:
            text = ngettext(
                "%(reps)s rep, hold it for %(seconds)s",
                "%(reps)s reps, hold each for %(seconds)s",
                reps,
            ) % {"reps": reps, "seconds": seconds}
        elif reps:
            # Sets in words, as "2 sets × 10 reps" says them.
            text = _("%(sets)s sets × %(reps)s reps, hold each for %(seconds)s") % {
                "sets": sets,
                "reps": reps,
                "seconds": seconds,
            }
        else:
            text = ngettext(
                "%(sets)s hold of %(seconds)s", "%(sets)s holds of %(seconds)s", sets
            ) % {"sets": sets, "seconds": seconds}
    elif hold_seconds and reps:
        text = _("%(sets)s × %(reps)s reps, hold %(hold)s s") % {
            "sets": sets,
            "reps": reps,
            "hold": hold_seconds,
        }
    elif hold_seconds:
        text = _("%(sets)s × %(hold)s s hold") % {"sets": sets, "hold": hold_seconds}
    elif sets == 1:
        text = ngettext("%(reps)s rep", "%(reps)s reps", reps or 0) % {"reps": reps}
    else:
        text = _("%(sets)s sets × %(reps)s reps") % {"sets": sets, "reps": reps}
    parts = [str(text)]
    if times_per_day > 1:
        parts.append(_("%(n)s times a day") % {"n": times_per_day})
    if days_per_week < 7:
        parts.append(
            ngettext("%(n)s day a week", "%(n)s days a week", days_per_week) % {"n": days_per_week}
        )
    return ", ".join(str(p) for p in parts)


# The range of each field of a dose, from 1 to its maximum: (field, the word for it in its
# constraint's name, the maximum, whether it may be empty).
DOSE_RANGES = (
    ("sets", "sets", clinical.SETS_MAX, False),
    ("reps", "reps", clinical.REPS_MAX, True),
    ("hold_seconds", "hold", clinical.HOLD_SECONDS_MAX, True),
    ("duration_minutes", "duration", clinical.DURATION_MINUTES_MAX, True),
    ("times_per_day", "times_per_day", clinical.TIMES_PER_DAY_MAX, False),
    ("days_per_week", "days_per_week", clinical.DAYS_PER_WEEK_MAX, False),
)


def dose_range_constraints(*, name: str, prefix: str = "") -> list[models.CheckConstraint]:
    """A check constraint of each dose field's range (``DOSE_RANGES``): a dose's own fields
    (``DoseFields``), or ``prefix`` and their names (``default_``: an exercise's default
    dose). Each is named ``name``, the range's word and ``_range``."""
    constraints = []
    for field, word, high, optional in DOSE_RANGES:
        column = prefix + field
        within = Q(**{f"{column}__gte": 1, f"{column}__lte": high})
        constraints.append(
            models.CheckConstraint(
                condition=(Q(**{f"{column}__isnull": True}) | within) if optional else within,
                name=f"{name}{word}_range",
            )
        )
    return constraints


class DoseFields(models.Model):
    """A dose: how many sets of how many reps or holds, how often, and which leg."""

    sets = models.PositiveSmallIntegerField(
        _("sets"), default=1, validators=value_range(1, clinical.SETS_MAX)
    )
    reps = models.PositiveSmallIntegerField(
        _("reps"),
        null=True,
        blank=True,
        validators=value_range(1, clinical.REPS_MAX),
        help_text=_("Repetitions per set; empty for a hold."),
    )
    hold_seconds = models.PositiveSmallIntegerField(
        _("hold (seconds)"),
        null=True,
        blank=True,
        validators=value_range(1, clinical.HOLD_SECONDS_MAX),
        help_text=_("Seconds to hold each repetition; empty if not held."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=value_range(1, clinical.DURATION_MINUTES_MAX),
        help_text=_("Minutes of continuous activity (cycling, walking, jogging)."),
    )
    times_per_day = models.PositiveSmallIntegerField(
        _("times per day"), default=1, validators=value_range(1, clinical.TIMES_PER_DAY_MAX)
    )
    days_per_week = models.PositiveSmallIntegerField(
        _("days per week"), default=7, validators=value_range(1, clinical.DAYS_PER_WEEK_MAX)
    )
    side = models.CharField(_("which leg"), max_length=10, choices=Side, default=Side.INJURED)

    class Meta:
        abstract = True
        constraints = [
            *dose_range_constraints(name="%(app_label)s_%(class)s_"),
            models.CheckConstraint(
                condition=Q(reps__isnull=False)
                | Q(hold_seconds__isnull=False)
                | Q(duration_minutes__isnull=False),
                name="%(app_label)s_%(class)s_reps_or_hold",
                violation_error_message=_("Give repetitions, a hold time or a duration."),
            ),
            models.CheckConstraint(
                condition=Q(side__in=["injured", "both", "each", "uninjured"]),
                name="%(app_label)s_%(class)s_side_valid",
            ),
        ]

    @property
    def is_advice(self) -> bool:
        """Whether the dose is of advice to read (``Exercise.is_advice``): none for the patient.
        A prescription or a template's item answers for its exercise; a dose alone is not."""
        return False

    def dose(self) -> dict[str, Any]:
        """The dose's values by ``DOSE_FIELD_NAMES`` (as ``Exercise.default_dose``): what its
        wording reads, and what a copy of it takes (a plan made from a template, a template
        made from a plan, a template's next version, a prescription moved to another phase)."""
        return {name: getattr(self, name) for name in DOSE_FIELD_NAMES}

    def dose_text(self) -> str:
        """The dose in words, e.g. "3 × 30 s hold", "2 sets × 10 reps" or "10 minutes"; for
        advice to read, ``ADVICE_DOSE_TEXT`` (its dose is kept as stored, but is none for the
        patient)."""
        if self.is_advice:
            return str(ADVICE_DOSE_TEXT)
        return dose_words(self.dose())

    def patient_dose_text(self) -> str:
        """The dose as the patient's pages and handout say it: ``dose_text`` with a hold in
        plain words ("3 holds of 30 seconds", not "3 × 30 s hold")."""
        if self.is_advice:
            return str(ADVICE_DOSE_TEXT)
        return dose_words(self.dose(), for_patient=True)
