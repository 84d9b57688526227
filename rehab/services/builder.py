"""Writes of the plan builder: a plan's name, its phases and their prescriptions.

Every edit takes the ``expected_version`` the editor's page showed; an edit against an older
version is refused ("Someone else changed this plan…") and nothing is saved. Each edit made
notes who (``by``) did what, where (``PlanEdit``), so that a refused one can say what changed
meanwhile (``rehab.selectors.builder.changes_since``).
"""

from __future__ import annotations

from typing import Any, Required, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import User
from rehab.guardrails import guardrail_reasons_needed, guardrail_warning
from rehab.models.library import Exercise
from rehab.models.plans import (
    PhaseChange,
    Plan,
    PlanEdit,
    PlanPhase,
    Prescription,
    PrescriptionMedia,
)
from rehab.models.protocols import PHASE_FIELD_NAMES
from rehab.services.plans import (
    PHASE_FIELDS,
    begin_edit,
    edits_plan,
    record_edit,
)


@edits_plan
def prescription_add(
    *,
    phase: PlanPhase,
    exercise: Exercise,
    guardrail_reason: str = "",
    dose: dict[str, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
    by: User | None = None,
) -> Prescription:
    """Add ``exercise`` to ``phase`` at its default dose (or ``dose``), last in the phase.

    An exercise placed before its earliest safe week needs a ``guardrail_reason``.
    """
    plan = begin_edit(phase.plan, expected_version=expected_version)
    phase = PlanPhase.objects.get(pk=phase.pk, plan=plan)
    phase.plan = plan
    warning = guardrail_warning(exercise=exercise, phase=phase)
    if warning and not guardrail_reason.strip():
        raise ValidationError(
            {"guardrail_reason": warning.message + " " + _("Give a reason to keep it here.")},
            code="guardrail_reason_missing",
        )
    next_order = (phase.prescriptions.aggregate(m=Max("order"))["m"] or 0) + 1
    values = {**exercise.default_dose(), **(dose or {})}
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
    record_edit(
        plan, by=by, action=PlanEdit.Action.RX_ADD, phase=phase, exercise_name=exercise.name
    )
    return rx


def _was_prescribed(rx: Prescription, plan: Plan) -> bool:
    """Whether the patient was asked to do ``rx`` on a day before today (theirs): its phase was
    in force on a day since it was added (the plan's phase history). Adherence counts those
    days (``selectors.adherence``), and a phone offline on one of them may still send its tick:
    such a prescription is retired, never deleted or moved away from them. One query."""
    today = plan.patient.local_today()
    added = rx.created_at.astimezone(plan.patient.tz).date()
    if added >= today:
        return False
    timeline = list(
        PhaseChange.objects.filter(plan=plan, effective_on__lt=today)
        .order_by("effective_on", "changed_at", "pk")
        .values_list("effective_on", "to_phase_id")
    )
    for index, (since, phase_id) in enumerate(timeline):
        until = timeline[index + 1][0] if index + 1 < len(timeline) else today
        if phase_id == rx.phase_id and max(since, added) < until:
            return True
    return False


@edits_plan
def prescription_remove(
    *, prescription: Prescription, expected_version: int | None = None, by: User | None = None
) -> bool:
    """Remove a prescription. One the patient logged, or was asked to do on an earlier day, is
    retired (its logs and the days it was due kept); returns True if deleted."""
    plan = begin_edit(prescription.phase.plan, expected_version=expected_version)
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    record_edit(
        plan,
        by=by,
        action=PlanEdit.Action.RX_REMOVE,
        phase=prescription.phase,
        exercise_name=prescription.exercise.name,
    )
    if prescription.logs.exists() or _was_prescribed(prescription, plan):
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


@edits_plan
def plan_rename(
    *, plan: Plan, name: str, expected_version: int | None, by: User | None = None
) -> Plan:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ValidationError(_("Give the plan a name."), code="blank")})
    locked = begin_edit(plan, expected_version=expected_version)
    locked.name = name
    locked.full_clean(exclude=["created_by"], validate_constraints=False)
    locked.save(update_fields=["name", "updated_at"])
    record_edit(locked, by=by, action=PlanEdit.Action.RENAME)
    return locked


