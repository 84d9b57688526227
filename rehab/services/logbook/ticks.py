"""Exercise ticks: a patient logs what they did (in their plan's phase in force that day, not
before the exercise was prescribed; not while a red flag's hold has paused it; never of advice
to read, which has nothing to do), and changes or undoes it the same day."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab import clinical
from rehab.models.alerts import Alert
from rehab.models.logbook import ExerciseLog
from rehab.models.plans import PhaseChange, Plan, Prescription
from rehab.services.logbook.rules import (
    _alerts_pain,
    _ensure_in_care,
    _raise_pain_alert,
    _record_date,
    plan_paused_error,
)
from rehab.services.logbook.storing import save_once, stored_once


def _phase_in_force(plan: Plan, day: dt.date) -> int | None:
    """The id of the plan's phase in force on ``day`` (its last phase change by then, else
    its current phase). One query."""
    change = (
        PhaseChange.objects.filter(plan=plan, effective_on__lte=day)
        .order_by("-effective_on", "-changed_at", "-pk")
        .values_list("to_phase_id", flat=True)
        .first()
    )
    return change if change is not None else plan.current_phase_id


def _log_where(prescription: Prescription) -> str:
    return _("the exercise log of %(exercise)s") % {"exercise": prescription.exercise.name}


@transaction.atomic
def log_record(
    *,
    patient: Patient,
    prescription: Prescription,
    client_uuid: uuid.UUID,
    date: dt.date | None = None,
    sets_done: int = 1,
    reps: int | None = None,
    hold_seconds: int | None = None,
    pain: int | None = None,
    effort: int | None = None,
    note: str = "",
) -> tuple[ExerciseLog, bool]:
    """Store what the patient did. A repeat of the same ``client_uuid`` returns the stored row
    (even if the plan has changed since the first try).

    Returns ``(log, created)``; a pain score at the alert threshold writes the alert with it.
    """
    try:
        date = _record_date(
            date, patient=patient, future=_("You cannot log an exercise for a future day.")
        )
        _ensure_in_care(patient)
        plan = prescription.phase.plan
        ours, paused = plan.patient_id == patient.pk, plan.status == Plan.Status.PAUSED
        if ours and paused and _paused_by(plan, patient=patient, day=date):
            raise plan_paused_error()
        if (
            not ours
            or not (paused or plan.status == Plan.Status.ACTIVE)
            or _retired_by(prescription, patient=patient, day=date)
        ):
            raise ValidationError(
                {
                    "prescription": ValidationError(
                        _("This exercise is not part of your active plan."), code="not_in_plan"
                    )
                }
            )
        if prescription.is_advice:
            raise ValidationError(
                {
                    "prescription": ValidationError(
                        _("This is advice to read: there is nothing to tick."), code="advice"
                    )
                }
            )
        if date < plan.anchor_date:
            raise ValidationError(
                {
                    "date": ValidationError(
                        _("This day is before your plan started; choose a later day."),
                        code="before_plan_start",
                    )
                }
            )
        if date < _prescribed_on(prescription, patient=patient):
            raise ValidationError(
                {
                    "date": ValidationError(
                        _(
                            "This exercise was not in your plan yet on that day; choose a "
                            "later day."
                        ),
                        code="before_prescribed",
                    )
                }
            )
        # Today, the current phase is in force (a move takes effect from today): no query.
        in_force = (
            plan.current_phase_id if date == patient.local_today() else _phase_in_force(plan, date)
        )
        if in_force != prescription.phase_id:
            raise ValidationError(
                {
                    "prescription": ValidationError(
                        _(
                            "This exercise belongs to a phase of your plan that has not "
                            "started on that day; your physiotherapist will move you on."
                        ),
                        code="phase_not_started",
                    )
                }
            )
        log = ExerciseLog(
            patient=patient,
            prescription=prescription,
            client_uuid=client_uuid,
            date=date,
            sets_done=sets_done,
            # The sets in force on its day: a past day's tick, sent late by a phone that was
            # offline, is judged by that day's sets, not by a dose raised since.
            sets_prescribed=prescription.sets_on(date),
            reps=reps,
            hold_seconds=hold_seconds,
            pain=pain,
            effort=effort,
            note=note,
        )
        return save_once(
            log,
            read=("patient", "prescription"),
            then=(
                (
                    lambda row: _raise_pain_alert(
                        patient=patient, pain=pain, where=_log_where(prescription), log=row
                    )
                )
                if _alerts_pain(pain)
                else None
            ),
        )
    except ValidationError:
        existing = stored_once(ExerciseLog, patient=patient, client_uuid=client_uuid)
        if existing is not None:
            return existing, False
        raise


def _prescribed_on(prescription: Prescription, *, patient: Patient) -> dt.date:
    """The day (the patient's) the exercise was added to the plan: the first day it can be
    ticked. A prescription added today is ticked today."""
    return prescription.created_at.astimezone(patient.tz).date()


def _retired_by(prescription: Prescription, *, patient: Patient, day: dt.date) -> bool:
    """Whether ``prescription`` was retired from the plan by ``day`` (the patient's). A tick of
    an earlier day, when it was still prescribed, sent late by a phone that was offline while
    the physiotherapist changed the plan, is stored: it says what was done that day (adherence
    counts it the same way: ``selectors.adherence``)."""
    retired = prescription.retired_at
    return retired is not None and retired.astimezone(patient.tz).date() <= day


def _paused_by(plan: Plan, *, patient: Patient, day: dt.date) -> bool:
    """Whether the red flag's hold on ``plan`` had begun by ``day`` (the patient's). A tick of
    an earlier day, sent late by a phone that was offline, says what was done before the red
    flag: it is stored, as every record of the past is."""
    started = (
        plan.holds.filter(resumed_at__isnull=True).values_list("started_at", flat=True).first()
    )
    return started is None or started.astimezone(patient.tz).date() <= day


# What a tick says was done: changing it is exercising, which a paused plan does not allow.
DONE_FIELDS = frozenset({"sets_done", "reps", "hold_seconds"})


def _plan_paused(patient: Patient) -> bool:
    return Plan.objects.filter(patient=patient, status=Plan.Status.PAUSED).exists()


@transaction.atomic
def log_update(*, log: ExerciseLog, **changes: Any) -> ExerciseLog:
    """Edit a log on the day it was made (in the patient's time zone). Once care has ended the
    record is read-only; while a red flag pauses the plan, how it felt (pain, effort, note)
    may still be told, but not more done (sets, reps, hold)."""
    if log.date != log.patient.local_today():
        raise ValidationError(_("Only today's entries can be changed."), code="not_today")
    allowed = {"sets_done", "reps", "hold_seconds", "pain", "effort", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    _ensure_in_care(log.patient)
    more_done = any(changes[f] != getattr(log, f) for f in DONE_FIELDS & set(changes))
    if more_done and _plan_paused(log.patient):
        raise plan_paused_error()
    old_pain = log.pain
    for field, value in changes.items():
        setattr(log, field, value)
    log.full_clean(validate_unique=False)
    log.save(update_fields=[*changes, "updated_at"])
    # One alert per crossing of the threshold: 8 → 9 on the same log raises nothing new.
    if old_pain is None or old_pain < clinical.ALERT_PAIN_THRESHOLD:
        _raise_pain_alert(
            patient=log.patient, pain=log.pain, where=_log_where(log.prescription), log=log
        )
    return log


@transaction.atomic
def log_undo(*, log: ExerciseLog) -> None:
    """Undo a tick made today by mistake. Earlier days' logs are never deleted, nor any once
    care has ended or while a red flag pauses the plan (the clinician reviews the day as it
    was reported)."""
    if log.date != log.patient.local_today():
        raise ValidationError(_("Only today's entries can be undone."), code="not_today")
    _ensure_in_care(log.patient)
    if _plan_paused(log.patient):
        raise plan_paused_error()
    Alert.objects.filter(log=log).update(log=None)
    log.delete()
