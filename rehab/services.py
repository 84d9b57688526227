"""Writes for the rehab app. Views call one of these; each is atomic and validates first.

Keyword-only, typed arguments. Domain errors are ``django.core.exceptions.ValidationError``
with messages fit to show a user.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Patient, User
from rehab import clinical, pagecache
from rehab.models import (
    Alert,
    AtrsRequest,
    AtrsResponse,
    CheckIn,
    Exercise,
    ExerciseLog,
    Measurement,
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


def earliest_week_warning(
    *, exercise: Exercise, pathway: str, start_week: int
) -> GuardrailWarning | None:
    """The warning for ``exercise`` in a phase starting in ``start_week`` on ``pathway``."""
    earliest = exercise.earliest_week_for(pathway)
    if start_week < earliest:
        return GuardrailWarning(
            exercise=exercise, phase_start_week=start_week, earliest_week=earliest
        )
    return None


def guardrail_warning(*, exercise: Exercise, phase: PlanPhase) -> GuardrailWarning | None:
    return earliest_week_warning(
        exercise=exercise, pathway=phase.plan.pathway, start_week=phase.start_week
    )


def guardrail_reasons_needed(
    *,
    prescriptions: Iterable[Prescription],
    pathway: str,
    start_week: int,
    old_start_week: int,
) -> list[tuple[Prescription, GuardrailWarning]]:
    """The live prescriptions of a phase that need a (fresh) reason at ``start_week``.

    Moving a phase's start earlier re-checks every exercise in it: each one that then starts
    before its earliest safe week needs its reason confirmed, even if it had one. Otherwise
    only the exercises that warn and have no reason yet need one.
    """
    needed = []
    for rx in prescriptions:
        if rx.retired_at is not None:
            continue
        warning = earliest_week_warning(
            exercise=rx.exercise, pathway=pathway, start_week=start_week
        )
        if warning and (start_week < old_start_week or not rx.guardrail_reason.strip()):
            needed.append((rx, warning))
    return needed


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
    pagecache.patient_changed(plan.patient_id)  # every plan edit passes here
    plan.refresh_from_db(fields=["version"])


def _ensure_patient_can_have_plan(patient: Patient) -> None:
    if patient.status != Patient.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s is %(status)s; reactivate the patient before planning.")
            % {"name": patient.full_name, "status": patient.get_status_display().lower()},
            code="patient_not_active",
        )


_PENDING_VERSIONS: ContextVar[list[tuple[Plan, int]] | None] = ContextVar(
    "pending_plan_versions", default=None
)


def _edits_plan[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Run a plan-editing service in a transaction. Only if it succeeds does the caller's plan
    object take the new version (so a refused edit leaves it as it was, like the database)."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        pending: list[tuple[Plan, int]] = []
        token = _PENDING_VERSIONS.set(pending)
        try:
            with transaction.atomic():
                result = service(*args, **kwargs)
        finally:
            _PENDING_VERSIONS.reset(token)
        for plan, version in pending:
            plan.version = version
        return result

    return wrapper


def _begin_edit(plan: Plan, *, expected_version: int | None) -> Plan:
    """Lock the plan, refuse an edit to a completed plan or an older version, bump the version.

    Returns the locked plan. ``plan`` itself shows the new version once the edit has succeeded.
    """
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.status == Plan.Status.COMPLETED:
        raise ValidationError(
            _("This plan is completed; it can no longer be changed."), code="plan_completed"
        )
    _bump_version(locked, expected_version=expected_version)
    pending = _PENDING_VERSIONS.get()
    if pending is None:
        plan.version = locked.version
    else:
        pending.append((plan, locked.version))
    return locked


# A second identical draft asked for within this time is a double-submitted form.
DUPLICATE_PLAN_WINDOW = dt.timedelta(seconds=30)


def _recent_duplicate_draft(
    *, patient: Patient, protocol: Protocol | None, created_by: User | None, name: str
) -> Plan | None:
    """The untouched draft this same request made moments ago, if any (a double click).

    Locks the patient row first, so that on PostgreSQL two simultaneous submits are handled
    one after the other and the second finds the first's plan.
    """
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))
    return (
        Plan.objects.filter(
            patient=patient,
            status=Plan.Status.DRAFT,
            protocol=protocol,
            created_by=created_by,
            name=name,
            version=1,
            created_at__gte=timezone.now() - DUPLICATE_PLAN_WINDOW,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def plan_create_blank(*, patient: Patient, created_by: User | None, name: str = "") -> Plan:
    """A new empty draft plan. Asked for twice within seconds, returns the first one."""
    _ensure_patient_can_have_plan(patient)
    name = name.strip() or _("Rehabilitation plan")
    duplicate = _recent_duplicate_draft(
        patient=patient, protocol=None, created_by=created_by, name=name
    )
    if duplicate is not None:
        return duplicate
    plan = Plan(
        patient=patient,
        name=name,
        pathway=patient.pathway,
        anchor_date=patient.anchor_date,
        status=Plan.Status.DRAFT,
        created_by=created_by,
    )
    plan.full_clean(exclude=["created_by"])  # optional: None for a seeded plan
    plan.save()
    return plan


def plan_create(
    *, patient: Patient, protocol: Protocol | None, created_by: User | None, name: str = ""
) -> Plan:
    """A new draft plan for ``patient``: a copy of ``protocol``, or blank if there is none."""
    if protocol is None:
        return plan_create_blank(patient=patient, created_by=created_by, name=name)
    return plan_from_protocol(patient=patient, protocol=protocol, created_by=created_by, name=name)


@transaction.atomic
def plan_from_protocol(
    *, patient: Patient, protocol: Protocol, created_by: User | None, name: str = ""
) -> Plan:
    """Copy ``protocol`` into a new draft plan. Later protocol edits never change the copy.

    Asked for twice within seconds (a double-submitted form), returns the first plan.
    """
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
    name = name.strip() or protocol.name
    duplicate = _recent_duplicate_draft(
        patient=patient, protocol=protocol, created_by=created_by, name=name
    )
    if duplicate is not None:
        return duplicate
    plan = Plan(
        patient=patient,
        name=name,
        pathway=patient.pathway,
        anchor_date=patient.anchor_date,
        status=Plan.Status.DRAFT,
        protocol=protocol,
        protocol_version=protocol.version,
        created_by=created_by,
    )
    plan.full_clean(exclude=["created_by"])  # optional: None for a seeded plan
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


@_edits_plan
def prescription_add(
    *,
    phase: PlanPhase,
    exercise: Exercise,
    guardrail_reason: str = "",
    dose: dict[str, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Prescription:
    """Add ``exercise`` to ``phase`` at its default dose (or ``dose``), last in the phase.

    An exercise placed before its earliest safe week needs a ``guardrail_reason``.
    """
    plan = _begin_edit(phase.plan, expected_version=expected_version)
    phase = PlanPhase.objects.get(pk=phase.pk, plan=plan)
    phase.plan = plan
    warning = guardrail_warning(exercise=exercise, phase=phase)
    if warning and not guardrail_reason.strip():
        raise ValidationError(
            {"guardrail_reason": warning.message + " " + _("Give a reason to keep it here.")},
            code="guardrail_reason_missing",
        )
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


@_edits_plan
def prescription_remove(*, prescription: Prescription, expected_version: int | None = None) -> bool:
    """Remove a prescription. One with logs is retired (logs kept); returns True if deleted."""
    _begin_edit(prescription.phase.plan, expected_version=expected_version)
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if prescription.logs.exists():
        if prescription.retired_at is None:
            prescription.retired_at = timezone.now()
            prescription.save(update_fields=["retired_at", "updated_at"])
        return False
    prescription.delete()
    return True


# --- Editing a plan: its name, phases and prescriptions ------------------------------------
#
# Every edit takes the ``expected_version`` the editor's page showed; an edit against an older
# version is refused ("Someone else changed this plan…") and nothing is saved.

PHASE_EDIT_FIELDS = tuple(f for f in PHASE_FIELDS if f != "order")
UP = "up"
DOWN = "down"


def _swap_and_renumber[T: (PlanPhase, Prescription)](
    items: list[T], *, item: T, direction: str, first_msg: str, last_msg: str
) -> None:
    """Move ``item`` one place up or down in ``items`` and renumber ``order`` from 1."""
    ids = [i.pk for i in items]
    index = ids.index(item.pk)
    target = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN):
        raise ValidationError(_("Choose up or down."), code="bad_direction")
    if target < 0:
        raise ValidationError(first_msg, code="already_first")
    if target >= len(items):
        raise ValidationError(last_msg, code="already_last")
    items[index], items[target] = items[target], items[index]
    for number, each in enumerate(items, start=1):
        each.order = number
    type(item).objects.bulk_update(items, ["order"])


@_edits_plan
def plan_rename(*, plan: Plan, name: str, expected_version: int | None) -> Plan:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the plan a name.")}, code="required")
    locked = _begin_edit(plan, expected_version=expected_version)
    locked.name = name
    locked.full_clean(exclude=["created_by"], validate_constraints=False)
    locked.save(update_fields=["name", "updated_at"])
    return locked


@_edits_plan
def phase_add(
    *,
    plan: Plan,
    name: str,
    start_week: int,
    end_week: int,
    goals: str = "",
    precautions: str = "",
    weight_bearing: str = "",
    boot: str = "",
    wedges: str = "",
    exit_criteria: str = "",
    expected_version: int | None,
) -> PlanPhase:
    """Add a phase at the end of the plan."""
    locked = _begin_edit(plan, expected_version=expected_version)
    next_order = (locked.phases.aggregate(m=Max("order"))["m"] or 0) + 1
    phase = PlanPhase(
        plan=locked,
        order=next_order,
        name=name.strip(),
        start_week=start_week,
        end_week=end_week,
        goals=goals,
        precautions=precautions,
        weight_bearing=weight_bearing,
        boot=boot,
        wedges=wedges,
        exit_criteria=exit_criteria,
    )
    phase.full_clean()
    phase.save()
    return phase


@_edits_plan
def phase_update(
    *,
    phase: PlanPhase,
    name: str,
    start_week: int,
    end_week: int,
    goals: str = "",
    precautions: str = "",
    weight_bearing: str = "",
    boot: str = "",
    wedges: str = "",
    exit_criteria: str = "",
    guardrail_reasons: dict[int, str] | None = None,
    expected_version: int | None,
) -> PlanPhase:
    """Change a phase. A start week that places exercises before their earliest safe week
    needs a reason for each (``guardrail_reasons``: prescription id → reason)."""
    plan = _begin_edit(phase.plan, expected_version=expected_version)
    phase = PlanPhase.objects.select_for_update().get(pk=phase.pk, plan=plan)
    phase.plan = plan
    old_start_week = phase.start_week
    phase.name = name.strip()
    phase.start_week = start_week
    phase.end_week = end_week
    phase.goals = goals
    phase.precautions = precautions
    phase.weight_bearing = weight_bearing
    phase.boot = boot
    phase.wedges = wedges
    phase.exit_criteria = exit_criteria
    phase.full_clean()
    live = list(phase.prescriptions.filter(retired_at__isnull=True).select_related("exercise"))
    needed = guardrail_reasons_needed(
        prescriptions=live,
        pathway=plan.pathway,
        start_week=start_week,
        old_start_week=old_start_week,
    )
    reasons = {pk: text.strip() for pk, text in (guardrail_reasons or {}).items()}
    missing = [rx for rx, _warning in needed if not reasons.get(rx.pk)]
    if missing:
        raise ValidationError(
            {
                "start_week": _(
                    "From week %(week)s these exercises start before their earliest safe "
                    "week: %(names)s. Give a reason for each to keep them in this phase."
                )
                % {"week": start_week, "names": ", ".join(rx.exercise.name for rx in missing)}
            },
            code="guardrail_reason_missing",
        )
    for rx, _warning in needed:
        rx.guardrail_reason = reasons[rx.pk]
        rx.save(update_fields=["guardrail_reason", "updated_at"])
    phase.save()
    return phase


@_edits_plan
def phase_remove(*, phase: PlanPhase, expected_version: int | None) -> None:
    """Remove a phase and its exercises. Refused if any of them was logged (logs are never
    deleted), if it is the active plan's current phase, or if it is in the phase history."""
    plan = _begin_edit(phase.plan, expected_version=expected_version)
    phase = PlanPhase.objects.select_for_update().get(pk=phase.pk, plan=plan)
    if ExerciseLog.objects.filter(prescription__phase=phase).exists():
        raise ValidationError(
            _(
                "%(phase)s cannot be removed: the patient has logged some of its exercises. "
                "Remove its exercises instead (logged ones are retired and their logs kept)."
            )
            % {"phase": phase.name},
            code="phase_has_logs",
        )
    if plan.current_phase_id == phase.pk:
        raise ValidationError(
            _(
                "%(phase)s is the plan's current phase; move the plan to another phase "
                "before removing it."
            )
            % {"phase": phase.name},
            code="phase_is_current",
        )
    if PhaseChange.objects.filter(Q(to_phase=phase) | Q(from_phase=phase)).exists():
        raise ValidationError(
            _("%(phase)s is part of the plan's phase history and cannot be removed.")
            % {"phase": phase.name},
            code="phase_in_history",
        )
    Prescription.objects.filter(phase=phase).delete()
    phase.delete()
    remaining = list(plan.phases.order_by("order", "pk"))
    for number, each in enumerate(remaining, start=1):
        each.order = number
    PlanPhase.objects.bulk_update(remaining, ["order"])