class PhaseValues(TypedDict, total=False):
    """A phase's fields as the clinician writes them (``PHASE_FIELD_NAMES``): the name and
    weeks, and the texts, empty when left out."""

    name: Required[str]
    start_week: Required[int]
    end_week: Required[int]
    goals: str
    precautions: str
    weight_bearing: str
    boot: str
    wedges: str
    exit_criteria: str
    patient_name: str
    patient_summary: str
    patient_care: str


def _write_phase(phase: PlanPhase, values: PhaseValues) -> None:
    """Set every field of ``PHASE_FIELD_NAMES`` on ``phase``: the value given, else empty; the
    two names without the spaces around them."""
    for name in PHASE_FIELD_NAMES:
        setattr(phase, name, values.get(name, ""))
    phase.name = values["name"].strip()
    phase.patient_name = values.get("patient_name", "").strip()


@edits_plan
def phase_add(
    *,
    plan: Plan,
    expected_version: int | None,
    by: User | None = None,
    **values: Unpack[PhaseValues],
) -> PlanPhase:
    """Add a phase at the end of the plan."""
    locked = begin_edit(plan, expected_version=expected_version)
    next_order = (locked.phases.aggregate(m=Max("order"))["m"] or 0) + 1
    phase = PlanPhase(plan=locked, order=next_order)
    _write_phase(phase, values)
    phase.full_clean()
    phase.save()
    record_edit(locked, by=by, action=PlanEdit.Action.PHASE_ADD, phase=phase)
    return phase


