"""What patients log (exercise logs, check-ins, ATRS) and what the clinic measures."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
from clinic.models import Patient
from core import dates
from rehab import clinical
from rehab.models.library import _range
from rehab.models.plans import Prescription


def _score_field(
    label: StrOrPromise, *, null: bool = False
) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(
        label, null=null, blank=null, validators=_range(0, clinical.SCORE_MAX)
    )


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
            dates.within_window("date", name="rehab_exerciselog_date_plausible"),
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
    pain_at_rest = _score_field(_("pain at rest (0–10)"), null=True)
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
                condition=Q(pain_at_rest__isnull=True)
                | Q(pain_at_rest__gte=0, pain_at_rest__lte=clinical.SCORE_MAX),
                name="rehab_checkin_pain_range",
            ),
            models.CheckConstraint(
                condition=Q(swelling__in=["none", "mild", "moderate", "severe"]),
                name="rehab_checkin_swelling_valid",
            ),
            dates.within_window("date", name="rehab_checkin_date_plausible"),
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
            # One answer a day: a same-day resubmission edits it (``atrs_record``).
            models.UniqueConstraint(
                fields=["patient", "date"],
                name="rehab_atrs_once_a_day",
                violation_error_message=_("There is already an answer for this day."),
            ),
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
            dates.within_window("date", name="rehab_atrs_date_plausible"),
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
            dates.within_window("date", name="rehab_measurement_date_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.date}"

    @property
    def heel_rise_lsi(self) -> float | None:
        """Limb symmetry index: injured ÷ uninjured × 100, in per cent."""
        if not self.heel_rise_reps_uninjured or self.heel_rise_reps_injured is None:
            return None
        return round(self.heel_rise_reps_injured / self.heel_rise_reps_uninjured * 100, 1)

    def recorded_values(self) -> list[tuple[str, Any]]:
        """What this measurement recorded: (label, value) of each value given, in the model's
        field order (the timeline lists them, whatever measurements the model holds)."""
        skip = {"id", "patient", "date", "recorded_by", "note", "client_uuid", "created_at"}
        values = []
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if field.name not in skip and value is not None and value != "":
                values.append((str(field.verbose_name), value))
        return values