@_edits_plan
def phase_move(*, phase: PlanPhase, direction: str, expected_version: int | None) -> None:
    """Move a phase one place up or down in the plan."""
    plan = _begin_edit(phase.plan, expected_version=expected_version)
    phases = list(plan.phases.select_for_update().order_by("order", "pk"))
    _swap_and_renumber(
        phases,
        item=phase,
        direction=direction,
        first_msg=_("This is already the first phase."),
        last_msg=_("This is already the last phase."),
    )


@_edits_plan
def prescription_update(
    *,
    prescription: Prescription,
    sets: int,
    reps: int | None,
    hold_seconds: int | None,
    times_per_day: int,
    days_per_week: int,
    side: str,
    note: str = "",
    guardrail_reason: str | None = None,
    expected_version: int | None,
) -> Prescription:
    """Change a prescription's dose and note (and its guardrail reason, if given)."""
    plan = _begin_edit(prescription.phase.plan, expected_version=expected_version)
    rx = (
        Prescription.objects.select_for_update()
        .select_related("exercise", "phase")
        .get(pk=prescription.pk, phase__plan=plan)
    )
    rx.phase.plan = plan
    if rx.retired_at is not None:
        raise ValidationError(
            _("This exercise was retired from the plan; its dose can no longer be changed."),
            code="retired",
        )
    rx.sets = sets
    rx.reps = reps
    rx.hold_seconds = hold_seconds
    rx.times_per_day = times_per_day
    rx.days_per_week = days_per_week
    rx.side = side
    rx.note = note
    if guardrail_reason is not None:
        rx.guardrail_reason = guardrail_reason.strip()
    warning = guardrail_warning(exercise=rx.exercise, phase=rx.phase)
    if warning and not rx.guardrail_reason:
        raise ValidationError(
            {"guardrail_reason": warning.message + " " + _("Give a reason to keep it here.")},
            code="guardrail_reason_missing",
        )
    rx.full_clean()
    rx.save()
    return rx


