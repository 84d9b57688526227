"""Alerts: a clinician acknowledges one; and those raised by a change elsewhere than the
patient's own report: what an edit of the exercise library, or of the clinic's risk-factor
offsets, means for the patients following it (the report's own alerts are ``logbook``'s and
``holds``')."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import User
from core.touched import touch
from rehab import guardrails
from rehab.guardrails import PLANS_IN_CARE, EarlyPlacement
from rehab.models.alerts import Alert
from rehab.models.library import Exercise
from rehab.models.plans import Plan, Prescription


@transaction.atomic
def alert_now_early(*, exercise: Exercise) -> list[Alert]:
    """After ``exercise``'s earliest safe weeks moved later: an alert for each live prescription
    of it, in a plan in care (active or paused), in the current phase or a later one, that now
    starts before its earliest safe week for the patient (``guardrails.guardrail_warning``), so
    that their clinician moves it or records why it stays (a reason recorded before was given
    for the earlier week). One query, then one alert each (so each is notified). The audit
    trail names each patient alerted (their record changed)."""
    rows = (
        Prescription.objects.live()
        .filter(exercise=exercise, phase__plan__status__in=PLANS_IN_CARE)
        .select_related(
            # The clinic's risk-factor offsets with the patient (their guardrail): no query per row.
            "phase__plan__patient__clinic__risk_offsets",
            "phase__plan__current_phase",
        )
    )
    alerts = []
    for rx in rows:
        phase, plan = rx.phase, rx.phase.plan
        if plan.current_phase is not None and phase.order < plan.current_phase.order:
            continue  # a phase the patient has done
        phase.plan = plan
        warning = guardrails.guardrail_warning(exercise=exercise, phase=phase)
        if warning is None:
            continue
        alerts.append(
            Alert.objects.create(
                patient=plan.patient,
                kind=Alert.Kind.EARLY_EXERCISE,
                message=_(
                    "Changed in the exercise library: %(warning)s It is in %(phase)s of "
                    "%(plan)s: move it, or record why it stays."
                )
                % {"warning": warning.message, "phase": phase.name, "plan": plan.name},
            )
        )
        touch(plan.patient_id)
    return alerts


@transaction.atomic
def alert_offsets_raised(
    *, plan: Plan, placements: list[EarlyPlacement], offsets: Mapping[str, int]
) -> Alert:
    """After the clinic raised a risk-factor offset (``rehab.services.risk``): one alert for
    ``plan``, naming its ``placements`` that now start before their earliest safe week for the
    patient without a recorded reason, so that their clinician moves them or records why they
    stay. ``offsets``: the clinic's new ones (code → weeks), whose reasons it names."""
    return Alert.objects.create(
        patient=plan.patient,
        kind=Alert.Kind.EARLY_EXERCISE,
        message=_(
            "Changed in the clinic's settings (risk-factor offsets): %(names)s. Moved later "
            "by: %(reasons)s. They are in %(plan)s: move them, or record why they stay."
        )
        % {
            "names": guardrails.names(placements),
            "reasons": "; ".join(guardrails.risk_reasons(plan.patient, offsets=offsets)),
            "plan": plan.name,
        },
    )


@transaction.atomic
def alert_reasons_outdated(*, plan: Plan, placements: list[EarlyPlacement], change: str) -> Alert:
    """After ``change`` to the patient's record (a corrected date or pathway, a risk modifier)
    made ``placements`` of ``plan`` start earlier for them than when their reasons were
    recorded (``guardrails.made_earlier``): one alert naming them, so that their clinician
    moves them or records why they stay."""
    alert = Alert.objects.create(
        patient=plan.patient,
        kind=Alert.Kind.EARLY_EXERCISE,
        message=_(
            "Changed in the patient's record (%(change)s): %(names)s. The reasons recorded "
            "were given for a later start. They are in %(plan)s: move them, or record why "
            "they stay."
        )
        % {"change": change, "names": guardrails.names(placements), "plan": plan.name},
    )
    touch(plan.patient_id)
    return alert


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert
