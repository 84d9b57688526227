"""The exercise library: exercises and their equipment (their default dose: ``rehab.models.doses``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.models import Clinic, Patient
from core.resubmit import client_uuid_field, client_uuid_once
from core.validators import validate_visible
from rehab import clinical
from rehab.models.doses import Side, dose_range_constraints, value_range
from rehab.models.media import MediaFields

Pathway = Patient.Pathway


class SlugManager(models.Manager[Any]):
    """Finds a row by its slug, the natural key of library rows in ``fixtures/``."""

    def get_by_natural_key(self, slug: str) -> Any:
        return self.get(slug=slug)


class Equipment(models.Model):
    name = models.CharField(_("name"), max_length=100, validators=[validate_visible])
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
    name = models.CharField(
        _("name"), max_length=EXERCISE_NAME_MAX_LENGTH, validators=[validate_visible]
    )
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
        validators=[validate_visible],
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
        _("default sets"), default=1, validators=value_range(1, clinical.SETS_MAX)
    )
    default_reps = models.PositiveSmallIntegerField(
        _("default reps"), null=True, blank=True, validators=value_range(1, clinical.REPS_MAX)
    )
    default_hold_seconds = models.PositiveSmallIntegerField(
        _("default hold (seconds)"),
        null=True,
        blank=True,
        validators=value_range(1, clinical.HOLD_SECONDS_MAX),
    )
    default_duration_minutes = models.PositiveSmallIntegerField(
        _("default duration (minutes)"),
        null=True,
        blank=True,
        validators=value_range(1, clinical.DURATION_MINUTES_MAX),
        help_text=_("For cycling, walking or jogging: minutes, not a hold."),
    )
    default_times_per_day = models.PositiveSmallIntegerField(
        _("default times per day"), default=1, validators=value_range(1, clinical.TIMES_PER_DAY_MAX)
    )
    default_days_per_week = models.PositiveSmallIntegerField(
        _("default days per week"), default=7, validators=value_range(1, clinical.DAYS_PER_WEEK_MAX)
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
        _("earliest safe week, operative"), default=0, validators=value_range(0, clinical.WEEK_MAX)
    )
    earliest_week_non_operative = models.PositiveSmallIntegerField(
        _("earliest safe week, non-operative"),
        default=0,
        validators=value_range(0, clinical.WEEK_MAX),
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
    # Made by a clinic's "New exercise" page once: the same page sent again, however late,
    # finds this exercise instead of adding a second (``clinic_exercise_create``). Null on
    # other exercises (then only the same name added within seconds is a repeat).
    client_uuid = client_uuid_field(
        _(
            "Made by the form once per new exercise: sent again, it finds this exercise "
            "instead of adding a second."
        )
    )

    objects = SlugManager()
    history = HistoricalRecords(excluded_fields=["updated_at", "client_uuid"])

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["category", "name"]
        constraints = [
            client_uuid_once("rehab_exercise_client_uuid_once"),
            models.CheckConstraint(
                condition=Q(default_reps__isnull=False)
                | Q(default_hold_seconds__isnull=False)
                | Q(default_duration_minutes__isnull=False),
                name="rehab_exercise_default_reps_or_hold",
                # The one check of it: full_clean says this message with this code.
                violation_error_code="no_reps_or_hold",
                violation_error_message=_("Give default repetitions, a hold time or a duration."),
            ),
            *dose_range_constraints(name="rehab_exercise_default_", prefix="default_"),
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
