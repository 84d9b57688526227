"""Red flags pause exercise: a check-in with a red flag puts the patient's plan on hold until a
clinician has reviewed what the patient reported and resumed the plan (who, when, a note).

Keyword-only, typed, atomic. Domain errors are ``ValidationError`` with words fit to show.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Patient, User
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.alerts import Alert, PlanHold
from rehab.models.logbook import CheckIn
from rehab.models.plans import Plan
from rehab.services import plans as plan_services


@transaction.atomic
def plan_pause(
    *, patient: Patient, checkin: CheckIn | None, flags: Sequence[str]
) -> PlanHold | None:
    """Pause the plan the patient follows for the red flags ``flags`` (codes) reported in
    ``checkin``. A plan already on hold keeps its hold, which then names the new flags too.
    Returns the hold, or None when the patient follows no plan (the alert is enough)."""
    plan = (
        Plan.objects.select_for_update()
        .filter(patient=patient, status__in=PLANS_IN_CARE)
        .order_by("-pk")
        .first()
    )
    if plan is None or not flags:
        return None
    hold = PlanHold.objects.filter(plan=plan, resumed_at__isnull=True).first()
    if hold is not None:
        added = [code for code in flags if code not in hold.flags]
        if added:
            hold.flags = [*hold.flags, *added]
            hold.save(update_fields=["flags"])
    else:
        hold = PlanHold.objects.create(plan=plan, checkin=checkin, flags=list(flags))
    if plan.status != Plan.Status.PAUSED:
        plan.status = Plan.Status.PAUSED
        plan.save(update_fields=["status", "updated_at"])
    return hold


@transaction.atomic
def plan_activate(
    *,
    plan: Plan,
    activated_by: User | None,
    expected_version: int | None = None,
    guardrail_reasons: dict[int, str] | None = None,
) -> Plan:
    """Activate a draft plan (``plans.plan_activate``: guardrails, the phase for today's
    week) and, when the patient has reported red flags that no clinician has reviewed yet
    (reported while no plan was in care, there was nothing to pause), pause it at once: the
    patient exercises only after the review. The activation page and the API call this."""
    plan = plan_services.plan_activate(
        plan=plan,
        activated_by=activated_by,
        expected_version=expected_version,
        guardrail_reasons=guardrail_reasons,
    )
    unreviewed = list(
        Alert.objects.red_flags_waiting(plan.patient_id)
        .select_related("checkin")
        .order_by("created_at", "pk")
    )
    if plan.status == Plan.Status.ACTIVE and unreviewed:
        hold = plan_pause(
            patient=plan.patient,
            checkin=unreviewed[-1].checkin,
            flags=list(dict.fromkeys(alert.code for alert in unreviewed)),
        )
        if hold is not None:  # plan_pause paused this plan, the patient's one in care
            plan.status = Plan.Status.PAUSED
    return plan


@transaction.atomic
def plan_resume(*, plan: Plan, by: User, note: str, reviewed: Collection[int]) -> PlanHold:
    """A clinician has reviewed what the patient reported: resume the paused plan, recording
    who, when and their note, and acknowledge the patient's open red-flag alerts. ``reviewed``:
    the ids of the alerts the clinician was shown; a red flag reported since (not among them)
    refuses the resume, nothing changed, so that no one acknowledges what they have not read."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    note = note.strip()
    if locked.status != Plan.Status.PAUSED:
        raise ValidationError(_("This plan is not paused."), code="not_paused")
    if not note:
        raise ValidationError(
            {"note": ValidationError(_("Write what you reviewed and decided."), code="required")}
        )
    waiting = Alert.objects.red_flags_waiting(locked.patient_id)
    unread = waiting.exclude(pk__in=list(reviewed))
    if unread.exists():
        raise ValidationError(
            _(
                "The patient reported something new since this page was opened: read it below, "
                "then resume."
            ),
            code="new_report",
        )
    now = timezone.now()
    hold = PlanHold.objects.select_for_update().filter(plan=locked, resumed_at__isnull=True).first()
    if hold is None:  # paused by hand (the admin): record the review all the same
        hold = PlanHold(plan=locked, started_at=now)
    hold.resumed_at = now
    hold.resumed_by = by
    hold.resume_note = note
    hold.full_clean(exclude=["plan", "checkin", "resumed_by"])
    hold.save()
    locked.status = Plan.Status.ACTIVE
    locked.save(update_fields=["status", "updated_at"])
    waiting.update(acknowledged_at=now, acknowledged_by=by)
    plan.status = locked.status
    return hold
