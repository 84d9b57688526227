"""The exercise library: exercises, their equipment, and the dose fields every dose shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from clinic.models import Clinic, Patient
from rehab import clinical
from rehab.models.media import MediaFields

Pathway = Patient.Pathway


def _range(low: int, high: int) -> list[Any]:
    return [MinValueValidator(low), MaxValueValidator(high)]


class SlugManager(models.Manager[Any]):
    """Finds a row by its slug, the natural key of library rows in ``fixtures/``."""

    def get_by_natural_key(self, slug: str) -> Any:
        return self.get(slug=slug)


class Side(models.TextChoices):
    INJURED = "injured", _("Injured leg")
    BOTH = "both", _("Both legs together")
    EACH = "each", _("Each leg in turn")
    UNINJURED = "uninjured", _("The other leg only (not the injured one)")


class Equipment(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


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
    30 seconds" and "hold each for 5 seconds", not the clinician's "s" (clinical.md §8). The
    one wording: ``DoseFields.dose_text`` and ``patient_dose_text`` and the patient's copy of
    their record (its stored rows) read it."""
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
        if reps:
            text = _("%(sets)s × %(reps)s reps, hold each for %(seconds)s") % {
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


class DoseFields(models.Model):
    """A dose: how many sets of how many reps or holds, how often, and which leg."""

    sets = models.PositiveSmallIntegerField(
        _("sets"), default=1, validators=_range(1, clinical.SETS_MAX)
    )
    reps = models.PositiveSmallIntegerField(
        _("reps"),
        null=True,
        blank=True,
        validators=_range(1, clinical.REPS_MAX),
        help_text=_("Repetitions per set; empty for a hold."),
    )
    hold_seconds = models.PositiveSmallIntegerField(
        _("hold (seconds)"),
        null=True,
        blank=True,
        validators=_range(1, clinical.HOLD_SECONDS_MAX),
        help_text=_("Seconds to hold each repetition; empty if not held."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=_range(1, clinical.DURATION_MINUTES_MAX),
        help_text=_("Minutes of continuous activity (cycling, walking, jogging)."),
    )
    times_per_day = models.PositiveSmallIntegerField(
        _("times per day"), default=1, validators=_range(1, clinical.TIMES_PER_DAY_MAX)
    )
    days_per_week = models.PositiveSmallIntegerField(
        _("days per week"), default=7, validators=_range(1, clinical.DAYS_PER_WEEK_MAX)
    )
    side = models.CharField(_("which leg"), max_length=10, choices=Side, default=Side.INJURED)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(sets__gte=1, sets__lte=clinical.SETS_MAX),
                name="%(app_label)s_%(class)s_sets_range",
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=clinical.REPS_MAX),
                name="%(app_label)s_%(class)s_reps_range",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__gte=1, hold_seconds__lte=clinical.HOLD_SECONDS_MAX),
                name="%(app_label)s_%(class)s_hold_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | Q(duration_minutes__gte=1, duration_minutes__lte=clinical.DURATION_MINUTES_MAX),
                name="%(app_label)s_%(class)s_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=False)
                | Q(hold_seconds__isnull=False)
                | Q(duration_minutes__isnull=False),
                name="%(app_label)s_%(class)s_reps_or_hold",
                violation_error_message=_("Give repetitions, a hold time or a duration."),
            ),
            models.CheckConstraint(
                condition=Q(times_per_day__gte=1, times_per_day__lte=clinical.TIMES_PER_DAY_MAX),
                name="%(app_label)s_%(class)s_times_per_day_range",
            ),
            models.CheckConstraint(
                condition=Q(days_per_week__gte=1, days_per_week__lte=clinical.DAYS_PER_WEEK_MAX),
                name="%(app_label)s_%(class)s_days_per_week_range",
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

    def dose_text(self) -> str:
        """The dose in words, e.g. "3 × 30 s hold", "2 sets × 10 reps" or "10 minutes"; for
        advice to read, ``ADVICE_DOSE_TEXT`` (its dose is kept as stored, but is none for the
        patient)."""
        if self.is_advice:
            return str(ADVICE_DOSE_TEXT)
        return dose_words({name: getattr(self, name) for name in DOSE_FIELD_NAMES})

    def patient_dose_text(self) -> str:
        """The dose as the patient's pages and handout say it: ``dose_text`` with a hold in
        plain words ("3 holds of 30 seconds", not "3 × 30 s hold")."""
        if self.is_advice:
            return str(ADVICE_DOSE_TEXT)
        return dose_words(
            {name: getattr(self, name) for name in DOSE_FIELD_NAMES}, for_patient=True
        )


@dataclass(frozen=True)
class PatientExerciseText:
    """An exercise as a patient reads it (``Exercise.patient_text``)."""

    name: str
    summary: str
    steps: list[str]
    cues: list[str]
    safety_notes: list[str]


# The length of an exercise's name: its field's, and what a copy's "… (copy)" name fits in.
EXERCISE_NAME_MAX_LENGTH = 150


class Exercise(models.Model):
    """An exercise in the library. ``clinic`` empty means the shared library."""

    class Category(models.TextChoices):
        STRETCH = "stretch", _("Stretch")
        STRENGTH = "strength", _("Strength")
        BALANCE = "balance", _("Balance")
        MOBILITY = "mobility", _("Mobility")
        CARDIO = "cardio", _("Cardio")
        EDUCATION = "education", _("Education")

    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exercises",
        help_text=_("Empty for the shared library; set for a clinic's own exercise."),
    )
    name = models.CharField(_("name"), max_length=EXERCISE_NAME_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    # Two voices: the clinician's text keeps the exact terms and the sources; the patient's text
    # (``patient_*``, the steps and the cues) is plain words, and is all a patient ever reads.
    summary = models.TextField(
        _("summary for clinicians"),
        max_length=600,
        help_text=_("Exact terms and sources; patients never see it."),
    )
    steps = models.JSONField(
        _("steps"),
        default=list,
        help_text=_("Ordered steps, one per item, in plain words: the patient reads them."),
    )
    cues = models.JSONField(
        _("cues"), default=list, blank=True, help_text=_("Short tips the patient reads.")
    )
    safety_notes = models.JSONField(
        _("safety notes for clinicians"),
        default=list,
        blank=True,
        help_text=_("Guardrail weeks, contraindications and sources; patients never see them."),
    )
    patient_name = models.CharField(
        _("name for the patient"),
        max_length=150,
        blank=True,
        help_text=_("In plain words, without jargon; empty: the name above."),
    )
    patient_summary = models.TextField(
        _("what it is, for the patient"),
        max_length=600,
        blank=True,
        help_text=_("What the patient reads first, in plain words: no citations, no jargon."),
    )
    patient_safety_notes = models.JSONField(
        _("safety, for the patient"),
        default=list,
        blank=True,
        help_text=_(
            "When to stop or get advice, in plain words. No week numbers: the physiotherapist's "
            "prescription decides when."
        ),
    )
    equipment = models.ManyToManyField(
        Equipment, blank=True, related_name="exercises", verbose_name=_("equipment")
    )
    # Default dose, copied into a prescription when the exercise is added to a plan.
    default_sets = models.PositiveSmallIntegerField(
        _("default sets"), default=1, validators=_range(1, clinical.SETS_MAX)
    )
    default_reps = models.PositiveSmallIntegerField(
        _("default reps"), null=True, blank=True, validators=_range(1, clinical.REPS_MAX)
    )
    default_hold_seconds = models.PositiveSmallIntegerField(
        _("default hold (seconds)"),
        null=True,
        blank=True,
        validators=_range(1, clinical.HOLD_SECONDS_MAX),
    )
    default_duration_minutes = models.PositiveSmallIntegerField(
        _("default duration (minutes)"),
        null=True,
        blank=True,
        validators=_range(1, clinical.DURATION_MINUTES_MAX),
        help_text=_("For cycling, walking or jogging: minutes, not a hold."),
    )
    default_times_per_day = models.PositiveSmallIntegerField(
        _("default times per day"), default=1, validators=_range(1, clinical.TIMES_PER_DAY_MAX)
    )
    default_days_per_week = models.PositiveSmallIntegerField(
        _("default days per week"), default=7, validators=_range(1, clinical.DAYS_PER_WEEK_MAX)
    )
    side = models.CharField(_("which leg"), max_length=10, choices=Side, default=Side.INJURED)
    video_url = models.URLField(_("video link"), blank=True)
    video_start_seconds = models.PositiveIntegerField(_("video start (seconds)"), default=0)
    from_video = models.BooleanField(
        _("shown in the seed video"),
        default=False,
        help_text=_("False for exercises added from other sources."),
    )
    source = models.TextField(_("source"), help_text=_("Citation for the instructions and dose."))
    # Guardrail: the earliest week (since surgery, or injury if non-operative) it is safe.
    earliest_week_operative = models.PositiveSmallIntegerField(
        _("earliest safe week, operative"), default=0, validators=_range(0, clinical.WEEK_MAX)
    )
    earliest_week_non_operative = models.PositiveSmallIntegerField(
        _("earliest safe week, non-operative"),
        default=0,
        validators=_range(0, clinical.WEEK_MAX),
    )
    earliest_week_reason = models.TextField(
        _("why not earlier"), blank=True, help_text=_("Shown with the guardrail warning.")
    )
    earliest_week_source = models.TextField(_("guardrail source"), blank=True)
    progresses_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progresses_from",
        verbose_name=_("progresses to"),
        help_text=_("The next level, e.g. in the balance series."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Offered for new plans. A clinic's archived exercise is not published."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    instructions_updated_at = models.DateTimeField(
        _("instructions updated"),
        null=True,
        blank=True,
        help_text=_("When what the patient reads or sees last changed (shown as “updated on”)."),
    )

    objects = SlugManager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_reps__isnull=False)
                | Q(default_hold_seconds__isnull=False)
                | Q(default_duration_minutes__isnull=False),
                name="rehab_exercise_default_reps_or_hold",
                # The one check of it: full_clean says this message with this code.
                violation_error_code="no_reps_or_hold",
                violation_error_message=_("Give default repetitions, a hold time or a duration."),
            ),
            models.CheckConstraint(
                condition=Q(default_duration_minutes__isnull=True)
                | Q(
                    default_duration_minutes__gte=1,
                    default_duration_minutes__lte=clinical.DURATION_MINUTES_MAX,
                ),
                name="rehab_exercise_default_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(default_sets__gte=1, default_sets__lte=clinical.SETS_MAX),
                name="rehab_exercise_default_sets_range",
            ),
            models.CheckConstraint(
                condition=Q(default_reps__isnull=True)
                | Q(default_reps__gte=1, default_reps__lte=clinical.REPS_MAX),
                name="rehab_exercise_default_reps_range",
            ),
            models.CheckConstraint(
                condition=Q(default_hold_seconds__isnull=True)
                | Q(
                    default_hold_seconds__gte=1,
                    default_hold_seconds__lte=clinical.HOLD_SECONDS_MAX,
                ),
                name="rehab_exercise_default_hold_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    default_times_per_day__gte=1,
                    default_times_per_day__lte=clinical.TIMES_PER_DAY_MAX,
                ),
                name="rehab_exercise_default_times_per_day_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    default_days_per_week__gte=1,
                    default_days_per_week__lte=clinical.DAYS_PER_WEEK_MAX,
                ),
                name="rehab_exercise_default_days_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(earliest_week_operative__lte=clinical.WEEK_MAX)
                & Q(earliest_week_non_operative__lte=clinical.WEEK_MAX),
                name="rehab_exercise_earliest_week_range",
            ),
            models.CheckConstraint(
                condition=~Q(progresses_to=F("pk")),
                name="rehab_exercise_not_own_progression",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def patient_display_name(self) -> str:
        """The name a patient reads (``patient_text.name``), from the two name fields only."""
        return self.patient_name or self.name

    @property
    def patient_text(self) -> PatientExerciseText:
        """What a patient reads of this exercise: plain words only (the one way patient pages,
        the handout and the API reach an exercise's text)."""
        return PatientExerciseText(
            name=self.patient_display_name,
            summary=self.patient_summary,
            steps=list(self.steps or []),
            cues=list(self.cues or []),
            safety_notes=list(self.patient_safety_notes or []),
        )

    @property
    def is_advice(self) -> bool:
        """An education item (keep the boot on at night, the signs of a blood clot) is advice to
        read, not an exercise to do: it has no dose for the patient, is never due, has no
        session to tick and counts in no adherence or reminder. The one rule; its
        prescriptions and template items answer with it (``DoseFields.is_advice``), and
        ``rehab.models.plans.COUNTS_AS_SESSION`` is it in a query."""
        return self.category == self.Category.EDUCATION

    def default_dose(self) -> dict[str, Any]:
        """The default dose as a dose's fields (``DOSE_FIELD_NAMES``): what a prescription or a
        template's item starts with when the exercise is added."""
        return {
            "sets": self.default_sets,
            "reps": self.default_reps,
            "hold_seconds": self.default_hold_seconds,
            "duration_minutes": self.default_duration_minutes,
            "times_per_day": self.default_times_per_day,
            "days_per_week": self.default_days_per_week,
            "side": self.side,
        }

    def earliest_week_for(self, pathway: str) -> int:
        if pathway == Pathway.OPERATIVE:
            return self.earliest_week_operative
        return self.earliest_week_non_operative

    @property
    def video_link(self) -> str:
        """The video URL starting at ``video_start_seconds``."""
        if not self.video_url:
            return ""
        if not self.video_start_seconds:
            return self.video_url
        joiner = "&" if "?" in self.video_url else "?"
        return f"{self.video_url}{joiner}t={self.video_start_seconds}"

    def clean(self) -> None:
        super().clean()
        if self.progresses_to_id is not None and self.progresses_to_id == self.pk:
            raise ValidationError(
                {
                    "progresses_to": ValidationError(
                        _("An exercise cannot progress to itself."), code="progresses_to_itself"
                    )
                }
            )


class ExerciseMedia(MediaFields):
    """A photo or video of an exercise, shown to everyone who may see the exercise."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="media")

    class Meta(MediaFields.Meta):
        verbose_name = _("exercise photo or video")
        verbose_name_plural = _("exercise photos and videos")

    def storage_folder(self) -> str:
        owner = f"clinic-{self.exercise.clinic_id}" if self.exercise.clinic_id else "shared"
        return f"exercises/{owner}"
