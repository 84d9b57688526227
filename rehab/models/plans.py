"""A patient's own plan: its phases, their prescriptions, and who moved it between phases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Patient
from core import dates
from core.resubmit import client_uuid_field, client_uuid_once
from core.validators import validate_visible
from rehab.models.doses import DoseFields
from rehab.models.library import Exercise, Pathway
from rehab.models.media import MediaFields
from rehab.models.protocols import PhaseFields, Protocol

# ``Plan.due_days_anchor`` in a query (``values_list(..., DUE_DAYS_ANCHOR)``).
DUE_DAYS_ANCHOR = Coalesce("due_days_from", "anchor_date")


# ``Prescription.earlier_doses`` in a query, NULL (None: neither sent nor decoded) for a
# prescription that has none, as most have (``annotate(earlier=EARLIER_DOSES_IF_ANY)``).
EARLIER_DOSES_IF_ANY = Case(When(~Q(earlier_doses=[]), then=F("earlier_doses")))


# A prescription that prescribes sessions (an exercise, not advice to read:
# ``Exercise.is_advice``), as a filter of prescriptions: what adherence and reminders count.
COUNTS_AS_SESSION = ~Q(exercise__category=Exercise.Category.EDUCATION)


# What a patient reads as the name of a plan named after its template.
PLAIN_PLAN_NAME = _("Your recovery plan")


class Plan(models.Model):
    """A patient's own plan: a copy of a protocol (or built from scratch)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused (red flag)")
        COMPLETED = "completed", _("Completed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(_("name"), max_length=200, validators=[validate_visible])
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    anchor_date = models.DateField(
        _("anchor date"), help_text=_("Week 0 starts here: the surgery date, else the injury date.")
    )
    # A prescription of fewer than 7 days a week is due on the same days of each week, counted
    # from the anchor date (``selectors.today.due_weekdays``). A corrected surgery or injury date
    # re-dates a plan in care (``services.course.plans_follow_anchor``) but must not move the days
    # the patient was already asked to exercise: the old anchor date is kept here then.
    due_days_from = models.DateField(
        _("due days counted from"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set when the anchor date is corrected: the weekly due days stay as they were."
        ),
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
    # Made by the new-plan page (or an API client) once: the same page sent again, however
    # late, finds this plan instead of adding a second (``services.plans.plan_draft``). Null
    # from a client that sends none (then only the same draft within seconds is a repeat).
    client_uuid = client_uuid_field(
        _(
            "Made by the form (or an API client) once per new plan: sent again, "
            "it finds this plan instead of adding a second."
        )
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                # A paused plan is still the patient's plan: exercise waits for a review.
                condition=Q(status__in=["active", "paused"]),
                name="rehab_plan_one_active_per_patient",
                violation_error_message=_("This patient already has an active plan."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "paused", "completed"]),
                name="rehab_plan_status_valid",
            ),
            dates.within_window("anchor_date", name="rehab_plan_anchor_date_plausible"),
            client_uuid_once("rehab_plan_client_uuid_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.patient}"

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.PAUSED

    @property
    def patient_display_name(self) -> str:
        """The plan's name a patient reads. A plan made from a template is named after it
        (``services.plans.plan_from_protocol``) unless the clinician names it: a template's
        name is the clinician's (exact terms, sometimes a source), so the patient reads a plain
        one (``PLAIN_PLAN_NAME``); a name the clinician gave the plan is theirs to show. Reads
        the template (read it with the plan: ``select_related("protocol")``)."""
        template = self.protocol if self.protocol_id is not None else None
        if template is not None and self.name.strip() == template.name.strip():
            return str(PLAIN_PLAN_NAME)
        return self.name

    @property
    def in_care(self) -> bool:
        """The plan the patient follows: active, or paused until a clinician's review."""
        return self.status in (self.Status.ACTIVE, self.Status.PAUSED)

    @property
    def due_days_anchor(self) -> dt.date:
        """The day the weekly due days are counted from (``due_days_from``); in a query,
        ``DUE_DAYS_ANCHOR``."""
        return self.due_days_from or self.anchor_date

    def date_of_week(self, week: int) -> dt.date:
        return self.anchor_date + dt.timedelta(weeks=week)

    def week_on(self, day: dt.date) -> int:
        return (day - self.anchor_date).days // 7

    def ordered_phases(self) -> list[PlanPhase]:
        """The plan's phases in order, each knowing its plan (its dates need no query)."""
        phases = list(self.phases.order_by("order", "pk"))
        for phase in phases:
            phase.plan = self
        return phases


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


class PrescriptionQuerySet(models.QuerySet["Prescription"]):
    def live(self) -> PrescriptionQuerySet:
        """Those not retired (``Prescription.is_retired``): what the plan asks of the patient;
        a retired one is kept for its logs."""
        return self.filter(retired_at__isnull=True)


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
    # The doses it had before (``record_dose_change``), oldest first: each {"until":
    # "YYYY-MM-DD", "times_per_day": n, "days_per_week": n, "sets": n}, in force up to (not on)
    # that day of the patient's. Adherence judges each past day by the daily dose of that day
    # (``dose_on``), a late tick of a past day is judged by its sets (``sets_on``). Entries kept
    # before the sets were kept with them have no "sets".
    earlier_doses = models.JSONField(_("earlier doses"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PrescriptionQuerySet.as_manager()

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
    def placed_early(self) -> bool:
        """The clinician chose to start it before its usual week (they recorded why)."""
        return bool(self.guardrail_reason.strip())

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def is_advice(self) -> bool:
        """Its exercise is advice to read (``Exercise.is_advice``); read the exercise with it
        (``select_related("exercise")``)."""
        return self.exercise_id is not None and self.exercise.is_advice

    def record_dose_change(
        self, *, sets: int, times_per_day: int, days_per_week: int, on: dt.date
    ) -> None:
        """Keep the dose in force before ``on`` (the patient's day a new one starts) in
        ``earlier_doses``, when its sets or its daily dose change and it was in force before
        that day. A second change the same day keeps the dose of the days before it."""
        if (sets, times_per_day, days_per_week) == (
            self.sets,
            self.times_per_day,
            self.days_per_week,
        ):
            return
        if self.earlier_doses and self.earlier_doses[-1]["until"] >= on.isoformat():
            return
        self.earlier_doses = [
            *self.earlier_doses,
            {
                "until": on.isoformat(),
                "times_per_day": self.times_per_day,
                "days_per_week": self.days_per_week,
                "sets": self.sets,
            },
        ]

    def sets_on(self, day: dt.date) -> int:
        """The sets in force on ``day`` (the patient's): those of the first earlier dose that
        ran past it, else the current ones. A log of that day is judged by them
        (``ExerciseLog.sets_prescribed``), however late it reaches the server.

        An entry kept before the sets were kept with the daily dose has no "sets": the sets of
        that day are not known, and the nearest known are those in force when they began to be
        kept: the first later entry's that has them, else the current ones."""
        for dose in self.earlier_doses:
            if day.isoformat() < dose["until"] and "sets" in dose:
                return int(dose["sets"])
        return self.sets


def dose_on(
    day: dt.date, times_per_day: int, days_per_week: int, earlier: Sequence[Mapping[str, Any]]
) -> tuple[int, int]:
    """(times a day, days a week) in force on ``day``: the first earlier dose that ran past it,
    else the current one (``Prescription.earlier_doses``)."""
    for dose in earlier:
        if day.isoformat() < dose["until"]:
            return dose["times_per_day"], dose["days_per_week"]
    return times_per_day, days_per_week


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


class PrescriptionMedia(MediaFields):
    """A photo or video a clinician made for one patient's prescription (filmed in the
    session): only that patient and their clinic see it."""

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="media")

    class Meta(MediaFields.Meta):
        verbose_name = _("patient's photo or video")
        verbose_name_plural = _("patients' photos and videos")

    def storage_folder(self) -> str:
        return "patients"


class PlanEdit(models.Model):
    """One change made in the plan builder: the plan's version it made, who made it, when, and
    what it changed, in words kept as they were then (a removed phase or exercise keeps its
    name here). A save refused because the plan changed meanwhile says what these were."""

    class Action(models.TextChoices):
        RENAME = "rename", _("Plan renamed")
        PHASE_ADD = "phase_add", _("Phase added")
        PHASE_EDIT = "phase_edit", _("Phase changed")
        PHASE_REMOVE = "phase_remove", _("Phase removed")
        PHASE_MOVE = "phase_move", _("Phase moved")
        RX_ADD = "rx_add", _("Exercise added")
        RX_EDIT = "rx_edit", _("Dose changed")
        RX_REMOVE = "rx_remove", _("Exercise removed")
        RX_MOVE = "rx_move", _("Exercise moved")
        RX_MOVE_PHASE = "rx_move_phase", _("Exercise moved to another phase")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="edits")
    version = models.PositiveIntegerField(_("version made"))
    action = models.CharField(_("change"), max_length=20, choices=Action)
    phase = models.ForeignKey(
        PlanPhase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phase_name = models.CharField(_("phase"), max_length=150, blank=True)
    exercise_name = models.CharField(_("exercise"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("plan edit")
        verbose_name_plural = _("plan edits")
        ordering = ["plan", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "version"], name="rehab_planedit_one_a_version"
            ),
            models.CheckConstraint(
                condition=Q(
                    action__in=[
                        "rename",
                        "phase_add",
                        "phase_edit",
                        "phase_remove",
                        "phase_move",
                        "rx_add",
                        "rx_edit",
                        "rx_remove",
                        "rx_move",
                        "rx_move_phase",
                    ]
                ),
                name="rehab_planedit_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.version}: {self.get_action_display()}"