@_edits_plan
def prescription_move(
    *, prescription: Prescription, direction: str, expected_version: int | None
) -> None:
    """Move a prescription one place up or down among its phase's live exercises."""
    plan = _begin_edit(prescription.phase.plan, expected_version=expected_version)
    rx = Prescription.objects.select_for_update().get(pk=prescription.pk, phase__plan=plan)
    if rx.retired_at is not None:
        raise ValidationError(_("This exercise was retired from the plan."), code="retired")
    live = list(
        Prescription.objects.select_for_update()
        .filter(phase_id=rx.phase_id, retired_at__isnull=True)
        .order_by("order", "pk")
    )
    _swap_and_renumber(
        live,
        item=rx,
        direction=direction,
        first_msg=_("This is already the first exercise of the phase."),
        last_msg=_("This is already the last exercise of the phase."),
    )


@_edits_plan
def prescription_move_to_phase(
    *,
    prescription: Prescription,
    phase: PlanPhase,
    guardrail_reason: str = "",
    expected_version: int | None,
) -> Prescription:
    """Move a prescription to another phase of the same plan, last in that phase.

    The guardrail is checked against the new phase. A prescription the patient has logged is
    retired where it was (its logs kept) and a copy placed in the new phase; the copy is
    returned.
    """
    plan = _begin_edit(prescription.phase.plan, expected_version=expected_version)
    rx = (
        Prescription.objects.select_for_update()
        .select_related("exercise")
        .get(pk=prescription.pk, phase__plan=plan)
    )
    target = PlanPhase.objects.filter(pk=phase.pk, plan=plan).first()
    if target is None:
        raise ValidationError({"phase": _("Choose a phase of this plan.")}, code="other_plan")
    target.plan = plan
    if rx.retired_at is not None:
        raise ValidationError(_("This exercise was retired from the plan."), code="retired")
    if rx.phase_id == target.pk:
        return rx
    warning = guardrail_warning(exercise=rx.exercise, phase=target)
    reason = guardrail_reason.strip()
    if warning and not reason:
        raise ValidationError(
            {"guardrail_reason": warning.message + " " + _("Give a reason to move it there.")},
            code="guardrail_reason_missing",
        )
    next_order = (target.prescriptions.aggregate(m=Max("order"))["m"] or 0) + 1
    if rx.logs.exists():
        rx.retired_at = timezone.now()
        rx.save(update_fields=["retired_at", "updated_at"])
        rx = Prescription(
            exercise=rx.exercise,
            note=rx.note,
            **{f: getattr(rx, f) for f in DOSE_FIELDS},
        )
    rx.phase = target
    rx.order = next_order
    rx.guardrail_reason = reason if warning else ""
    rx.full_clean()
    rx.save()
    return rx


