"""Alerts raised by a red flag or high pain, acknowledged by a clinician."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Patient
from rehab import clinical
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog
from rehab.models.plans import Plan


class AlertQuerySet(models.QuerySet["Alert"]):
    def open(self) -> AlertQuerySet:
        """Those no clinician has acknowledged yet (``Alert.is_open``)."""
        return self.filter(acknowledged_at__isnull=True)

    def red_flags_waiting(self, patient_id: int) -> AlertQuerySet:
        """The patient's red-flag alerts no clinician has reviewed yet (still open): they keep
        the plan paused, a resume must have shown them, and the same flag reported again is
        not new."""
        return self.open().filter(patient_id=patient_id, kind=Alert.Kind.RED_FLAG)


class Alert(models.Model):
    """Raised by a red flag, pain ≥ 7 or a low ATRS around 3 months; acknowledged by a
    clinician."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", _("Red flag")
        HIGH_PAIN = "high_pain", _("High pain")
        LOW_ATRS = "low_atrs", _("Low ATRS around 3 months")
        EARLY_EXERCISE = "early_exercise", _("Exercise now before its earliest safe week")

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
    atrs = models.ForeignKey(
        AtrsResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AlertQuerySet.as_manager()

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
                condition=Q(kind__in=["red_flag", "high_pain", "low_atrs", "early_exercise"]),
                name="rehab_alert_kind_valid",
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

    @property
    def kind_label(self) -> str:
        """``get_kind_display()`` for a row of a list: the label of the kind's enum member, not
        a dict of every choice built again for each row."""
        return str(self.Kind(self.kind).label)


class PlanHold(models.Model):
    """A red flag's hold on a patient's plan: exercise is paused until a clinician has reviewed
    what the patient reported and resumed the plan (who, when, a note)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="holds")
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="holds"
    )
    flags = models.JSONField(
        _("red flags"), default=list, blank=True, help_text=_("The codes of the red flags.")
    )
    started_at = models.DateTimeField(_("paused"), default=timezone.now)
    resumed_at = models.DateTimeField(_("resumed"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resume_note = models.TextField(_("review note"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("plan hold")
        verbose_name_plural = _("plan holds")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(resumed_at__isnull=True),
                name="rehab_planhold_one_open_per_plan",
            ),
            models.CheckConstraint(
                condition=Q(resumed_at__isnull=True) | ~Q(resume_note=""),
                name="rehab_planhold_resume_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.resumed_at is None

    @property
    def red_flags(self) -> list[clinical.RedFlag]:
        return [flag for flag in clinical.RED_FLAGS if flag.code in self.flags]