@edits_plan
def phase_update(
    *,
    phase: PlanPhase,
    guardrail_reasons: dict[int, str] | None = None,
    expected_version: int | None,
    by: User | None = None,
    **values: Unpack[PhaseValues],
) -> PlanPhase:
    """Change a phase. A start week that places exercises before their earliest safe week
    needs a reason for each (``guardrail_reasons``: prescription id → reason)."""
    plan = begin_edit(phase.plan, expected_version=expected_version)
    phase = PlanPhase.objects.select_for_update().get(pk=phase.pk, plan=plan)
    phase.plan = plan
    old_start_week = phase.start_week
    start_week = values["start_week"]
    _write_phase(phase, values)
    phase.full_clean()
    live = list(phase.prescriptions.live().select_related("exercise"))
    needed = guardrail_reasons_needed(
        prescriptions=live,
        pathway=plan.pathway,
        start_week=start_week,
        old_start_week=old_start_week,
        phase=phase,
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
    record_edit(plan, by=by, action=PlanEdit.Action.PHASE_EDIT, phase=phase)
    return phase


@edits_plan
def phase_remove(*, phase: PlanPhase, expected_version: int | None, by: User | None = None) -> None:
    """Remove a phase and its exercises. Refused if any of them was logged (logs are never
    deleted), if it is the active plan's current phase, or if it is in the phase history."""
    plan = begin_edit(phase.plan, expected_version=expected_version)
    phase = PlanPhase.objects.select_for_update().get(pk=phase.pk, plan=plan)
    if phase.prescriptions.filter(logs__isnull=False).exists():  # logs are the logbook's
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
    record_edit(plan, by=by, action=PlanEdit.Action.PHASE_REMOVE, phase=phase)
    Prescription.objects.filter(phase=phase).delete()
    phase.delete()
    remaining = list(plan.phases.order_by("order", "pk"))
    for number, each in enumerate(remaining, start=1):
        each.order = number
    PlanPhase.objects.bulk_update(remaining, ["order"])


@edits_plan
def phase_move(
    *, phase: PlanPhase, direction: str, expected_version: int | None, by: User | None = None
) -> None:
    """Move a phase one place up or down in the plan."""
    plan = begin_edit(phase.plan, expected_version=expected_version)
    phases = list(plan.phases.select_for_update().order_by("order", "pk"))
    _swap_and_renumber(
        phases,
        item=phase,
        direction=direction,
        first_msg=_("This is already the first phase."),
        last_msg=_("This is already the last phase."),
    )
    moved = next(each for each in phases if each.pk == phase.pk)
    record_edit(plan, by=by, action=PlanEdit.Action.PHASE_MOVE, phase=moved)


@edits_plan
def prescription_update(
    *,
    prescription: Prescription,
    sets: int,
    reps: int | None,
    hold_seconds: int | None,
    times_per_day: int,
    duration_minutes: int | None = None,
    days_per_week: int,
    side: str,
    note: str = "",
    guardrail_reason: str | None = None,
    expected_version: int | None,
    by: User | None = None,
) -> Prescription:
    """Change a prescription's dose and note (and its guardrail reason, if given). New sets or
    a new daily dose keep the dose of the past days (``earlier_doses``), and the past days'
    logs the sets they were made against (``ExerciseLog.sets_prescribed``): adherence judges
    them by those, and a late tick of a past day is stamped with that day's sets."""
    plan = begin_edit(prescription.phase.plan, expected_version=expected_version)
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
    today = plan.patient.local_today()
    if rx.created_at.astimezone(plan.patient.tz).date() < today:  # it had past days
        rx.record_dose_change(
            sets=sets, times_per_day=times_per_day, days_per_week=days_per_week, on=today
        )
    rx.sets = sets
    rx.reps = reps
    rx.hold_seconds = hold_seconds
    rx.duration_minutes = duration_minutes
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
    # The new dose is in force from the patient's today: today's sessions are judged by it, as
    # Today shows them; the days before keep the sets they were logged against.
    rx.logs.filter(date__gte=today).update(sets_prescribed=rx.sets)
    record_edit(
        plan, by=by, action=PlanEdit.Action.RX_EDIT, phase=rx.phase, exercise_name=rx.exercise.name
    )
    return rx


@edits_plan
def prescription_move(
    *,
    prescription: Prescription,
    direction: str,
    expected_version: int | None,
    by: User | None = None,
) -> None:
    """Move a prescription one place up or down among its phase's live exercises."""
    plan = begin_edit(prescription.phase.plan, expected_version=expected_version)
    rx = Prescription.objects.select_for_update().get(pk=prescription.pk, phase__plan=plan)
    if rx.retired_at is not None:
        raise ValidationError(_("This exercise was retired from the plan."), code="retired")
    record_edit(
        plan, by=by, action=PlanEdit.Action.RX_MOVE, phase=rx.phase, exercise_name=rx.exercise.name
    )
    live = list(
        Prescription.objects.live()
        .select_for_update()
        .filter(phase_id=rx.phase_id)
        .order_by("order", "pk")
    )
    _swap_and_renumber(
        live,
        item=rx,
        direction=direction,
        first_msg=_("This is already the first exercise of the phase."),
        last_msg=_("This is already the last exercise of the phase."),
    )


@edits_plan
def prescription_move_to_phase(
    *,
    prescription: Prescription,
    phase: PlanPhase,
    guardrail_reason: str = "",
    expected_version: int | None,
    by: User | None = None,
) -> Prescription:
    """Move a prescription to another phase of the same plan, last in that phase.

    The guardrail is checked against the new phase. A prescription the patient has logged, or
    was asked to do on an earlier day (``_was_prescribed``), is retired where it was (its logs
    and the days it was due kept) and a copy placed in the new phase; the copy is returned.
    Either way the patient is asked to do it in the new phase from today, not on the days
    before the move (adherence counts a prescription from when it was made).
    """
    plan = begin_edit(prescription.phase.plan, expected_version=expected_version)
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
    retired = None
    if rx.logs.exists() or _was_prescribed(rx, plan):
        rx.retired_at = timezone.now()
        rx.save(update_fields=["retired_at", "updated_at"])
        retired = rx
        rx = Prescription(
            exercise=rx.exercise,
            note=rx.note,
            **rx.dose(),
        )
    else:  # never asked of the patient where it was: from today in its new phase
        rx.created_at = timezone.now()
        rx.earlier_doses = []
    rx.phase = target
    rx.order = next_order
    rx.guardrail_reason = reason if warning else ""
    rx.full_clean()
    rx.save()
    if retired is not None:  # the patient's own videos follow the exercise to its new phase
        PrescriptionMedia.objects.filter(prescription=retired).update(prescription=rx)
    record_edit(
        plan,
        by=by,
        action=PlanEdit.Action.RX_MOVE_PHASE,
        phase=target,
        exercise_name=rx.exercise.name,
    )
    return rx
