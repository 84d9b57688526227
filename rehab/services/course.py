"""Plans following the patient's record: re-dated and re-checked after a corrected surgery or
injury date or pathway (``plans_follow_anchor``), completed when the patient leaves care, and
the early placements of the plans patients follow (``early_in_care``: what a correction, a risk
factor or a clinic's offsets would make too early).

Keyword-only, typed arguments. Domain errors are ``django.core.exceptions.ValidationError``
with messages fit to show a user.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab import guardrails
from rehab.guardrails import PLANS_IN_CARE, EarlyPlacement
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.services.plans import refuse_missing_reasons


@dataclass(frozen=True)
class CourseFollowed:
    """What ``plans_follow_anchor`` did: ``changed`` plans re-dated; of the plan in care
    (``plan``), the early placements whose recorded reasons the correction made stale
    (``outdated``: ``guardrails.made_earlier``), for their clinician to look at again."""

    changed: int
    plan: Plan | None = None
    outdated: list[EarlyPlacement] = field(default_factory=list)


@transaction.atomic
def plans_follow_anchor(*, patient: Patient, previous_timezone: str = "") -> CourseFollowed:
    """Re-date the patient's draft, active and paused plans from their anchor date, and give
    them the patient's pathway (after a corrected surgery or injury date, or pathway), so phases
    fall on the right calendar days and the plan says which pathway it follows.
    Completed plans keep the dates they were followed by.

    The plan the patient follows is checked again first: if the new date puts the patient in
    an earlier week, or the new pathway sets later earliest safe weeks, so that an exercise of
    the current or a later phase would start before its earliest safe week without a recorded
    reason, the correction is refused with the list (nothing changes: the caller's
    transaction is rolled back). One with a reason that now starts earlier than when it was
    given is returned in ``outdated``. A new time zone (``previous_timezone``: the one before)
    can put the patient on an earlier day, so in an earlier week: checked the same way."""
    following = (
        Plan.objects.select_for_update().filter(patient=patient, status__in=PLANS_IN_CARE).first()
    )
    outdated: list[EarlyPlacement] = []
    if following is not None:
        # As followed until now: the plan's stored date and pathway (the patient's record
        # holds the new ones already).
        as_followed = copy.copy(patient)
        as_followed.pathway = following.pathway
        as_followed.timezone = previous_timezone or patient.timezone
        following.patient = as_followed
        before = _early_in_care(following)
        following.anchor_date = patient.anchor_date
        following.pathway = patient.pathway
        following.patient = patient
        early = _early_in_care(following)
        outdated = guardrails.made_earlier(early, before=before)
        refuse_missing_reasons(
            guardrails.missing_reasons(early),
            intro=_(
                "With these details (dates, pathway, time zone) the patient is in week "
                "%(week)s, and some exercises of their plan would start before their earliest "
                "safe week. Record a reason for each in the plan builder, or move them, before "
                "correcting the patient's details."
            )
            % {"week": following.week_on(patient.local_today())},
        )
    plans = Plan.objects.filter(patient=patient, status__in=[Plan.Status.DRAFT, *PLANS_IN_CARE])
    # A plan in care keeps the days of the week it has asked the patient to exercise on: its
    # past ticks stay ticks of due days (``Plan.due_days_from``). A draft asked nothing yet.
    plans.filter(status__in=PLANS_IN_CARE, due_days_from__isnull=True).exclude(
        anchor_date=patient.anchor_date
    ).update(due_days_from=F("anchor_date"))
    changed = plans.update(
        anchor_date=patient.anchor_date, pathway=patient.pathway, version=F("version") + 1
    )
    return CourseFollowed(changed=changed, plan=following, outdated=outdated)


def _early_in_care(plan: Plan) -> list[EarlyPlacement]:
    return early_in_care([plan])[plan.pk]


def early_in_care(
    plans: Sequence[Plan], *, offsets: Mapping[str, int] | None = None
) -> dict[int, list[EarlyPlacement]]:
    """The early placements of plans the patients follow (plan id → placements): each plan's
    current phase (from this week) and the later ones (from their planned weeks, never before
    this week), compared with each patient's earliest safe weeks, with their clinic's offsets
    or, given, with the risk-factor ``offsets`` (code → weeks: a change not saved yet). Two
    queries (phases, live prescriptions), whatever the number of plans."""
    by_plan = {plan.pk: plan for plan in plans}
    phases: dict[int, list[PlanPhase]] = {pk: [] for pk in by_plan}
    for phase in PlanPhase.objects.filter(plan__in=list(by_plan)).order_by("order", "pk"):
        phase.plan = by_plan[phase.plan_id]
        phases[phase.plan_id].append(phase)
    phase_of = {phase.pk: phase for rows in phases.values() for phase in rows}
    live: dict[int, list[Prescription]] = {pk: [] for pk in by_plan}
    for rx in (
        Prescription.objects.live()
        .filter(phase__plan__in=list(by_plan))
        .select_related("exercise")
        .order_by("phase__order", "order", "pk")
    ):
        rx.phase = phase_of[rx.phase_id]
        live[rx.phase.plan_id].append(rx)
    found = {}
    for pk, plan in by_plan.items():
        ids = [p.pk for p in phases[pk]]
        later = ids[ids.index(plan.current_phase_id) :] if plan.current_phase_id in ids else ids
        today = plan.patient.local_today()
        week_of = {p.pk: guardrails.patient_week_for_phase(p, today=today) for p in phases[pk]}
        rows = [rx for rx in live[pk] if rx.phase_id in later]
        found[pk] = guardrails.early_placements(rows, week_of=week_of, offsets=offsets)
    return found


@transaction.atomic
def plans_complete_for(*, patient: Patient) -> int:
    """Complete the active plan of a patient who left care (discharged or archived): they are
    no longer offered exercises. The logs stay. Returns the number of plans completed."""
    return Plan.objects.filter(patient=patient, status__in=PLANS_IN_CARE).update(
        status=Plan.Status.COMPLETED, version=F("version") + 1
    )


"""The word a clinic admin types to confirm an erasure."""