# --- What patients log -------------------------------------------------------------------


def _stored_once[M: ExerciseLog | CheckIn | AtrsResponse | Measurement](
    model: type[M], *, patient: Patient, client_uuid: uuid.UUID
) -> M | None:
    """The row already stored under ``client_uuid`` (a retried or replayed submit), if any.

    An id another patient's row holds is refused, without saying whose it is.
    """
    try:
        existing = cast("M", model.objects.get(client_uuid=client_uuid))  # unique: no ORDER BY
    except model.DoesNotExist:
        return None
    if existing.patient_id != patient.pk:
        raise ValidationError({"client_uuid": _("This id is already in use.")})
    return existing


def _save_once[M: ExerciseLog | Measurement](
    row: M, *, then: Callable[[M], None] | None = None
) -> tuple[M, bool]:
    """Validate and insert ``row`` and do ``then(row)`` in one transaction; if a concurrent
    request with the same client id won the race, return the stored row instead. Returns
    ``(row, created)``. Call it outside a transaction: with nothing to do after the INSERT,
    the INSERT alone is the whole write (one statement in autocommit is atomic by itself, and
    a refused one leaves the connection usable); with ``then``, BEGIN, INSERT, …, COMMIT.
    Inside a caller's transaction, a savepoint keeps that transaction usable after a refusal.

    This is the patient's hottest write, so validation costs no query on the way in: the
    fields' own validators run (ExerciseLog's check constraints each have one, with its
    message; Measurement's "at least one value" is checked by its service), the foreign keys
    the caller has just read are not looked up again, and the check constraints are left to the
    database. Should the database refuse the row anyway, the full validation runs then, to say
    which rule the row broke.
    """
    loaded = [
        field.name
        for field in row._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.is_cached(row)
    ]
    row.full_clean(exclude=loaded, validate_unique=False, validate_constraints=False)
    try:
        if then is None and not transaction.get_connection().in_atomic_block:
            row.save()
        else:
            with transaction.atomic():
                row.save()
                if then is not None:
                    then(row)
    except IntegrityError:
        stored = type(row).objects.filter(client_uuid=row.client_uuid)
        winner = cast("M | None", stored.filter(patient=row.patient).first())
        if winner is not None:
            return winner, False
        row.full_clean(validate_unique=False)  # a rule the database refused, in words
        if stored.exists():
            raise ValidationError({"client_uuid": _("This id is already in use.")}) from None
        raise  # not the client id, not a rule the model knows: a fault to see, not to mask
    return row, True


