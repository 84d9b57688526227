"""Reads for one patient's page on the clinician's desk: their plans, open alerts, the paused
plan's review and the message thread.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic.models import Message, Patient
from rehab.models.alerts import Alert, PlanHold
from rehab.models.plans import Plan


def message_thread(patient: Patient) -> list[Message]:
    """The patient's messages, oldest first, with their authors and who read each. One
    query."""
    return list(
        Message.objects.filter(patient=patient)
        .select_related("author", "read_by")
        .order_by("created_at", "pk")
    )


def plans_of_patient(patient: Patient) -> list[Plan]:
    """All the patient's plans, active (or paused) first, then drafts, then completed; newest first.
    One query. Without their current phases: the page shows the phase in force
    (``today.phase_on``), which is a phase change's, and reads the plan's current phase only
    when no change is in force yet (one query more then)."""
    order = {
        Plan.Status.ACTIVE: 0,
        Plan.Status.PAUSED: 0,
        Plan.Status.DRAFT: 1,
        Plan.Status.COMPLETED: 2,
    }
    plans = list(Plan.objects.filter(patient=patient).order_by("-created_at", "-pk"))
    return sorted(plans, key=lambda p: order.get(Plan.Status(p.status), 3))


def open_alert_count(patient: Patient) -> int:
    """How many of the patient's alerts are open (the page's header). One query."""
    return Alert.objects.open().filter(patient=patient).count()


def open_alerts(patient: Patient) -> list[Alert]:
    """The patient's open alerts, each with what the patient reported. One query when there
    is none (the usual case), at most four more when there are, whatever their number: a
    prefetch, because a six-table join costs PostgreSQL more to plan than the page to read."""
    alerts = list(
        Alert.objects.open()
        .filter(patient=patient)
        .prefetch_related("checkin", "log__prescription__exercise")
        .order_by("-created_at", "-pk")
    )
    for alert in alerts:
        alert.patient = patient  # no query for it
    return alerts


@dataclass(frozen=True)
class PausedPlanReview:
    """What a clinician reviews before resuming a plan a red flag paused: the hold (with the
    check-in that caused it) and the patient's open alerts, each with what was reported."""

    plan: Plan
    hold: PlanHold | None
    alerts: list[Alert]


def paused_plan_review(patient: Patient) -> PausedPlanReview | None:
    """The patient's paused plan and what to review, or None if no plan is paused. Three
    queries."""
    plan = (
        Plan.objects.filter(patient=patient, status=Plan.Status.PAUSED)
        .select_related("current_phase")
        .first()
    )
    if plan is None:
        return None
    hold = (
        PlanHold.objects.filter(plan=plan, resumed_at__isnull=True)
        .select_related("checkin")
        .first()
    )
    return PausedPlanReview(plan=plan, hold=hold, alerts=open_alerts(patient))


def recent_messages(patient: Patient, *, limit: int = 5) -> list[Message]:
    """The last ``limit`` messages of the patient's thread, oldest first."""
    rows = list(
        Message.objects.filter(patient=patient)
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )
    return rows[::-1]
