"""Writes for the rehab app. Views call one of these; each is atomic and validates first.

Keyword-only, typed arguments. Domain errors are ``django.core.exceptions.ValidationError``
with messages fit to show a user.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Patient, User
from rehab import clinical
from rehab.models import (
    Alert,
    AtrsRequest,
    AtrsResponse,
    CheckIn,
    Exercise,
    ExerciseLog,
    PhaseChange,
    Plan,
    PlanPhase,
    Prescription,
    Protocol,
)

DOSE_FIELDS = ("sets", "reps", "hold_seconds", "times_per_day", "days_per_week", "side")
PHASE_FIELDS = (
    "order",
    "name",
    "start_week",
    "end_week",
    "goals",
    "precautions",
    "weight_bearing",
    "boot",
    "wedges",
    "exit_criteria",
)


@dataclass(frozen=True)
class GuardrailWarning:
    """An exercise placed before its earliest safe week for the pathway."""

    exercise: Exercise
    phase_start_week: int
    earliest_week: int

    @property
    def message(self) -> str:
        return _(
            "%(exercise)s is usually not started before week %(earliest)s on this pathway; "
            "this phase starts in week %(start)s."
        ) % {
            "exercise": self.exercise.name,
            "earliest": self.earliest_week,
            "start": self.phase_start_week,
        }

    @property
    def reason(self) -> str:
        return self.exercise.earliest_week_reason

    @property
    def source(self) -> str:
        return self.exercise.earliest_week_source or self.exercise.source


def guardrail_warning(*, exercise: Exercise, phase: PlanPhase) -> GuardrailWarning | None:
    earliest = exercise.earliest_week_for(phase.plan.pathway)
    if phase.start_week < earliest:
        return GuardrailWarning(
            exercise=exercise, phase_start_week=phase.start_week, earliest_week=earliest
        )
    return None


def _bump_version(plan: Plan, *, expected_version: int | None) -> None:
    """Optimistic concurrency: refuse an edit made against an older version of the plan."""
    rows = Plan.objects.filter(pk=plan.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(version=F("version") + 1)
    if not updated:
        raise ValidationError(
            _(
                "Someone else changed this plan while you were editing it. "
                "Reload the page to see their changes, then make yours again."
            ),
            code="stale_plan",
        )
    plan.refresh_from_db(fields=["version"])


def _ensure_patient_can_have_plan(patient: Patient) -> None:
    if patient.status != Patient.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s is %(status)s; reactivate the patient before planning.")
            % {"name": patient.full_name, "status": patient.get_status_display().lower()},
            code="patient_not_active",
        )


@transaction.atomic
def plan_create_blank(*, patient: Patient, created_by: User | None, name: str = "") -> Plan:
    _ensure_patient_can_have_plan(patient)
    plan = Plan(
        patient=patient,
        name=name or _("Rehabilitation plan"),
        pathway=patient.pathway,
        anchor_date=patient.anchor_date,
        status=Plan.Status.DRAFT,
        created_by=created_by,
    )
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_from_protocol(
    *, patient: Patient, protocol: Protocol, created_by: User | None, name: str = ""
) -> Plan:
    """Copy ``protocol`` into a new draft plan. Later protocol edits never change the copy."""
    _ensure_patient_can_have_plan(patient)
    if protocol.pathway != patient.pathway:
        raise ValidationError(
            _("This template is for the %(protocol)s pathway; the patient is %(patient)s.")
            % {
                "protocol": protocol.get_pathway_display(),
                "patient": patient.get_pathway_display(),
            },
            code="pathway_mismatch",
        )
    plan = Plan(
        patient=patient,
        name=name or protocol.name,
        pathway=patient.pathway,
        anchor_date=patient.anchor_date,
        status=Plan.Status.DRAFT,
        protocol=protocol,
        protocol_version=protocol.version,
        created_by=created_by,
    )
    plan.full_clean()
    plan.save()
    phases = list(protocol.phases.prefetch_related("items__exercise").order_by("order"))
    new_phases = PlanPhase.objects.bulk_create(
        [PlanPhase(plan=plan, **{f: getattr(p, f) for f in PHASE_FIELDS}) for p in phases]
    )
    prescriptions = [
        Prescription(
            phase=new_phase,
            exercise=item.exercise,
            order=item.order,
            note=item.note,
            **{f: getattr(item, f) for f in DOSE_FIELDS},
        )
        for phase, new_phase in zip(phases, new_phases, strict=True)
        for item in phase.items.all()
    ]
    Prescription.objects.bulk_create(prescriptions)
    return plan


def _phase_for_week(plan: Plan, week: int) -> PlanPhase | None:
    phases = list(plan.phases.order_by("order", "pk"))
    for phase in phases:
        if phase.start_week <= week < phase.end_week:
            return phase
    earlier = [p for p in phases if p.start_week <= week]
    if earlier:
        return earlier[-1]
    return phases[0] if phases else None


@transaction.atomic
def plan_activate(
    *, plan: Plan, activated_by: User | None, expected_version: int | None = None
) -> Plan:
    """Make a draft plan the patient's active plan, starting at the phase for today's week."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _ensure_patient_can_have_plan(plan.patient)
    if plan.status == Plan.Status.ACTIVE:
        return plan
    missing = [
        rx
        for rx in Prescription.objects.filter(phase__plan=plan, retired_at__isnull=True)
        .select_related("exercise", "phase", "phase__plan")
        .filter(guardrail_reason="")
        if guardrail_warning(exercise=rx.exercise, phase=rx.phase)
    ]
    if missing:
        raise ValidationError(
            _("Give a reason for each exercise placed before its earliest safe week: %(names)s.")
            % {"names": ", ".join(rx.exercise.name for rx in missing)},
            code="guardrail_reason_missing",
        )
    if not plan.phases.exists():
        raise ValidationError(_("Add at least one phase before activating the plan."))
    today = plan.patient.local_today()
    current = _phase_for_week(plan, plan.week_on(today))
    _bump_version(plan, expected_version=expected_version)
    plan.status = Plan.Status.ACTIVE
    plan.activated_at = timezone.now()
    plan.current_phase = current
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "activated_at", "current_phase", "updated_at"])
    except IntegrityError:
        raise ValidationError(
            _("This patient already has an active plan; complete it first."),
            code="already_active",
        ) from None
    if current is not None:
        PlanPhase.objects.filter(pk=current.pk).update(started_on=today)
        PhaseChange.objects.create(
            plan=plan,
            from_phase=None,
            to_phase=current,
            changed_by=activated_by,
            effective_on=today,
        )
    return plan


