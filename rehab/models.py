"""The exercise library, protocol templates, patients' plans, and what patients log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

from clinic.models import Clinic, Patient
from rehab import clinical

Pathway = Patient.Pathway


def _range(low: int, high: int) -> list[Any]:
    return [MinValueValidator(low), MaxValueValidator(high)]


def _score_field(
    label: StrOrPromise, *, null: bool = False
) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(
        label, null=null, blank=null, validators=_range(0, clinical.SCORE_MAX)
    )


class SlugManager(models.Manager[Any]):
    """Finds a row by its slug, the natural key of library rows in ``fixtures/``."""

    def get_by_natural_key(self, slug: str) -> Any:
        return self.get(slug=slug)


class ProtocolPhaseManager(models.Manager["ProtocolPhase"]):
    def get_by_natural_key(self, protocol_slug: str, order: int) -> ProtocolPhase:
        return self.get(protocol__slug=protocol_slug, order=order)


class ProtocolItemManager(models.Manager["ProtocolItem"]):
    def get_by_natural_key(self, protocol_slug: str, phase_order: int, order: int) -> ProtocolItem:
        return self.get(phase__protocol__slug=protocol_slug, phase__order=phase_order, order=order)


class Side(models.TextChoices):
    INJURED = "injured", _("Injured leg")
    BOTH = "both", _("Both legs together")
    EACH = "each", _("Each leg in turn")


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
                condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False),
                name="%(app_label)s_%(class)s_reps_or_hold",
                violation_error_message=_("Give repetitions, a hold time, or both."),
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
                condition=Q(side__in=["injured", "both", "each"]),
                name="%(app_label)s_%(class)s_side_valid",
            ),
        ]

    def dose_text(self) -> str:
        """The dose in words, e.g. "3 × 30 s hold" or "2 sets × 10 reps"."""
        if self.hold_seconds and self.reps:
            text = _("%(sets)s × %(reps)s reps, hold %(hold)s s") % {
                "sets": self.sets,
                "reps": self.reps,
                "hold": self.hold_seconds,
            }
        elif self.hold_seconds:
            text = _("%(sets)s × %(hold)s s hold") % {"sets": self.sets, "hold": self.hold_seconds}
        elif self.sets == 1:
            text = ngettext("%(reps)s rep", "%(reps)s reps", self.reps or 0) % {"reps": self.reps}
        else:
            text = _("%(sets)s sets × %(reps)s reps") % {"sets": self.sets, "reps": self.reps}
        parts = [str(text)]
        if self.times_per_day > 1:
            parts.append(_("%(n)s times a day") % {"n": self.times_per_day})
        if self.days_per_week < 7:
            parts.append(
                ngettext("%(n)s day a week", "%(n)s days a week", self.days_per_week)
                % {"n": self.days_per_week}
            )
        return ", ".join(str(p) for p in parts)


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
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    summary = models.TextField(_("summary"), max_length=600)
    steps = models.JSONField(_("steps"), default=list, help_text=_("Ordered steps, one per item."))
    cues = models.JSONField(_("cues"), default=list, blank=True)
    safety_notes = models.JSONField(_("safety notes"), default=list, blank=True)
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
    default_times_per_day = models.PositiveSmallIntegerField(
        _("default times per day"), default=1, validators=_range(1, clinical.TIMES_PER_DAY_MAX)
    )
    default_days_per_week = models.PositiveSmallIntegerField(
        _("default days per week"), default=7, validators=_range(1, clinical.DAYS_PER_WEEK_MAX)
    )
    side = models.CharField(_("which leg"), max_length=10, choices=Side, default=Side.INJURED)
    video_url = models.URLField(_("video link"), blank=True)
    video_start_seconds = models.PositiveIntegerField(_("video start (seconds)"), default=0)
    image = models.ImageField(_("image"), upload_to="exercises/", blank=True)
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
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_reps__isnull=False) | Q(default_hold_seconds__isnull=False),
                name="rehab_exercise_default_reps_or_hold",
                violation_error_message=_("Give default repetitions, a hold time, or both."),
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
        if self.default_reps is None and self.default_hold_seconds is None:
            raise ValidationError(_("Give default repetitions, a hold time, or both."))
        if self.progresses_to_id is not None and self.progresses_to_id == self.pk:
            raise ValidationError({"progresses_to": _("An exercise cannot progress to itself.")})


class PhaseFields(models.Model):
    """What a protocol phase and a plan phase share."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=150)
    start_week = models.PositiveSmallIntegerField(
        _("start week"), validators=_range(0, clinical.WEEK_MAX)
    )
    end_week = models.PositiveSmallIntegerField(
        _("end week"),
        validators=_range(0, clinical.WEEK_MAX),
        help_text=_("The phase runs up to the start of this week."),
    )
    goals = models.TextField(_("goals"), blank=True)
    precautions = models.TextField(
        _("precautions"), blank=True, help_text=_("E.g. weight bearing, boot, wedges.")
    )
    weight_bearing = models.CharField(_("weight bearing"), max_length=200, blank=True)
    boot = models.CharField(_("boot"), max_length=200, blank=True)
    wedges = models.CharField(_("heel wedges"), max_length=200, blank=True)
    exit_criteria = models.TextField(
        _("exit criteria"), blank=True, help_text=_("One criterion per line.")
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end_week__gt=F("start_week")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("The end week must be after the start week."),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if (
            self.start_week is not None
            and self.end_week is not None
            and self.end_week <= self.start_week
        ):
            raise ValidationError({"end_week": _("The end week must be after the start week.")})

    @property
    def exit_criteria_list(self) -> list[str]:
        return [line.strip() for line in self.exit_criteria.splitlines() if line.strip()]


class Protocol(models.Model):
    """A template plan for one pathway, from a cited source."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway)
    summary = models.TextField(_("summary"), blank=True)
    source = models.TextField(_("source"))
    version = models.CharField(_("version"), max_length=20, default="1")
    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols",
        help_text=_("Empty for a shared template."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("protocol template")
        verbose_name_plural = _("protocol templates")
        ordering = ["pathway", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pathway__in=["operative", "non_operative"]),
                name="rehab_protocol_pathway_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ProtocolPhase(PhaseFields):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="phases")

    objects = ProtocolPhaseManager()

    class Meta(PhaseFields.Meta):
        verbose_name = _("protocol phase")
        verbose_name_plural = _("protocol phases")
        ordering = ["protocol", "order"]
        constraints = [
            *PhaseFields.Meta.constraints,
            models.UniqueConstraint(
                fields=["protocol", "order"], name="rehab_protocolphase_unique_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol.name}: {self.name}"

    def natural_key(self) -> tuple[str, int]:
        return (self.protocol.slug, self.order)

    natural_key.dependencies = ["rehab.protocol"]  # type: ignore[attr-defined]


class ProtocolItem(DoseFields):
    phase = models.ForeignKey(ProtocolPhase, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.TextField(_("note to the patient"), blank=True)

    objects = ProtocolItemManager()

    class Meta(DoseFields.Meta):
        verbose_name = _("protocol item")
        verbose_name_plural = _("protocol items")
        ordering = ["phase", "order"]
        constraints = [
            *DoseFields.Meta.constraints,
            models.UniqueConstraint(fields=["phase", "order"], name="rehab_protocolitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dose_text()})"

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.phase.natural_key(), self.order)

    natural_key.dependencies = ["rehab.protocolphase", "rehab.exercise"]  # type: ignore[attr-defined]


class Plan(models.Model):
    """A patient's own plan: a copy of a protocol (or built from scratch)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(_("name"), max_length=200)
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    anchor_date = models.DateField(
        _("anchor date"), help_text=_("Week 0 starts here: the surgery date, else the injury date.")
    )
    protocol = models.ForeignKey(
        Protocol,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        help_text=_("The template this plan was copied from, if any."),
    )
    protocol_version = models.CharField(_("protocol version"), max_length=20, blank=True)
    current_phase = models.ForeignKey(
        "PlanPhase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current phase"),
    )
    version = models.PositiveIntegerField(
        _("edit version"), default=1, help_text=_("Raised on every edit, to detect conflicts.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="active"),
                name="rehab_plan_one_active_per_patient",
                violation_error_message=_("This patient already has an active plan."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "completed"]),
                name="rehab_plan_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.patient}"

    def date_of_week(self, week: int) -> dt.date:
        return self.anchor_date + dt.timedelta(weeks=week)

    def week_on(self, day: dt.date) -> int:
        return (day - self.anchor_date).days // 7


class PlanPhase(PhaseFields):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    started_on = models.DateField(
        _("started on"), null=True, blank=True, help_text=_("When it became the current phase.")
    )

    class Meta(PhaseFields.Meta):
        verbose_name = _("plan phase")
        verbose_name_plural = _("plan phases")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def start_date(self) -> dt.date:
        return self.plan.date_of_week(self.start_week)

    @property
    def end_date(self) -> dt.date:
        """The last day of the phase (the day before ``end_week`` starts)."""
        return self.plan.date_of_week(self.end_week) - dt.timedelta(days=1)


class Prescription(DoseFields):
    """One exercise at one dose in a plan phase. Retired, never deleted, once logged."""

    phase = models.ForeignKey(PlanPhase, on_delete=models.PROTECT, related_name="prescriptions")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.TextField(_("note to the patient"), blank=True)
    guardrail_reason = models.TextField(
        _("reason for placing it before its earliest safe week"), blank=True
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta(DoseFields.Meta):
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        ordering = ["phase", "order", "pk"]
        indexes = [
            models.Index(
                fields=["phase", "order"],
                condition=Q(retired_at__isnull=True),
                name="rehab_rx_live_by_phase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dose_text()})"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class PhaseChange(models.Model):
    """Who moved a plan from one phase to another, and when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.ForeignKey(
        PlanPhase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    effective_on = models.DateField(_("effective from"))

    class Meta:
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.plan}: → {self.to_phase}"


class ExerciseLog(models.Model):
    """What a patient did of one prescription on one day."""

    # No single-column indexes on these two: the (patient, date) and (prescription, date)
    # indexes below serve every lookup, and the table is the largest in the database.
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="exercise_logs", db_index=False
    )
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="logs", db_index=False
    )
    date = models.DateField(_("date"))
    sets_done = models.PositiveSmallIntegerField(
        _("sets done"), default=1, validators=_range(0, clinical.SETS_MAX)
    )
    reps = models.PositiveSmallIntegerField(
        _("reps"), null=True, blank=True, validators=_range(0, clinical.REPS_MAX)
    )
    hold_seconds = models.PositiveSmallIntegerField(
        _("hold (seconds)"), null=True, blank=True, validators=_range(0, clinical.HOLD_SECONDS_MAX)
    )
    pain = _score_field(_("pain (0–10)"), null=True)
    effort = _score_field(_("effort (0–10)"), null=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    client_uuid = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exercise log")
        verbose_name_plural = _("exercise logs")
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["patient", "date"], name="rehab_log_patient_date"),
            models.Index(fields=["prescription", "date"], name="rehab_log_rx_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain__isnull=True) | Q(pain__gte=0, pain__lte=clinical.SCORE_MAX),
                name="rehab_exerciselog_pain_range",
            ),
            models.CheckConstraint(
                condition=Q(effort__isnull=True) | Q(effort__gte=0, effort__lte=clinical.SCORE_MAX),
                name="rehab_exerciselog_effort_range",
            ),
            models.CheckConstraint(
                condition=Q(sets_done__gte=0, sets_done__lte=clinical.SETS_MAX),
                name="rehab_exerciselog_sets_range",
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__lte=clinical.REPS_MAX),
                name="rehab_exerciselog_reps_range",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__lte=clinical.HOLD_SECONDS_MAX),
                name="rehab_exerciselog_hold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.date}: {self.prescription.exercise}"


class Swelling(models.TextChoices):
    NONE = "none", _("None")
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class CheckIn(models.Model):
    """The daily check-in: pain at rest, swelling and the red-flag questions."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checkins")
    date = models.DateField(_("date"))
    pain_at_rest = _score_field(_("pain at rest (0–10)"))
    swelling = models.CharField(_("swelling"), max_length=10, choices=Swelling)
    flag_dvt = models.BooleanField(
        _("calf pain, swelling, warmth or discolouration"), default=False
    )
    flag_pe = models.BooleanField(_("breathlessness, chest pain or coughing blood"), default=False)
    flag_wound = models.BooleanField(_("wound redness, pus, leaking, fever"), default=False)
    flag_circulation = models.BooleanField(
        _("toes blue/white/cold, pins and needles, boot too tight"), default=False
    )
    flag_rerupture = models.BooleanField(
        _("pop or snap, a gap, unable to rise on toes"), default=False
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    client_uuid = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="rehab_checkin_once_a_day"),
            models.CheckConstraint(
                condition=Q(pain_at_rest__gte=0, pain_at_rest__lte=clinical.SCORE_MAX),
                name="rehab_checkin_pain_range",
            ),
            models.CheckConstraint(
                condition=Q(swelling__in=["none", "mild", "moderate", "severe"]),
                name="rehab_checkin_swelling_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.date}"

    @property
    def red_flags(self) -> list[clinical.RedFlag]:
        return [flag for flag in clinical.RED_FLAGS if getattr(self, f"flag_{flag.code}")]


class AtrsResponse(models.Model):
    """An Achilles tendon Total Rupture Score: 10 items 0–10, total 0–100."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="atrs_responses")
    date = models.DateField(_("date"))
    item_1 = _score_field(_("item 1: strength"))
    item_2 = _score_field(_("item 2: fatigue"))
    item_3 = _score_field(_("item 3: stiffness"))
    item_4 = _score_field(_("item 4: pain"))
    item_5 = _score_field(_("item 5: daily living"))
    item_6 = _score_field(_("item 6: uneven surfaces"))
    item_7 = _score_field(_("item 7: stairs or hill"))
    item_8 = _score_field(_("item 8: running"))
    item_9 = _score_field(_("item 9: jumping"))
    item_10 = _score_field(_("item 10: hard physical labour"))
    total = models.PositiveSmallIntegerField(_("total (0–100)"))
    client_uuid = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    ITEM_FIELDS = tuple(f"item_{n}" for n in range(1, 11))

    class Meta:
        verbose_name = _("ATRS response")
        verbose_name_plural = _("ATRS responses")
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["patient", "date"], name="rehab_atrs_patient_date")]
        constraints = [
            *[
                models.CheckConstraint(
                    condition=Q(**{f"item_{n}__gte": 0, f"item_{n}__lte": clinical.SCORE_MAX}),
                    name=f"rehab_atrs_item_{n}_range",
                )
                for n in range(1, 11)
            ],
            models.CheckConstraint(
                condition=Q(
                    total=F("item_1")
                    + F("item_2")
                    + F("item_3")
                    + F("item_4")
                    + F("item_5")
                    + F("item_6")
                    + F("item_7")
                    + F("item_8")
                    + F("item_9")
                    + F("item_10")
                ),
                name="rehab_atrs_total_is_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"ATRS {self.total} – {self.patient} {self.date}"

    def compute_total(self) -> int:
        return sum(int(getattr(self, name)) for name in self.ITEM_FIELDS)


class AtrsRequest(models.Model):
    """A clinician asking the patient to fill in the ATRS outside the usual weeks."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="atrs_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    response = models.OneToOneField(
        AtrsResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    class Meta:
        verbose_name = _("ATRS request")
        verbose_name_plural = _("ATRS requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"ATRS requested for {self.patient}"


class Measurement(models.Model):
    """Heel-rise repetitions and calf circumference, each side."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    date = models.DateField(_("date"))
    heel_rise_reps_injured = models.PositiveSmallIntegerField(
        _("heel-rise reps, injured side"), null=True, blank=True, validators=_range(0, 200)
    )
    heel_rise_reps_uninjured = models.PositiveSmallIntegerField(
        _("heel-rise reps, other side"), null=True, blank=True, validators=_range(0, 200)
    )
    calf_cm_injured = models.DecimalField(
        _("calf circumference, injured side (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range(10, 80),
    )
    calf_cm_uninjured = models.DecimalField(
        _("calf circumference, other side (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range(10, 80),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    client_uuid = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(heel_rise_reps_injured__isnull=False)
                | Q(heel_rise_reps_uninjured__isnull=False)
                | Q(calf_cm_injured__isnull=False)
                | Q(calf_cm_uninjured__isnull=False),
                name="rehab_measurement_not_empty",
                violation_error_message=_("Enter at least one measurement."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(heel_rise_reps_injured__isnull=True) | Q(heel_rise_reps_injured__lte=200)
                )
                & (Q(heel_rise_reps_uninjured__isnull=True) | Q(heel_rise_reps_uninjured__lte=200)),
                name="rehab_measurement_reps_range",
            ),
            models.CheckConstraint(
                condition=(
                    Q(calf_cm_injured__isnull=True)
                    | Q(calf_cm_injured__gte=10, calf_cm_injured__lte=80)
                )
                & (
                    Q(calf_cm_uninjured__isnull=True)
                    | Q(calf_cm_uninjured__gte=10, calf_cm_uninjured__lte=80)
                ),
                name="rehab_measurement_calf_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.date}"

    @property
    def heel_rise_lsi(self) -> float | None:
        """Limb symmetry index: injured ÷ uninjured × 100, in per cent."""
        if not self.heel_rise_reps_uninjured or self.heel_rise_reps_injured is None:
            return None
        return round(self.heel_rise_reps_injured / self.heel_rise_reps_uninjured * 100, 1)


class Alert(models.Model):
    """Raised by a red flag or pain ≥ 7; acknowledged by a clinician."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", _("Red flag")
        HIGH_PAIN = "high_pain", _("High pain")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    code = models.CharField(
        _("red flag"), max_length=20, blank=True, help_text=_("The red flag's code, if any.")
    )
    message = models.TextField(_("message"))
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    log = models.ForeignKey(
        ExerciseLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["patient", "created_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="rehab_alert_open_by_patient",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["red_flag", "high_pain"]), name="rehab_alert_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="rehab_alert_ack_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.patient}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
