"""A clinic's risk-factor offsets (clinical.md §7: "a modifier adds a clinic-set offset to the
earliest safe weeks"), set by its clinic admins.

Raising an offset moves the earliest safe weeks of the clinic's patients with that modifier
later, so exercises already in the plans they follow may then start too early. The rule, as for
an exercise whose earliest week is raised in the library (its plans are alerted) and for a
patient's own risk factors (a placement without a recorded reason is named first):

- the change lists the plans in care (active or paused) in which a live exercise of the current
  or a later phase would then start before its earliest safe week for the patient without a
  recorded reason (and did not before), and is saved only once the clinic admin has confirmed
  each of them (``confirmed``: their prescription ids, as shown);
- once saved, each such plan's patient gets an alert for their clinician (move them, or record
  why they stay), and the builder shows them as early, as any other early placement.

Lowering an offset is always allowed. The change is kept in the team's history, as the
clinic's other settings are.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import TEAM_EVENT_DETAIL_MAX_LENGTH, Clinic, Patient, TeamEvent, User
from rehab import guardrails, risk
from rehab.guardrails import PLANS_IN_CARE, EarlyPlacement
from rehab.models.plans import Plan
from rehab.models.risk import RiskOffsets
from rehab.services import alerts as alert_services
from rehab.services import plans as plan_services
from rehab.services.course import early_in_care


@dataclass(frozen=True)
class PlanNowEarly:
    """A plan in care whose ``placements`` would start before their earliest safe week for
    the patient without a recorded reason once the offsets are raised (and do not now)."""

    plan: Plan
    placements: list[EarlyPlacement]


def _plans_raised(
    clinic: Clinic, *, now: Mapping[str, int], after: Mapping[str, int]
) -> list[Plan]:
    """The clinic's plans in care whose patient's largest offset goes up from ``now`` to
    ``after`` (code → weeks), ordered by patient; none read when no offset goes up."""
    if not any(n > now.get(code, 0) for code, n in after.items()):
        return []
    in_care = (
        Plan.objects.filter(patient__clinic_id=clinic.pk, status__in=PLANS_IN_CARE)
        .select_related("patient")
        .order_by("patient__last_name", "patient__first_name", "patient_id", "pk")
    )
    return [
        plan
        for plan in in_care
        if risk.offset_weeks(plan.patient, after)[0] > risk.offset_weeks(plan.patient, now)[0]
    ]


def _reasons_outdated(
    clinic: Clinic, *, now: Mapping[str, int], after: Mapping[str, int]
) -> dict[int, tuple[Plan, list[EarlyPlacement]]]:
    """The clinic's plans in care (plan id → the plan and its placements) holding early
    placements with a recorded reason that the offsets ``after`` make earlier than ``now``
    (``guardrails.made_earlier``): their reasons were given for a later start."""
    plans = _plans_raised(clinic, now=now, after=after)
    if not plans:
        return {}
    before = early_in_care(plans, offsets=now)
    early = early_in_care(plans, offsets=after)
    found = {}
    for plan in plans:
        outdated = guardrails.made_earlier(early[plan.pk], before=before[plan.pk])
        if outdated:
            found[plan.pk] = (plan, outdated)
    return found


def risk_offsets_now_early(*, clinic: Clinic, weeks: Mapping[str, int]) -> list[PlanNowEarly]:
    """The clinic's plans in care that the offsets ``weeks`` (code → weeks, over the clinic's
    own) would leave with exercises starting before their earliest safe week without a
    recorded reason, that start on time with the clinic's offsets now; ordered by patient.
    Only the patients whose largest offset goes up are checked. Nothing is saved.

    Queries: the clinic's offsets (1, unless read with ``clinic``), the plans in care with
    their patients (1), and, if an offset goes up for one of them, their phases and live
    prescriptions (2): four at most, whatever the number of plans."""
    now = risk.clinic_offsets(clinic)
    after = now | dict(weeks)
    plans = _plans_raised(clinic, now=now, after=after)
    if not plans:
        return []
    candidates = {
        pk: guardrails.missing_reasons(placements)
        for pk, placements in early_in_care(plans, offsets=after).items()
    }
    earlier = {
        p.prescription.pk
        for placements in candidates.values()
        for p in placements
        if guardrails.guardrail_warning(
            exercise=p.prescription.exercise,
            phase=p.prescription.phase,
            week=p.warning.patient_week,
            offsets=now,
        )
    }
    found = []
    for plan in plans:
        new = [p for p in candidates[plan.pk] if p.prescription.pk not in earlier]
        if new:
            found.append(PlanNowEarly(plan=plan, placements=new))
    return found


@transaction.atomic
def risk_offsets_update(
    *,
    clinic: Clinic,
    weeks: Mapping[str, int],
    changed_by: User | None,
    confirmed: Collection[int] = (),
) -> list[PlanNowEarly]:
    """Set the clinic's offsets: ``weeks`` (modifier code → whole weeks, 0 to
    ``risk.WEEKS_MAX``) over the ones it has. Once changed, every modifier's offset is the
    clinic's own (a later change of a shipped default no longer moves it).

    Raising one is refused (``ValidationError``, code ``risk_offsets_now_early``) while a plan
    in care would then hold an exercise starting before its earliest safe week without a
    recorded reason that ``confirmed`` (prescription ids) does not name
    (``risk_offsets_now_early``); saved, each such plan's clinician is alerted (returned: those
    plans), as is the clinician of a plan whose early placements with a recorded reason it
    makes earlier (``guardrails.made_earlier``: the reason was given for a later start; not
    asked to confirm). Kept in the team's history, naming each change."""
    locked = Clinic.objects.select_for_update().get(pk=clinic.pk)
    before = risk.clinic_offsets(locked)  # reads the clinic's row, or its absence, once
    after = before | dict(weeks)
    # Not bound to ``locked`` (that would make it the clinic's offsets for what follows).
    RiskOffsets(clinic_id=locked.pk, weeks=after).full_clean(exclude=["clinic"])
    changed = [m for m in risk.RISK_MODIFIERS if after[m.code] != before[m.code]]
    if not changed:
        return []
    now_early = risk_offsets_now_early(clinic=locked, weeks=after)
    unconfirmed = [
        p for each in now_early for p in each.placements if p.prescription.pk not in confirmed
    ]
    if unconfirmed:
        raise ValidationError(
            _(
                "With these offsets some exercises in the plans of %(patients)s would start "
                "before their earliest safe week without a recorded reason: %(names)s. "
                "Confirm to save; their physiotherapists are then alerted."
            ),
            code="risk_offsets_now_early",
            params={
                "patients": ", ".join(each.plan.patient.full_name for each in now_early),
                "names": guardrails.names(unconfirmed),
                "prescriptions": [p.prescription.pk for p in unconfirmed],
            },
        )
    outdated = _reasons_outdated(locked, now=before, after=after)
    RiskOffsets.objects.update_or_create(
        clinic=locked, defaults={"weeks": after, "updated_at": timezone.now()}
    )
    for each in now_early:
        _plan, reasoned = outdated.pop(each.plan.pk, (each.plan, []))
        alert_services.alert_offsets_raised(
            plan=each.plan, placements=[*each.placements, *reasoned], offsets=after
        )
    for plan, reasoned in outdated.values():
        alert_services.alert_offsets_raised(plan=plan, placements=reasoned, offsets=after)
    TeamEvent.objects.create(
        clinic=locked,
        actor=changed_by,
        action=TeamEvent.Action.SETTINGS_CHANGED,
        detail=(
            _("Risk-factor offsets: %(changes)s")
            % {
                "changes": "; ".join(
                    _("%(modifier)s +%(before)s → +%(after)s weeks")
                    % {"modifier": m.label, "before": before[m.code], "after": after[m.code]}
                    for m in changed
                )
            }
        )[:TEAM_EVENT_DETAIL_MAX_LENGTH],
    )
    return now_early


