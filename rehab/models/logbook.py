"""What patients log (exercise logs, check-ins, ATRS) and what the clinic measures."""

from __future__ import annotations

import operator
import uuid
from functools import reduce
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from clinic.models import Patient
from core import dates
from rehab import clinical, measures
from rehab.models.doses import value_range
from rehab.models.library import Exercise
from rehab.models.plans import Prescription


def _score_field(
    label: StrOrPromise, *, null: bool = False
) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(
        label, null=null, blank=null, validators=value_range(0, clinical.SCORE_MAX)
    )


def is_full_session(*, sets_done: int, sets: int) -> bool:
    """A logged session is done when it has all the sets prescribed (Today's rule): one with
    fewer is still being ticked (or was left), never a session done. The one rule of what is
    done, for Today, the progress page, the streak and adherence (``FULL_SESSION`` in a query).
    A past session is judged by the sets prescribed on its day (``ExerciseLog.sets_prescribed``):
    a dose raised later does not undo the sessions done, nor those sent late by a phone that
    was offline.
    """
    return sets_done >= sets


# ``is_full_session`` as a filter of exercise logs.
FULL_SESSION = Q(sets_done__gte=F("sets_prescribed"))

# A session done of an exercise, not a log of advice to read (``Exercise.is_advice``: one
# stored before they were refused counts for nothing), as a filter of exercise logs. Queries
# that count logs per prescription need not join: ``COUNTS_AS_SESSION`` leaves advice out there.
EXERCISE_SESSION = FULL_SESSION & ~Q(prescription__exercise__category=Exercise.Category.EDUCATION)


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
        _("sets done"), default=1, validators=value_range(0, clinical.SETS_MAX)
    )
    # The prescription's sets in force on the log's day (``Prescription.sets_on``; the
    # clinician's dose, copied: never the patient's answer), against which the session is
    # judged done (``is_full_session``).
    sets_prescribed = models.PositiveSmallIntegerField(_("sets prescribed"), editable=False)
    reps = models.PositiveSmallIntegerField(
        _("reps"), null=True, blank=True, validators=value_range(0, clinical.REPS_MAX)
    )
    hold_seconds = models.PositiveSmallIntegerField(
        _("hold (seconds)"),
        null=True,
        blank=True,
        validators=value_range(0, clinical.HOLD_SECONDS_MAX),
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

    @property
    def advice(self) -> str | None:
        """Pain of 7 or more: what the patient must do now (stop this exercise, named as they
        read it, and contact the clinic); else None. The Today page's form and the API say it
        at once."""
        if self.pain is None or self.pain < clinical.ALERT_PAIN_THRESHOLD:
            return None
        return clinical.high_pain_advice(self.prescription.exercise.patient_display_name)


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
    # Null when the patient left it unanswered (a red flag is never held back for it): null,
    # not "", as every unanswered question here and in the API (design.md), hence the noqa.
    swelling = models.CharField(  # noqa: DJ001
        _("swelling"), max_length=10, choices=Swelling, null=True, blank=True, default=None
    )
    # Each red-flag question: yes, no, or null when it was not asked (the wound questions of a
    # patient without surgery): never a "no" nobody said.
    flag_dvt = models.BooleanField(
        _("calf pain, swelling, warmth or discolouration"), null=True, blank=True, default=None
    )
    flag_pe = models.BooleanField(
        _("breathlessness, chest pain or coughing blood"), null=True, blank=True, default=None
    )
    flag_wound = models.BooleanField(
        _("wound redness, pus, leaking, fever"), null=True, blank=True, default=None
    )
    flag_circulation = models.BooleanField(
        _("toes blue/white/cold, pins and needles, boot too tight"),
        null=True,
        blank=True,
        default=None,
    )
    flag_rerupture = models.BooleanField(
        _("pop or snap, a gap, unable to rise on toes"), null=True, blank=True, default=None
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
                condition=Q(swelling__isnull=True)
                | Q(swelling__in=["none", "mild", "moderate", "severe"]),
                name="rehab_checkin_swelling_valid",
            ),
            dates.within_window("date", name="rehab_checkin_date_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.date}"

    @property
    def red_flags(self) -> list[clinical.RedFlag]:
        return [flag for flag in clinical.RED_FLAGS if getattr(self, f"flag_{flag.code}")]

    @property
    def swelling_label(self) -> str:
        """``get_swelling_display()`` for a row of a list: the label of the answer's enum member,
        not a dict of every choice built again for each row; "" when it was not answered."""
        return "" if self.swelling is None else str(Swelling(self.swelling).label)


class LaterSubmission(models.Model):
    """A later submit a once-a-day record took in: the day's first submit makes the row (its
    ``client_uuid`` on the row), a later one the same day changes it. Each later submit's id is
    kept, so that the same submit sent again (its answer lost) is known and returns the stored
    row instead of being taken in twice (``rehab.services.logbook.storing``)."""

    client_uuid = models.UUIDField(_("client id"), unique=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        abstract = True


class CheckInSubmission(LaterSubmission):
    """A later submit the day's check-in took in: one check-in a day, so a second one the same
    day adds to the first (``checkin_record``) and the row keeps the first submit's
    ``client_uuid``."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="submissions")

    class Meta:
        verbose_name = _("later check-in submit")
        verbose_name_plural = _("later check-in submits")

    def __str__(self) -> str:
        return f"{self.checkin} {self.client_uuid}"


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


class AtrsSubmission(LaterSubmission):
    """A later submit the day's ATRS answer took in: one answer a day, so a second one the
    same day replaces its answers (``atrs_record``) and the row keeps the first submit's
    ``client_uuid``."""

    response = models.ForeignKey(AtrsResponse, on_delete=models.CASCADE, related_name="submissions")

    class Meta:
        verbose_name = _("later ATRS submit")
        verbose_name_plural = _("later ATRS submits")

    def __str__(self) -> str:
        return f"{self.response} {self.client_uuid}"


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


def _measure_field(name: str) -> models.Field[Any, Any]:
    """The model field of one measurement value, from its definition (``rehab.measures``)."""
    m = measures.FIELD_MEASURE[name]
    label = measures.field_label(name)
    if m.code == "toe_walk_5m":
        return models.BooleanField(label, null=True, blank=True, help_text=m.definition)
    validators = [MinValueValidator(m.low), MaxValueValidator(m.high)]
    if m.decimal:
        return models.DecimalField(
            label,
            max_digits=4,
            decimal_places=1,
            null=True,
            blank=True,
            validators=validators,
            help_text=m.definition,
        )
    if m.low < 0:
        return models.SmallIntegerField(
            label, null=True, blank=True, validators=validators, help_text=m.definition
        )
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=validators, help_text=m.definition
    )


def _range_constraint(name: str) -> models.CheckConstraint:
    m = measures.FIELD_MEASURE[name]
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True})
        | Q(**{f"{name}__gte": m.low, f"{name}__lte": m.high}),
        name=f"rehab_measurement_{name}_range",
    )


def _lsi_constraint(code: str) -> models.CheckConstraint:
    """Injured ≤ ``LSI_MAX`` % of the uninjured side when both are given."""
    injured, uninjured = f"{code}_injured", f"{code}_uninjured"
    return models.CheckConstraint(
        condition=Q(**{f"{injured}__isnull": True})
        | Q(**{f"{uninjured}__isnull": True})
        | Q(**{f"{injured}__lte": F(uninjured) * measures.LSI_MAX / 100}),
        name=f"rehab_measurement_{code}_lsi_max",
    )


class Measurement(models.Model):
    """What the clinic (or the patient at home) measured on one day: heel rises, ATRA,
    knee-to-wall, calf circumference, the 5 m toe walk. Definitions, units and ranges:
    ``rehab.measures``; every value optional, at least one given."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    date = models.DateField(_("date"))
    heel_rise_reps_injured = _measure_field("heel_rise_reps_injured")
    heel_rise_reps_uninjured = _measure_field("heel_rise_reps_uninjured")
    heel_rise_height_cm_injured = _measure_field("heel_rise_height_cm_injured")
    heel_rise_height_cm_uninjured = _measure_field("heel_rise_height_cm_uninjured")
    atra_deg_injured = _measure_field("atra_deg_injured")
    atra_deg_uninjured = _measure_field("atra_deg_uninjured")
    knee_to_wall_cm_injured = _measure_field("knee_to_wall_cm_injured")
    knee_to_wall_cm_uninjured = _measure_field("knee_to_wall_cm_uninjured")
    calf_cm_injured = _measure_field("calf_cm_injured")
    calf_cm_uninjured = _measure_field("calf_cm_uninjured")
    toe_walk_5m = _measure_field("toe_walk_5m")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at_home = models.BooleanField(
        _("recorded at home"),
        default=False,
        help_text=_("Recorded by the patient at home (the home measures only), not in a session."),
    )
    client_uuid = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["patient", "date"], name="rehab_meas_patient_date")]
        constraints = [
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (Q(**{f"{name}__isnull": False}) for name in measures.VALUE_FIELDS),
                ),
                name="rehab_measurement_not_empty",
                violation_error_message=_("Enter at least one measurement."),
            ),
            *[_range_constraint(name) for name in measures.NUMERIC_FIELDS],
            _lsi_constraint("heel_rise_reps"),
            _lsi_constraint("heel_rise_height_cm"),
            dates.within_window("date", name="rehab_measurement_date_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.date}"

    def clean(self) -> None:
        measures.validate({name: getattr(self, name) for name in measures.VALUE_FIELDS})

    @property
    def heel_rise_lsi(self) -> float | None:
        """Heel-rise repetitions limb symmetry index: injured ÷ uninjured × 100, in per cent."""
        return measures.lsi(self.heel_rise_reps_injured, self.heel_rise_reps_uninjured)

    @property
    def heel_rise_height_lsi(self) -> float | None:
        """Heel-rise height limb symmetry index, in per cent."""
        return measures.lsi(self.heel_rise_height_cm_injured, self.heel_rise_height_cm_uninjured)

    @property
    def relative_atra(self) -> float | None:
        """Relative ATRA = uninjured − injured, in degrees (clinical.md §3)."""
        return measures.difference(self.atra_deg_injured, self.atra_deg_uninjured)

    @property
    def knee_to_wall_difference(self) -> float | None:
        return measures.difference(self.knee_to_wall_cm_injured, self.knee_to_wall_cm_uninjured)

    @property
    def calf_difference(self) -> float | None:
        return measures.difference(self.calf_cm_injured, self.calf_cm_uninjured)

    def derived(self, code: str) -> float | None:
        """The value an exit criterion tests (``measures.DERIVED``), None if not recorded."""
        if code == "heel_rise_reps_lsi":
            return self.heel_rise_lsi
        if code == "toe_walk_5m":
            return None if self.toe_walk_5m is None else float(self.toe_walk_5m)
        value = getattr(self, code)
        return None if value is None else float(value)

    def recorded_values(self) -> list[tuple[str, Any]]:
        """What this measurement recorded: (label, value) of each value given, in the model's
        field order (the timeline lists them, whatever measurements the model holds): its value
        fields are ``measures.VALUE_FIELDS``, each labelled ``measures.field_label``."""
        return [
            (str(measures.field_label(name)), value)
            for name in measures.VALUE_FIELDS
            if (value := getattr(self, name)) is not None and value != ""
        ]
