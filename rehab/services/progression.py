"""Moving a plan between its phases (forward or back), from today, with the guardrails: every
exercise of the phase the plan moves to is compared with the week the patient is in now, and
each early one needs a reason given with the move.

Keyword-only, typed arguments. Domain errors are ``ValidationError`` with words fit to show.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import User
from rehab import guardrails
from rehab.guardrails import PLANS_IN_CARE, EarlyPlacement
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription
from rehab.services.plans import (
    bump_version,
    check_version,
    record_reasons,
    refuse_missing_reasons,
    refuse_reasons_of_other_plans,
)


def plan_phase_change_early_placements(
    plan: Plan, phase: PlanPhase, *, today: dt.date | None = None
) -> list[EarlyPlacement]:
    """The live prescriptions of ``phase`` that would start before their earliest safe week if
    the plan moved to it ``today`` (forward or back): the patient starts them this week."""
    plan.patient  # noqa: B018 -- loaded once for every row's check
    phase.plan = plan
    today = today or plan.patient.local_today()
    rows = list(
        Prescription.objects.live()
        .filter(phase=phase)
        .select_related("exercise")
        .order_by("order", "pk")
    )
    for rx in rows:
        rx.phase = phase
    return guardrails.early_placements(rows, week_of={phase.pk: plan.week_on(today)})


@transaction.atomic
def plan_set_phase(
    *,
    plan: Plan,
    phase: PlanPhase,
    changed_by: User | None,
    expected_version: int | None = None,
    guardrail_reasons: dict[int, str] | None = None,
) -> Plan:
    """Move the plan to ``phase`` (forward or back) from today; records who and when.

    Every exercise of ``phase`` that would start before its earliest safe week (the patient
    starts them this week: ``plan_phase_change_early_placements``) needs a reason given now in
    ``guardrail_reasons`` (prescription id → reason; the one it had may be confirmed), else the
    move is refused with the list and nothing changes."""
    plan = Plan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    if phase.plan_id != plan.pk:
        raise ValidationError(_("That phase belongs to another plan."), code="other_plan")
    if plan.current_phase_id == phase.pk:
        return plan
    if plan.status not in PLANS_IN_CARE:
        raise ValidationError(
            _("The plan is not active; activate it first."), code="no_current_phase"
        )
    # A move made against an older version is refused first (a repeat of a move already made
    # is told so, not asked for reasons to start a phase nobody chose); a refusal below rolls
    # the version back with the rest.
    bump_version(plan, expected_version=expected_version)
    refuse_reasons_of_other_plans(plan, guardrail_reasons)
    today = plan.patient.local_today()
    early = plan_phase_change_early_placements(plan, phase, today=today)
    refuse_missing_reasons(
        guardrails.missing_reasons(early, reasons=guardrail_reasons, fresh=True),
        intro=_(
            "In %(phase)s, some exercises would start before their earliest safe week: the "
            "patient is in week %(week)s."
        )
        % {"phase": phase.name, "week": plan.week_on(today)},
    )
    record_reasons(early, guardrail_reasons)
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


def plan_step_target(plan: Plan, *, step: int, expected_version: int | None = None) -> PlanPhase:
    """The phase ``step`` phases on (or back) from the plan's current phase, or an error
    (no current phase; already the last or first phase; ``plan`` changed since
    ``expected_version``, the version of the page whose button was pressed: "next" was another
    phase then, so nobody chose the one it is now)."""
    check_version(plan, expected_version=expected_version)
    phases = plan.ordered_phases()
    ids = [p.pk for p in phases]
    if plan.current_phase_id not in ids:
        raise ValidationError(
            _("The plan has no current phase; activate it first."), code="no_current_phase"
        )
    index = ids.index(plan.current_phase_id) + step
    if not 0 <= index < len(phases):
        if step > 0:
            raise ValidationError(
                _("This is the last phase; there is no next phase."), code="last_phase"
            )
        raise ValidationError(
            _("This is the first phase; there is no earlier phase."), code="first_phase"
        )
    return phases[index]


def plan_advance_phase(
    *,
    plan: Plan,
    changed_by: User | None,
    expected_version: int | None = None,
    guardrail_reasons: dict[int, str] | None = None,
) -> Plan:
    """Move the plan to its next phase from today (``plan_set_phase``'s guardrails)."""
    return plan_set_phase(
        plan=plan,
        phase=plan_step_target(plan, step=1, expected_version=expected_version),
        changed_by=changed_by,
        expected_version=expected_version,
        guardrail_reasons=guardrail_reasons,
    )


def plan_previous_phase(
    *,
    plan: Plan,
    changed_by: User | None,
    expected_version: int | None = None,
    guardrail_reasons: dict[int, str] | None = None,
) -> Plan:
    """Move the plan back to its previous phase from today (``plan_set_phase``'s guardrails)."""
    return plan_set_phase(
        plan=plan,
        phase=plan_step_target(plan, step=-1, expected_version=expected_version),
        changed_by=changed_by,
        expected_version=expected_version,
        guardrail_reasons=guardrail_reasons,
    )