@transaction.atomic
def patient_risk_update(*, patient: Patient, values: dict[str, bool]) -> Patient:
    """Record the patient's risk modifiers (``rehab.risk``: flags on the record).

    A modifier moves the earliest safe weeks later, so the plan the patient follows is checked
    again first, as for a corrected date: an exercise of the current or a later phase that
    would then start before its earliest safe week without a recorded reason refuses the
    change with the list (nothing changes); one with a reason that now starts earlier than
    when it was given (``guardrails.made_earlier``) alerts their clinician."""
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    locked.check_not_erased()
    changed = [name for name in risk.FLAG_FIELDS if getattr(locked, name) != values[name]]
    following = (
        Plan.objects.select_for_update().filter(patient=locked, status__in=PLANS_IN_CARE).first()
    )
    before: list[EarlyPlacement] = []
    if following is not None and changed:
        following.patient = locked
        before = early_in_care([following])[following.pk]
    for name in changed:
        setattr(locked, name, values[name])
    if following is not None and changed:
        early = early_in_care([following])[following.pk]
        plan_services.refuse_missing_reasons(
            guardrails.missing_reasons(early),
            intro=_(
                "With these risk factors some exercises of the patient's plan would start "
                "before their earliest safe week. Record a reason for each in the plan "
                "builder, or move them, before recording the risk factors."
            ),
        )
        outdated = guardrails.made_earlier(early, before=before)
        if outdated:
            alert_services.alert_reasons_outdated(
                plan=following, placements=outdated, change=_("risk factors")
            )
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return locked
