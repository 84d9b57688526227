"""Writes of a clinic's own templates: save a patient's plan as one, and edit one through a
draft of its next version, which replaces the current version when it is published.

A plan keeps the copy it was made from (``plan_from_protocol`` copies phases and items), and
the version it names stays as it was: versions are never changed once published. Every edit
is on a draft (``_ensure_draft``). Templates follow the guardrails without exceptions: an
exercise is never placed in a phase that starts before its earliest safe week on the
template's pathway (``rehab.guardrails.earliest_week_warning``); an early placement is a
decision for one patient, with its reason, in that patient's plan.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clinic.models import Clinic, User
from core.resubmit import resubmit_since
from rehab.guardrails import GuardrailWarning, earliest_week_warning
from rehab.models.criteria import CRITERION_FIELDS, PlanCriterion, ProtocolCriterion
from rehab.models.library import Exercise, Pathway
from rehab.models.plans import Plan, Prescription
from rehab.models.protocols import Protocol, ProtocolItem, ProtocolPhase
from rehab.services.plans import DOSE_FIELDS, PHASE_FIELDS

TEMPLATE_FIELDS = ("name", "summary", "source")


def _slug(name: str) -> str:
    return f"{slugify(name)[:80].strip('-') or 'template'}-{secrets.token_hex(4)}"


def early_error(warnings: list[tuple[str, GuardrailWarning]]) -> ValidationError:
    """The refusal of a template's exercises placed before their earliest safe week (each with
    its phase's name), in the clinician's words: the clinic's template pages and the admin
    (site staff's shared templates) say the same."""
    return ValidationError(
        _(
            "A template cannot place an exercise before its earliest safe week: "
            "%(list)s. Put it in a later phase (a patient's own plan may place it "
            "earlier, with a reason)."
        )
        % {
            "list": "; ".join(
                _("%(exercise)s in %(phase)s (from week %(week)s)")
                % {"exercise": w.exercise.name, "phase": phase, "week": w.earliest_week}
                for phase, w in warnings
            )
        },
        code="guardrail",
    )


def _refuse_early(warnings: list[tuple[str, GuardrailWarning]]) -> None:
    if warnings:
        raise early_error(warnings)


def early_in_phase(*, pathway: str, start_week: int, exercise: Exercise) -> GuardrailWarning | None:
    """The warning for ``exercise`` in a template's phase starting in ``start_week`` on
    ``pathway``: every write of a template (here and in the admin) asks it."""
    return earliest_week_warning(exercise=exercise, pathway=pathway, start_week=start_week)


def _early(protocol: Protocol, phase: ProtocolPhase, exercise: Exercise) -> GuardrailWarning | None:
    return early_in_phase(pathway=protocol.pathway, start_week=phase.start_week, exercise=exercise)


def _early_items(protocol: Protocol) -> list[tuple[str, GuardrailWarning]]:
    found = []
    for phase in protocol.phases.prefetch_related("items__exercise").order_by("order"):
        for item in phase.items.all():
            warning = _early(protocol, phase, item.exercise)
            if warning is not None:
                found.append((phase.name, warning))
    return found


# --- An exercise's earliest safe week moved later ------------------------------------------

_EARLIEST_WEEK_FIELD: dict[str, str] = {
    Pathway.OPERATIVE: "earliest_week_operative",
    Pathway.NON_OPERATIVE: "earliest_week_non_operative",
}


def refuse_raise_before_templates(*, exercise: Exercise, weeks: dict[str, int]) -> None:
    """Refuse the new earliest safe ``weeks`` of ``exercise`` (pathway → week) while a published
    template (the current version of a clinic's template, or a shared one) places it in a phase
    of that pathway starting earlier: the template would offer an early placement to every
    new plan. Moving it to a later phase of the template (a new version) comes first.

    Drafts are left: publishing one checks it again (``template_publish``). Answers
    ``rehab.events.exercise_earliest_weeks_raising`` (``rehab.receivers``)."""
    errors: dict[str, ValidationError] = {}
    for pathway, week in weeks.items():
        phases = list(
            ProtocolPhase.objects.filter(
                protocol__is_published=True,
                protocol__is_draft=False,
                protocol__pathway=pathway,
                start_week__lt=week,
                items__exercise=exercise,
            )
            .select_related("protocol__clinic")
            .distinct()
            .order_by("protocol__clinic__name", "protocol__name", "protocol__pk", "order")
        )
        if not phases:
            continue
        errors[_EARLIEST_WEEK_FIELD[pathway]] = ValidationError(
            _(
                "Published templates still place %(exercise)s before week %(week)s: "
                "%(list)s. First move it to a phase starting in week %(week)s or later in each "
                "of them, or take it out (edit the template and publish the new version); "
                "then change its earliest safe week."
            )
            % {
                "week": week,
                "exercise": exercise.name,
                "list": "; ".join(
                    _template_phase(phase, shared=exercise.clinic_id is None) for phase in phases
                ),
            },
            code="early_in_templates",
        )
    if errors:
        raise ValidationError(errors)


def _template_phase(phase: ProtocolPhase, *, shared: bool) -> str:
    """ "“Early loading” (v2), phase “Protected walking” (starts in week 6)", with whose
    template it is when the exercise is shared (a shared template or a clinic's own)."""
    protocol = phase.protocol
    text = _("“%(template)s” (v%(version)s), phase “%(phase)s” (starts in week %(start)s)") % {
        "template": protocol.name,
        "version": protocol.version,
        "phase": phase.name,
        "start": phase.start_week,
    }
    if not shared:
        return text
    if protocol.clinic is None:
        return _("shared template %(template)s") % {"template": text}
    return _("%(clinic)s's template %(template)s") % {
        "clinic": protocol.clinic.name,
        "template": text,
    }


# --- From a patient's plan ------------------------------------------------------------------


def early_prescriptions(plan: Plan) -> list[tuple[Prescription, GuardrailWarning]]:
    """The plan's live prescriptions placed before their earliest safe week (each kept there
    for this patient with a reason): a template leaves them out. One query."""
    live = (
        Prescription.objects.filter(phase__plan=plan, retired_at__isnull=True)
        .select_related("phase", "exercise")
        .order_by("phase__order", "phase__pk", "order", "pk")
    )
    found = []
    for rx in live:
        warning = earliest_week_warning(
            exercise=rx.exercise, pathway=plan.pathway, start_week=rx.phase.start_week
        )
        if warning is not None:
            found.append((rx, warning))
    return found


@transaction.atomic
def protocol_from_plan(
    *, plan: Plan, name: str, created_by: User | None, leave_out_early: bool = False
) -> Protocol:
    """A new clinic template from ``plan``: its phases, live exercises, doses and notes to the
    patient; nothing else of the patient (not the dates, logs, reasons or who they are).

    Exercises placed early for this patient are refused unless ``leave_out_early`` (then they
    are left out). The same name saved by the same person moments ago is the same form sent
    twice: that template is returned."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")}, code="required")
    clinic = plan.patient.clinic
    Clinic.objects.select_for_update().filter(pk=clinic.pk).first()  # one save at a time
    just_saved = (
        Protocol.objects.filter(
            clinic=clinic, name=name, created_by=created_by, created_at__gt=resubmit_since()
        )
        .order_by("-pk")
        .first()
    )
    if just_saved is not None and _shape(just_saved) == _plan_shape(plan):
        return just_saved
    early = early_prescriptions(plan)
    if early and not leave_out_early:
        raise ValidationError(
            _(
                "These exercises are placed before their earliest safe week for this patient "
                "(with a reason): %(names)s. A template follows the guardrails: confirm that "
                "they are left out."
            )
            % {"names": ", ".join(rx.exercise.name for rx, _w in early)},
            code="early_items",
        )
    skipped = {rx.pk for rx, _w in early}
    protocol = Protocol(
        name=name,
        slug=_slug(name),
        pathway=plan.pathway,
        summary="",
        source=_("Made at %(clinic)s from a patient's plan.") % {"clinic": clinic.name},
        version="1",
        clinic=clinic,
        is_published=True,
        created_by=created_by,
    )
    protocol.full_clean(exclude=["created_by"])
    protocol.save()
    for phase in plan.phases.order_by("order", "pk"):
        copy = ProtocolPhase(protocol=protocol, **{f: getattr(phase, f) for f in PHASE_FIELDS})
        copy.full_clean()
        copy.save()
        ProtocolCriterion.objects.bulk_create(
            ProtocolCriterion(phase=copy, **{f: getattr(c, f) for f in CRITERION_FIELDS})
            for c in PlanCriterion.objects.filter(phase=phase).order_by("order", "pk")
        )
        live = phase.prescriptions.filter(retired_at__isnull=True).order_by("order", "pk")
        for order, rx in enumerate((rx for rx in live if rx.pk not in skipped), start=1):
            item = ProtocolItem(
                phase=copy,
                exercise_id=rx.exercise_id,
                order=order,
                note=rx.note,
                **{f: getattr(rx, f) for f in DOSE_FIELDS},
            )
            item.full_clean()
            item.save()
    return protocol


def _shape(protocol: Protocol) -> list[tuple[str, list[int]]]:
    """Each phase's name and exercises, in order: what a template made from a plan holds. Two
    queries."""
    items = Prefetch("items", queryset=ProtocolItem.objects.order_by("order", "pk"))
    return [
        (phase.name, [item.exercise_id for item in phase.items.all()])
        for phase in protocol.phases.order_by("order", "pk").prefetch_related(items)
    ]


def _plan_shape(plan: Plan) -> list[tuple[str, list[int]]]:
    """``_shape`` of the template ``protocol_from_plan`` makes of ``plan`` (its live exercises,
    those placed early left out)."""
    early = {rx.pk for rx, _w in early_prescriptions(plan)}
    live = Prefetch(
        "prescriptions",
        queryset=Prescription.objects.filter(retired_at__isnull=True).order_by("order", "pk"),
    )
    return [
        (phase.name, [rx.exercise_id for rx in phase.prescriptions.all() if rx.pk not in early])
        for phase in plan.phases.order_by("order", "pk").prefetch_related(live)
    ]


# --- Versions --------------------------------------------------------------------------------


def _ensure_own(protocol: Protocol) -> None:
    if protocol.clinic_id is None:
        raise ValidationError(
            _("Shared templates are changed by site staff; save a plan as your own instead."),
            code="shared",
        )


def _ensure_draft(protocol: Protocol) -> Protocol:
    locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if not locked.is_draft:
        raise ValidationError(
            _("Only a draft can be changed: start a new version of the template first."),
            code="not_draft",
        )
    return locked


def _next_version(protocol: Protocol) -> str:
    numbers = [
        int(v)
        for v in Protocol.objects.filter(lineage=protocol.lineage).values_list("version", flat=True)
        if str(v).isascii() and str(v).isdigit()
    ]
    return str(max(numbers, default=0) + 1)


@transaction.atomic
def template_draft(*, protocol: Protocol, created_by: User | None) -> Protocol:
    """The draft of the template's next version (made as a copy of ``protocol``, or the one
    already being edited). The template's versions are locked first: two requests at once (a
    double click on "Edit") find each other's draft, not two drafts."""
    _ensure_own(protocol)
    list(
        Protocol.objects.select_for_update()
        .filter(lineage=protocol.lineage)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    existing = Protocol.objects.filter(lineage=protocol.lineage, is_draft=True).first()
    if existing is not None:
        return existing
    draft = Protocol(
        **{f: getattr(protocol, f) for f in ("name", "summary", "source", "pathway", "clinic")},
        lineage=protocol.lineage,
        slug=_slug(protocol.name),
        version=_next_version(protocol),
        is_draft=True,
        is_published=False,
        created_by=created_by,
    )
    draft.full_clean(exclude=["created_by"])
    draft.save()
    for phase in protocol.phases.prefetch_related("items").order_by("order"):
        copy = ProtocolPhase.objects.create(
            protocol=draft, **{f: getattr(phase, f) for f in PHASE_FIELDS}
        )
        ProtocolCriterion.objects.bulk_create(
            ProtocolCriterion(phase=copy, **{f: getattr(c, f) for f in CRITERION_FIELDS})
            for c in ProtocolCriterion.objects.filter(phase=phase).order_by("order", "pk")
        )
        ProtocolItem.objects.bulk_create(
            ProtocolItem(
                phase=copy,
                exercise_id=item.exercise_id,
                order=item.order,
                note=item.note,
                **{f: getattr(item, f) for f in DOSE_FIELDS},
            )
            for item in phase.items.all()
        )
    return draft


@transaction.atomic
def template_publish(*, draft: Protocol) -> Protocol:
    """The draft becomes the template's current version; the version it replaces is kept,
    no longer offered (plans made from it keep their copy and still name it)."""
    draft = _ensure_draft(draft)
    if not draft.phases.exists():
        raise ValidationError(_("Add at least one phase before publishing."), code="no_phases")
    # The exercises' earliest weeks as they are now: one being raised meanwhile waits (and
    # then sees this version, ``refuse_raise_before_templates``).
    list(
        Exercise.objects.select_for_update()
        .filter(pk__in=ProtocolItem.objects.filter(phase__protocol=draft).values("exercise"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _refuse_early(_early_items(draft))
    now = timezone.now()
    Protocol.objects.filter(lineage=draft.lineage, superseded_at__isnull=True).exclude(
        pk=draft.pk
    ).update(is_published=False, superseded_at=now)
    draft.is_draft = False
    draft.is_published = True
    draft.save(update_fields=["is_draft", "is_published", "updated_at"])
    return draft


@transaction.atomic
def template_discard(*, draft: Protocol) -> None:
    draft = _ensure_draft(draft)
    draft.delete()


@transaction.atomic
def template_archive(*, protocol: Protocol, archived: bool = True) -> Protocol:
    """Stop offering the template's current version for new plans (or offer it again)."""
    _ensure_own(protocol)
    if protocol.is_draft or protocol.superseded_at is not None:
        raise ValidationError(
            _("Only the template's current version can be archived or restored."),
            code="not_current",
        )
    protocol.is_published = not archived
    protocol.save(update_fields=["is_published", "updated_at"])
    return protocol


@transaction.atomic
def template_update(*, draft: Protocol, **fields: Any) -> Protocol:
    draft = _ensure_draft(draft)
    for name, value in fields.items():
        if name not in TEMPLATE_FIELDS:
            raise ValidationError(_("%(name)s cannot be changed here.") % {"name": name})
        setattr(draft, name, value)
    draft.full_clean(exclude=["created_by"])
    draft.save()
    return draft


def _just_added(created_at: dt.datetime | None) -> bool:
    return created_at is not None and created_at > resubmit_since()


@transaction.atomic
def template_phase_add(*, draft: Protocol, **fields: Any) -> ProtocolPhase:
    """Add a phase at the end of the draft. The same phase as the last one, added moments ago,
    is the same form sent twice (the draft is locked first, so two at once find each other): it
    is returned."""
    draft = _ensure_draft(draft)
    last = draft.phases.order_by("-order").first()
    if (
        last is not None
        and _just_added(last.created_at)
        and all(getattr(last, k) == v for k, v in fields.items())
    ):
        return last
    order = (last.order if last is not None else 0) + 1
    phase = ProtocolPhase(protocol=draft, order=order, **fields)
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def template_phase_update(*, phase: ProtocolPhase, **fields: Any) -> ProtocolPhase:
    draft = _ensure_draft(phase.protocol)
    for name, value in fields.items():
        setattr(phase, name, value)
    phase.full_clean()
    _refuse_early(
        [
            (phase.name, warning)
            for item in phase.items.select_related("exercise")
            if (warning := _early(draft, phase, item.exercise)) is not None
        ]
    )
    phase.save()
    return phase


@transaction.atomic
def template_phase_remove(*, phase: ProtocolPhase) -> None:
    _ensure_draft(phase.protocol)
    phase.delete()


@transaction.atomic
def template_item_add(
    *, phase: ProtocolPhase, exercise: Exercise, note: str = "", **dose: Any
) -> ProtocolItem:
    """Add ``exercise`` at the end of the phase, at its default dose unless ``dose`` is given.
    The same exercise, dose and note as the phase's last item, added moments ago, is the same
    form sent twice (the draft is locked first): that item is returned."""
    draft = _ensure_draft(phase.protocol)
    _refuse_early([(phase.name, w)] if (w := _early(draft, phase, exercise)) is not None else [])
    values = {
        **exercise.default_dose(),
        **{k: v for k, v in dose.items() if k in DOSE_FIELDS},
    }
    last = phase.items.order_by("-order").first()
    if (
        last is not None
        and _just_added(last.created_at)
        and last.exercise_id == exercise.pk
        and last.note == note
        and all(getattr(last, k) == v for k, v in values.items())
    ):
        return last
    order = (last.order if last is not None else 0) + 1
    item = ProtocolItem(phase=phase, exercise=exercise, order=order, note=note, **values)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def template_item_update(*, item: ProtocolItem, note: str = "", **dose: Any) -> ProtocolItem:
    _ensure_draft(item.phase.protocol)
    for name, value in dose.items():
        if name not in DOSE_FIELDS:
            raise ValidationError(_("%(name)s cannot be changed here.") % {"name": name})
        setattr(item, name, value)
    item.note = note
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def template_item_remove(*, item: ProtocolItem) -> None:
    _ensure_draft(item.phase.protocol)
    item.delete()