@transaction.atomic
def plan_set_phase(
    *,
    plan: Plan,
    phase: PlanPhase,
    changed_by: User | None,
    expected_version: int | None = None,
) -> Plan:
    """Move the plan to ``phase`` (forward or back) from today; records who and when."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if phase.plan_id != plan.pk:
        raise ValidationError(_("That phase belongs to another plan."))
    if plan.current_phase_id == phase.pk:
        return plan
    _bump_version(plan, expected_version=expected_version)
    today = plan.patient.local_today()
    PhaseChange.objects.create(
        plan=plan,
        from_phase_id=plan.current_phase_id,
        to_phase=phase,
        changed_by=changed_by,
        effective_on=today,
    )
    plan.current_phase = phase
    plan.save(update_fields=["current_phase", "updated_at"])
    PlanPhase.objects.filter(pk=phase.pk).update(started_on=today)
    return plan


def plan_advance_phase(
    *, plan: Plan, changed_by: User | None, expected_version: int | None = None
) -> Plan:
    phases = list(plan.phases.order_by("order", "pk"))
    ids = [p.pk for p in phases]
    if plan.current_phase_id not in ids:
        raise ValidationError(_("The plan has no current phase; activate it first."))
    index = ids.index(plan.current_phase_id)
    if index + 1 >= len(phases):
        raise ValidationError(_("This is the last phase; there is no next phase."))
    return plan_set_phase(
        plan=plan, phase=phases[index + 1], changed_by=changed_by, expected_version=expected_version
    )


def plan_previous_phase(
    *, plan: Plan, changed_by: User | None, expected_version: int | None = None
) -> Plan:
    phases = list(plan.phases.order_by("order", "pk"))
    ids = [p.pk for p in phases]
    if plan.current_phase_id not in ids:
        raise ValidationError(_("The plan has no current phase; activate it first."))
    index = ids.index(plan.current_phase_id)
    if index == 0:
        raise ValidationError(_("This is the first phase; there is no earlier phase."))
    return plan_set_phase(
        plan=plan, phase=phases[index - 1], changed_by=changed_by, expected_version=expected_version
    )


@transaction.atomic
def prescription_add(
    *,
    phase: PlanPhase,
    exercise: Exercise,
    guardrail_reason: str = "",
    dose: dict[str, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Prescription:
    """Add ``exercise`` to ``phase`` at its default dose (or ``dose``).

    An exercise placed before its earliest safe week needs a ``guardrail_reason``.
    """
    warning = guardrail_warning(exercise=exercise, phase=phase)
    if warning and not guardrail_reason.strip():
        raise ValidationError(
            {"guardrail_reason": warning.message + " " + _("Give a reason to keep it here.")},
            code="guardrail_reason_missing",
        )
    _bump_version(phase.plan, expected_version=expected_version)
    next_order = (phase.prescriptions.aggregate(m=Max("order"))["m"] or 0) + 1
    values: dict[str, Any] = {
        "sets": exercise.default_sets,
        "reps": exercise.default_reps,
        "hold_seconds": exercise.default_hold_seconds,
        "times_per_day": exercise.default_times_per_day,
        "days_per_week": exercise.default_days_per_week,
        "side": exercise.side,
    }
    values.update(dose or {})
    rx = Prescription(
        phase=phase,
        exercise=exercise,
        order=next_order,
        note=note,
        guardrail_reason=guardrail_reason.strip() if warning else "",
        **values,
    )
    rx.full_clean()
    rx.save()
    return rx


@transaction.atomic
def prescription_remove(*, prescription: Prescription, expected_version: int | None = None) -> bool:
    """Remove a prescription. One with logs is retired (logs kept); returns True if deleted."""
    _bump_version(prescription.phase.plan, expected_version=expected_version)
    if prescription.logs.exists():
        prescription.retired_at = timezone.now()
        prescription.save(update_fields=["retired_at", "updated_at"])
        return False
    prescription.delete()
    return True


# --- What patients log -------------------------------------------------------------------


def _raise_pain_alert(*, patient: Patient, pain: int | None, where: str, **links: Any) -> None:
    if pain is not None and pain >= clinical.ALERT_PAIN_THRESHOLD:
        Alert.objects.create(
            patient=patient,
            kind=Alert.Kind.HIGH_PAIN,
            message=_("Pain %(pain)s/10 reported on %(where)s.") % {"pain": pain, "where": where},
            **links,
        )


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
    """Store what the patient did. A repeat of the same ``client_uuid`` returns the stored row.

    Returns ``(log, created)``.
    """
    existing = ExerciseLog.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.patient_id != patient.pk:
            raise ValidationError({"client_uuid": _("This id is already in use.")})
        return existing, False
    today = patient.local_today()
    date = date or today
    if date > today:
        raise ValidationError({"date": _("You cannot log an exercise for a future day.")})
    plan = prescription.phase.plan
    if (
        plan.patient_id != patient.pk
        or plan.status != Plan.Status.ACTIVE
        or prescription.retired_at is not None
    ):
        raise ValidationError({"prescription": _("This exercise is not part of your active plan.")})
    log = ExerciseLog(
        patient=patient,
        prescription=prescription,
        client_uuid=client_uuid,
        date=date,
        sets_done=sets_done,
        reps=reps,
        hold_seconds=hold_seconds,
        pain=pain,
        effort=effort,
        note=note,
    )
    log.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError:
        # A concurrent request with the same client id won the race: return its row.
        return ExerciseLog.objects.get(client_uuid=client_uuid, patient=patient), False
    _raise_pain_alert(patient=patient, pain=pain, where=_("an exercise log"), log=log)
    return log, True


@transaction.atomic
def log_update(*, log: ExerciseLog, **changes: Any) -> ExerciseLog:
    """Edit a log on the day it was made (in the patient's time zone)."""
    if log.date != log.patient.local_today():
        raise ValidationError(_("Only today's entries can be changed."))
    allowed = {"sets_done", "reps", "hold_seconds", "pain", "effort", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    old_pain = log.pain
    for field, value in changes.items():
        setattr(log, field, value)
    log.full_clean(validate_unique=False)
    log.save(update_fields=[*changes, "updated_at"])
    if log.pain != old_pain:
        _raise_pain_alert(patient=log.patient, pain=log.pain, where=_("an exercise log"), log=log)
    return log


@transaction.atomic
def log_undo(*, log: ExerciseLog) -> None:
    """Undo a tick made today by mistake. Earlier days' logs are never deleted."""
    if log.date != log.patient.local_today():
        raise ValidationError(_("Only today's entries can be undone."))
    Alert.objects.filter(log=log).update(log=None)
    log.delete()


@transaction.atomic
def checkin_record(
    *,
    patient: Patient,
    client_uuid: uuid.UUID,
    pain_at_rest: int,
    swelling: str,
    red_flags: list[str] | tuple[str, ...] = (),
    note: str = "",
    date: dt.date | None = None,
) -> tuple[CheckIn, bool]:
    """The daily check-in. Red flags and pain ≥ 7 raise alerts. One per day (same-day resubmit
    updates it)."""
    existing = CheckIn.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.patient_id != patient.pk:
            raise ValidationError({"client_uuid": _("This id is already in use.")})
        return existing, False
    unknown = set(red_flags) - set(clinical.RED_FLAG_CODES)
    if unknown:
        raise ValidationError({"red_flags": _("Unknown red flag: %s") % ", ".join(sorted(unknown))})
    today = patient.local_today()
    date = date or today
    if date > today:
        raise ValidationError({"date": _("You cannot check in for a future day.")})
    flags = {f"flag_{code}": code in red_flags for code in clinical.RED_FLAG_CODES}
    checkin = CheckIn.objects.filter(patient=patient, date=date).first()
    created = checkin is None
    if checkin is None:
        checkin = CheckIn(patient=patient, date=date, client_uuid=client_uuid)
    previous_flags = {code for code in clinical.RED_FLAG_CODES if getattr(checkin, f"flag_{code}")}
    previous_pain = None if created else checkin.pain_at_rest
    checkin.pain_at_rest = pain_at_rest
    checkin.swelling = swelling
    checkin.note = note
    for field, value in flags.items():
        setattr(checkin, field, value)
    checkin.full_clean(validate_unique=False)
    checkin.save()
    for flag in checkin.red_flags:
        if flag.code not in previous_flags:
            Alert.objects.create(
                patient=patient,
                kind=Alert.Kind.RED_FLAG,
                code=flag.code,
                message=str(flag.question),
                checkin=checkin,
            )
    if previous_pain is None or previous_pain < clinical.ALERT_PAIN_THRESHOLD:
        _raise_pain_alert(
            patient=patient, pain=pain_at_rest, where=_("the daily check-in"), checkin=checkin
        )
    return checkin, created


@transaction.atomic
def atrs_record(
    *,
    patient: Patient,
    client_uuid: uuid.UUID,
    items: dict[str, int],
    date: dt.date | None = None,
) -> tuple[AtrsResponse, bool]:
    """Store an ATRS response; the total is computed here, never taken from the client."""
    existing = AtrsResponse.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.patient_id != patient.pk:
            raise ValidationError({"client_uuid": _("This id is already in use.")})
        return existing, False
    missing = [name for name in AtrsResponse.ITEM_FIELDS if items.get(name) is None]
    if missing:
        raise ValidationError(
            {name: _("Answer this question (0–10).") for name in missing}, code="atrs_missing"
        )
    response = AtrsResponse(
        patient=patient,
        client_uuid=client_uuid,
        date=date or patient.local_today(),
        total=0,
        **{name: items[name] for name in AtrsResponse.ITEM_FIELDS},
    )
    response.full_clean(exclude=["total"], validate_unique=False)
    response.total = response.compute_total()
    response.save()
    AtrsRequest.objects.filter(patient=patient, response__isnull=True).update(response=response)
    return response, True


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert
