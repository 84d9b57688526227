"""Writes for plans: create (blank or from a template), activate (with the guardrails against
the patient's week), follow the patient's record (``rehab.services.progression`` moves a plan
between phases). Every plan edit passes ``begin_edit`` (lock, version check, bump).

Keyword-only, typed arguments. Domain errors are ``django.core.exceptions.ValidationError``
with messages fit to show a user.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from contextvars import ContextVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Patient, User
from core.resubmit import resubmit_since, sent_before
from rehab import guardrails
from rehab.guardrails import PLANS_IN_CARE, EarlyPlacement, phase_in
from rehab.models.criteria import CRITERION_FIELDS, PlanCriterion, ProtocolCriterion
from rehab.models.doses import DOSE_FIELD_NAMES
from rehab.models.plans import PhaseChange, Plan, PlanEdit, PlanPhase, Prescription
from rehab.models.protocols import PHASE_FIELD_NAMES, Protocol

DOSE_FIELDS = DOSE_FIELD_NAMES
PHASE_FIELDS = ("order", *PHASE_FIELD_NAMES)


def bump_version(plan: Plan, *, expected_version: int | None) -> None:
    """Optimistic concurrency: refuse an edit made against an older version of the plan."""
    rows = Plan.objects.filter(pk=plan.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(version=F("version") + 1)
    if not updated:
        raise stale_plan_error()
    plan.refresh_from_db(fields=["version"])


def check_version(plan: Plan, *, expected_version: int | None) -> None:
    """Refuse, before anything is asked or written, a step taken from a page of an older
    version of ``plan`` than the one read (``None``: no page version to check)."""
    if expected_version is not None and plan.version != expected_version:
        raise stale_plan_error()


def stale_plan_error() -> ValidationError:
    return ValidationError(
        _(
            "Someone else changed this plan while you were editing it. "
            "Reload the page to see their changes, then make yours again."
        ),
        code="stale_plan",
    )


def _ensure_patient_can_have_plan(patient: Patient) -> None:
    patient.check_not_erased()
    if patient.status != Patient.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s is %(status)s; reactivate the patient before planning.")
            % {"name": patient.full_name, "status": patient.get_status_display().lower()},
            code="patient_not_active",
        )


_PENDING_VERSIONS: ContextVar[list[tuple[Plan, int]] | None] = ContextVar(
    "pending_plan_versions", default=None
)


def edits_plan[**P, R](service: Callable[P, R]) -> Callable[P, R]:
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


def begin_edit(plan: Plan, *, expected_version: int | None) -> Plan:
    """Lock the plan, refuse an edit to a completed plan, an erased patient's (a draft left at
    the erasure) or an older version, bump the version.

    Returns the locked plan. ``plan`` itself shows the new version once the edit has succeeded.
    """
    locked = Plan.objects.select_for_update(of=("self",)).select_related("patient").get(pk=plan.pk)
    locked.patient.check_not_erased()
    if locked.status == Plan.Status.COMPLETED:
        raise ValidationError(
            _("This plan is completed; it can no longer be changed."), code="plan_completed"
        )
    bump_version(locked, expected_version=expected_version)
    pending = _PENDING_VERSIONS.get()
    if pending is None:
        plan.version = locked.version
    else:
        pending.append((plan, locked.version))
    return locked


def record_edit(
    plan: Plan,
    *,
    by: User | None,
    action: str,
    phase: PlanPhase | None = None,
    exercise_name: str = "",
) -> None:
    """Note the builder's edit just made to ``plan`` (locked by ``begin_edit``: its version is
    the one this edit made): who, what, in which phase (``PlanEdit``). A save refused later
    because of it says so."""
    PlanEdit.objects.create(
        plan=plan,
        version=plan.version,
        action=action,
        phase=phase if phase is not None and phase.pk is not None else None,
        phase_name=phase.name if phase is not None else "",
        exercise_name=exercise_name,
        by=by,
    )


def _recent_duplicate_draft(
    *, patient: Patient, protocol: Protocol | None, created_by: User | None, name: str
) -> Plan | None:
    """The untouched draft this same request made moments ago, if any (a double click from a
    page without an id)."""
    return (
        Plan.objects.filter(
            patient=patient,
            status=Plan.Status.DRAFT,
            protocol=protocol,
            created_by=created_by,
            name=name,
            version=1,
            created_at__gte=resubmit_since(),
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _new_draft(
    *,
    patient: Patient,
    protocol: Protocol | None,
    created_by: User | None,
    name: str,
    client_uuid: UUID | None,
) -> tuple[Plan, bool]:
    """A new draft plan (of ``protocol``, if any), saved; or, without ``client_uuid``, the same
    draft asked for a moment ago (a double-submitted form). Returns ``(plan, created)``."""
    if client_uuid is None and (
        duplicate := _recent_duplicate_draft(
            patient=patient, protocol=protocol, created_by=created_by, name=name
        )
    ):
        return duplicate, False
    plan = Plan(
        patient=patient,
        name=name,
        pathway=patient.pathway,
        anchor_date=patient.anchor_date,
        status=Plan.Status.DRAFT,
        protocol=protocol,
        protocol_version=protocol.version if protocol is not None else "",
        created_by=created_by,
        client_uuid=client_uuid,
    )
    plan.full_clean(exclude=["created_by"])  # optional: None for a seeded plan
    plan.save()
    return plan, True


@transaction.atomic
def plan_draft(
    *,
    patient: Patient,
    protocol: Protocol | None,
    created_by: User | None,
    name: str = "",
    client_uuid: UUID | None = None,
) -> tuple[Plan, bool]:
    """A new draft plan for ``patient``: a copy of ``protocol`` (``plan_from_protocol``), or
    blank if there is none. Returns ``(plan, created)``.

    Sent again with the same ``client_uuid`` (the new-plan page's, an API client's), however
    late and whatever was edited since, it returns the plan that id made; sent with another
    template (Back, another choice, Submit), it is refused: that plan is not what was asked
    for. Without an id (an older page), the same untouched draft asked for within seconds is
    returned instead.
    """
    # Lock the patient: on PostgreSQL two simultaneous submits are handled one after the
    # other, and the second finds the first's plan.
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))
    by = created_by.pk if created_by is not None else None
    if client_uuid is not None and (
        stored := sent_before(
            Plan.objects.all(),
            client_uuid,
            mine=lambda plan: (plan.patient_id, plan.created_by_id) == (patient.pk, by),
            refused=_("This id is already in use: open the page again to make a new plan."),
        )
    ):
        if stored.protocol_id != (protocol.pk if protocol is not None else None):
            error = _(
                "This page has already made a plan from another choice of template: open the "
                "new-plan page again to make another."
            )
            raise ValidationError(
                {"client_uuid": ValidationError(error, code="client_uuid_changed")}
            )
        return stored, False
    if protocol is not None:
        return _draft_from_protocol(
            patient=patient,
            protocol=protocol,
            created_by=created_by,
            name=name,
            client_uuid=client_uuid,
        )
    _ensure_patient_can_have_plan(patient)
    name = name.strip() or _("Rehabilitation plan")
    return _new_draft(
        patient=patient, protocol=None, created_by=created_by, name=name, client_uuid=client_uuid
    )


def plan_from_protocol(
    *, patient: Patient, protocol: Protocol, created_by: User | None, name: str = ""
) -> Plan:
    """Copy ``protocol`` into a new draft plan. Later protocol edits never change the copy.

    An exercise no longer offered for new plans (a clinic's archived exercise) is left out
    (``rehab.selectors.builder.protocol_exercises_not_offered`` names them). Asked for twice
    within seconds (a double-submitted form), returns the first plan.
    """
    return plan_draft(patient=patient, protocol=protocol, created_by=created_by, name=name)[0]


def _draft_from_protocol(
    *,
    patient: Patient,
    protocol: Protocol,
    created_by: User | None,
    name: str,
    client_uuid: UUID | None,
) -> tuple[Plan, bool]:
    _ensure_patient_can_have_plan(patient)
    if not protocol.is_published:  # archived, replaced by a newer version, or a draft
        raise ValidationError(
            {"protocol": _("This template is no longer offered for new plans.")},
            code="not_offered",
        )
    if protocol.pathway != patient.pathway:
        raise ValidationError(
            _("This template is for the %(protocol)s pathway; the patient is %(patient)s.")
            % {
                "protocol": protocol.get_pathway_display(),
                "patient": patient.get_pathway_display(),
            },
            code="pathway_mismatch",
        )
    plan, created = _new_draft(
        patient=patient,
        protocol=protocol,
        created_by=created_by,
        name=name.strip() or protocol.name,
        client_uuid=client_uuid,
    )
    if not created:
        return plan, False
    phases = list(protocol.phases.prefetch_related("items__exercise").order_by("order"))
    new_phases = PlanPhase.objects.bulk_create(
        [PlanPhase(plan=plan, **{f: getattr(p, f) for f in PHASE_FIELDS}) for p in phases]
    )
    new_phase_of = {p.pk: new for p, new in zip(phases, new_phases, strict=True)}
    PlanCriterion.objects.bulk_create(
        PlanCriterion(
            phase=new_phase_of[c.phase_id], **{f: getattr(c, f) for f in CRITERION_FIELDS}
        )
        for c in ProtocolCriterion.objects.filter(phase__in=phases).order_by("order", "pk")
    )
    prescriptions = [
        Prescription(
            phase=new_phase,
            exercise=item.exercise,
            order=item.order,
            note=item.note,
            **item.dose(),
        )
        for phase, new_phase in zip(phases, new_phases, strict=True)
        for item in phase.items.all()
        if item.exercise.is_published
    ]
    Prescription.objects.bulk_create(prescriptions)
    return plan, True


def _live_prescriptions(plan: Plan, phases: list[PlanPhase]) -> list[Prescription]:
    """The plan's live prescriptions with their exercises, each knowing its phase (and so its
    plan and patient: no query per row). One query."""
    by_id = {p.pk: p for p in phases}
    rows = list(
        Prescription.objects.live()
        .filter(phase__plan=plan)
        .select_related("exercise")
        .order_by("phase__order", "order", "pk")
    )
    for rx in rows:
        rx.phase = by_id[rx.phase_id]
    return rows


def plan_activation_early_placements(
    plan: Plan, *, today: dt.date | None = None
) -> list[EarlyPlacement]:
    """Every live prescription of ``plan`` that would start before its earliest safe week if
    the plan were activated ``today``: the phase for today's week starts for the patient now,
    the later ones at their planned weeks (and never before today). Each carries its recorded
    reason, if any (``EarlyPlacement.reason``). Three queries."""
    plan.patient  # noqa: B018 -- loaded once for every row's check
    today = today or plan.patient.local_today()
    phases = plan.ordered_phases()
    week_now = plan.week_on(today)
    current = phase_in(phases, week_now)
    week_of = {
        p.pk: week_now
        if current is not None and p.pk == current.pk
        else guardrails.patient_week_for_phase(p, today=today, phases=phases)
        for p in phases
    }
    return guardrails.early_placements(_live_prescriptions(plan, phases), week_of=week_of)


def refuse_missing_reasons(missing: list[EarlyPlacement], *, intro: str) -> None:
    """Refuse a change that would leave ``missing`` (early placements without a recorded
    reason), naming them after ``intro``."""
    if missing:
        # The words go in ``params``, not into the message: Django puts them in when the
        # error is shown, and an exercise named "to 90% height" must not be read as a format.
        raise ValidationError(
            _("%(intro)s Give a reason for each: %(names)s."),
            code="guardrail_reason_missing",
            params={
                "intro": intro,
                "names": guardrails.names(missing),
                "prescriptions": [p.prescription.pk for p in missing],
            },
        )


def refuse_reasons_of_other_plans(plan: Plan, reasons: dict[int, str] | None) -> None:
    """Refuse ``reasons`` keyed by a prescription that is not ``plan``'s (another clinic's,
    another plan's, or none): such a reason would be dropped without a word. One query, none
    without reasons."""
    if not reasons:
        return
    ours = set(
        Prescription.objects.filter(phase__plan=plan, pk__in=reasons).values_list("pk", flat=True)
    )
    if set(reasons) - ours:
        raise ValidationError(
            {
                "guardrail_reasons": ValidationError(
                    _("Each key is a prescription id of this plan."),
                    code="not_a_prescription_id",
                )
            }
        )


def record_reasons(placements: list[EarlyPlacement], reasons: dict[int, str] | None) -> None:
    """Store each reason given for an early placement (and only for those)."""
    given = {pk: text.strip() for pk, text in (reasons or {}).items()}
    for placement in placements:
        rx = placement.prescription
        text = given.get(rx.pk)
        if text and text != rx.guardrail_reason:
            rx.guardrail_reason = text
            rx.save(update_fields=["guardrail_reason", "updated_at"])


def _phase_for_week(plan: Plan, week: int) -> PlanPhase | None:
    return phase_in(plan.ordered_phases(), week)


@transaction.atomic
def plan_activate(
    *,
    plan: Plan,
    activated_by: User | None,
    expected_version: int | None = None,
    guardrail_reasons: dict[int, str] | None = None,
) -> Plan:
    """Make a draft plan the patient's active plan, starting at the phase for today's week.

    Refused, with the list and nothing changed, while an exercise would start before its
    earliest safe week for the patient (``plan_activation_early_placements``) without a
    reason, recorded in the builder or given in ``guardrail_reasons`` (prescription id →
    reason; stored with it)."""
    plan = Plan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    _ensure_patient_can_have_plan(plan.patient)
    if plan.status in PLANS_IN_CARE:
        return plan
    if plan.status == Plan.Status.COMPLETED:  # its record stays as it was followed
        raise ValidationError(
            _(
                "This plan is completed; it can no longer be changed. Save it as a template "
                "and start a new plan from it."
            ),
            code="plan_completed",
        )
    if not plan.phases.exists():
        raise ValidationError(
            _("Add at least one phase before activating the plan."), code="no_phases"
        )
    refuse_reasons_of_other_plans(plan, guardrail_reasons)
    today = plan.patient.local_today()
    early = plan_activation_early_placements(plan, today=today)
    refuse_missing_reasons(
        guardrails.missing_reasons(early, reasons=guardrail_reasons),
        intro=_("Some exercises would start before their earliest safe week for this patient."),
    )
    record_reasons(early, guardrail_reasons)
    current = _phase_for_week(plan, plan.week_on(today))
    bump_version(plan, expected_version=expected_version)
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