def _alerts_pain(pain: int | None) -> bool:
    return pain is not None and pain >= clinical.ALERT_PAIN_THRESHOLD


def _raise_pain_alert(*, patient: Patient, pain: int | None, where: str, **links: Any) -> None:
    if _alerts_pain(pain):
        Alert.objects.create(
            patient=patient,
            kind=Alert.Kind.HIGH_PAIN,
            message=_("Pain %(pain)s/10 reported on %(where)s.") % {"pain": pain, "where": where},
            **links,
        )


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

    Returns ``(log, created)``. The INSERT comes first: a repeat is rare, so it is found by the
    unique ``client_uuid`` refusing the second row rather than looked up before every tick.
    """
    try:
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
            raise ValidationError(
                {"prescription": _("This exercise is not part of your active plan.")}
            )
        if date < plan.anchor_date:
            raise ValidationError(
                {"date": _("This day is before your plan started; choose a later day.")}
            )
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
        if not _alerts_pain(pain):  # most ticks: the INSERT alone
            return _save_once(log)
        return _save_once(  # the alert in the tick's transaction
            log,
            then=lambda row: _raise_pain_alert(
                patient=patient, pain=pain, where=_("an exercise log"), log=row
            ),
        )
    except ValidationError:
        existing = _stored_once(ExerciseLog, patient=patient, client_uuid=client_uuid)
        if existing is not None:
            return existing, False
        raise


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
    # One alert per crossing of the threshold: 8 → 9 on the same log raises nothing new.
    if old_pain is None or old_pain < clinical.ALERT_PAIN_THRESHOLD:
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
    existing = _stored_once(CheckIn, patient=patient, client_uuid=client_uuid)
    if existing is not None:
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
    existing = _stored_once(AtrsResponse, patient=patient, client_uuid=client_uuid)
    if existing is not None:
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


# --- Outcomes recorded or requested by the clinic ------------------------------------------


@transaction.atomic
def atrs_request_create(*, patient: Patient, requested_by: User | None) -> tuple[AtrsRequest, bool]:
    """Ask the patient to fill in the ATRS. An unanswered request is reused, not repeated.

    Returns ``(request, created)``.
    """
    open_request = (
        AtrsRequest.objects.select_for_update()
        .filter(patient=patient, response__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    if open_request is not None:
        return open_request, False
    return AtrsRequest.objects.create(patient=patient, requested_by=requested_by), True


def measurement_record(
    *,
    patient: Patient,
    recorded_by: User | None,
    client_uuid: uuid.UUID,
    date: dt.date | None = None,
    heel_rise_reps_injured: int | None = None,
    heel_rise_reps_uninjured: int | None = None,
    calf_cm_injured: Decimal | None = None,
    calf_cm_uninjured: Decimal | None = None,
    note: str = "",
) -> tuple[Measurement, bool]:
    """Record heel-rise reps and calf circumference. A repeated ``client_uuid`` returns the
    stored row (a double submit makes one row). Returns ``(measurement, created)``."""
    existing = _stored_once(Measurement, patient=patient, client_uuid=client_uuid)
    if existing is not None:
        return existing, False
    today = patient.local_today()
    date = date or today
    if date > today:
        raise ValidationError({"date": _("A measurement cannot be dated in the future.")})
    values = (
        heel_rise_reps_injured,
        heel_rise_reps_uninjured,
        calf_cm_injured,
        calf_cm_uninjured,
    )
    if all(value is None for value in values):
        raise ValidationError(_("Enter at least one measurement."), code="measurement_empty")
    measurement = Measurement(
        patient=patient,
        recorded_by=recorded_by,
        client_uuid=client_uuid,
        date=date,
        heel_rise_reps_injured=heel_rise_reps_injured,
        heel_rise_reps_uninjured=heel_rise_reps_uninjured,
        calf_cm_injured=calf_cm_injured,
        calf_cm_uninjured=calf_cm_uninjured,
        note=note,
    )
    return _save_once(measurement)


# --- The exercise library, written by staff through the API --------------------------------
# (Added for rehab/api: the admin writes through its own forms.)


@transaction.atomic
def exercise_create(*, equipment: Iterable[Any] = (), **fields: Any) -> Exercise:
    """Add an exercise to the library (``clinic`` empty: the shared library)."""
    exercise = Exercise(**fields)
    exercise.full_clean()
    exercise.save()
    exercise.equipment.set(list(equipment))
    return exercise


@transaction.atomic
def exercise_update(
    *, exercise: Exercise, equipment: Iterable[Any] | None = None, **fields: Any
) -> Exercise:
    """Change a library exercise; ``equipment``, if given, replaces its equipment."""
    for name, value in fields.items():
        setattr(exercise, name, value)
    exercise.full_clean()
    exercise.save()
    if equipment is not None:
        exercise.equipment.set(list(equipment))
    return exercise


@transaction.atomic
def exercise_delete(*, exercise: Exercise) -> None:
    """Delete an exercise no protocol or plan uses (those are kept: unpublish them instead)."""
    try:
        with transaction.atomic():
            exercise.delete()
    except IntegrityError:  # ProtectedError: a protocol item or prescription refers to it
        raise ValidationError(
            _(
                "This exercise is used by a protocol template or a patient's plan, so it cannot "
                "be deleted. Unpublish it instead."
            ),
            code="exercise_in_use",
        ) from None


# --- Following changes to the patient's record -------------------------------------------


@transaction.atomic
def plans_follow_anchor(*, patient: Patient) -> int:
    """Re-date the patient's draft and active plans from their new anchor date (a corrected
    surgery or injury date), so phases fall on the right calendar days. Completed plans keep
    the dates they were followed by. Returns the number of plans changed."""
    pagecache.patient_changed(patient.pk)
    return Plan.objects.filter(
        patient=patient, status__in=[Plan.Status.DRAFT, Plan.Status.ACTIVE]
    ).update(anchor_date=patient.anchor_date, version=F("version") + 1)


@transaction.atomic
def plans_complete_for(*, patient: Patient) -> int:
    """Complete the active plan of a patient who left care (discharged or archived): they are
    no longer offered exercises. The logs stay. Returns the number of plans completed."""
    pagecache.patient_changed(patient.pk)
    return Plan.objects.filter(patient=patient, status=Plan.Status.ACTIVE).update(
        status=Plan.Status.COMPLETED, version=F("version") + 1
    )


# --- Erasure (anonymisation) of a discharged patient --------------------------------------

ERASE_CONFIRMATION = "ERASE"
"""The word a clinic admin types to confirm an erasure."""
ERASED_TEXT = "[erased]"


def _forget_sign_ins(user: User) -> None:
    """What the sign-in machinery holds about a person: browser sessions (with their addresses
    and browsers), two-factor devices, and django-axes' records of sign-in attempts, which are
    keyed by the email address."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: PLC0415

    from clinic.accounts.mfa import delete_devices  # noqa: PLC0415
    from clinic.accounts.services import user_sessions_end  # noqa: PLC0415

    user_sessions_end(user)
    delete_devices(user)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()


@transaction.atomic
def patient_erase(*, patient: Patient, by: User) -> Patient:
    """Anonymise a discharged patient: the person can no longer be identified or sign in, the
    clinical rows stay for statistics.

    Name → "Erased" / "patient <id>"; email and date of birth cleared; the sign-in account is
    deactivated, anonymised (``erased-<id>@invalid``, no name, an unusable password) and its API
    tokens, browser sessions, two-factor devices and sign-in attempt records deleted; message bodies → "[erased]"; free-text notes on logs, check-ins,
    measurements and prescriptions cleared; invitations deleted; status archived. Logs,
    check-ins, ATRS responses, measurements, alerts and plans are kept.

    Only a clinic admin of the patient's clinic may erase (the view checks; this checks too),
    and only a discharged patient: otherwise ``ValidationError`` and nothing changes.
    """
    # Imported here: this section is appended to the module and keeps its imports to itself.
    from knox.models import AuthToken  # noqa: PLC0415

    from clinic.models import Clinician, Invitation, Message  # noqa: PLC0415
    from clinic.services import patient_archive  # noqa: PLC0415

    clinician = Clinician.objects.filter(user_id=by.pk).first()
    if clinician is None or not clinician.is_clinic_admin:
        raise ValidationError(
            _("Only a clinic admin can erase a patient's record."), code="erase_not_admin"
        )
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.clinic_id != clinician.clinic_id:
        raise ValidationError(
            _("Only a clinic admin can erase a patient's record."), code="erase_not_admin"
        )
    if locked.status != Patient.Status.DISCHARGED:
        raise ValidationError(
            _("Only a discharged patient can be erased. Discharge the patient first."),
            code="erase_not_discharged",
        )

    locked.first_name = "Erased"
    locked.last_name = f"patient {locked.pk}"
    locked.email = ""
    locked.date_of_birth = None
    locked.save(update_fields=["first_name", "last_name", "email", "date_of_birth", "updated_at"])

    if locked.user_id is not None:
        user = User.objects.select_for_update().get(pk=locked.user_id)
        _forget_sign_ins(user)
        user.email = f"erased-{locked.pk}@invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])
        AuthToken.objects.filter(user_id=user.pk).delete()

    pagecache.patient_changed(locked.pk)
    Message.objects.filter(patient=locked).update(body=ERASED_TEXT)
    ExerciseLog.objects.filter(patient=locked).exclude(note="").update(note="")
    CheckIn.objects.filter(patient=locked).exclude(note="").update(note="")
    Measurement.objects.filter(patient=locked).exclude(note="").update(note="")
    Prescription.objects.filter(phase__plan__patient=locked).exclude(note="").update(note="")
    Invitation.objects.filter(patient=locked).delete()

    patient_archive(patient=locked)
    return locked
