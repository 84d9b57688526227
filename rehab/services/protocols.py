"""Writes of a clinic's own templates: save a patient's plan as one, and edit one through a
draft of its next version, which replaces the current version when it is published.

A plan keeps the copy it was made from (``plan_from_protocol`` copies phases and items), and
the version it names stays as it was: versions are never changed once published. Every edit
is on a draft (``_ensure_draft``). Templates follow the guardrails without exceptions: an
exercise is never placed in a phase that starts before its earliest safe week on the
template's pathway (``rehab.services.template_rules``); an early placement is a decision
for one patient, with its reason, in that patient's plan.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clinic.models import Clinic, User
from core.resubmit import resubmit_since, sent_before
from rehab.models.criteria import CRITERION_FIELDS, PlanCriterion, ProtocolCriterion
from rehab.models.library import Exercise
from rehab.models.plans import Plan, Prescription
from rehab.models.protocols import Protocol, ProtocolItem, ProtocolPhase
from rehab.services.plans import DOSE_FIELDS, PHASE_FIELDS
from rehab.services.template_names import refuse_taken_name
from rehab.services.template_rules import (
    early_in_template,
    early_items,
    early_prescriptions,
    refuse_early,
)

TEMPLATE_FIELDS = ("name", "summary", "source")


def _slug(name: str) -> str:
    return f"{slugify(name)[:80].strip('-') or 'template'}-{secrets.token_hex(4)}"


# --- From a patient's plan ------------------------------------------------------------------


@transaction.atomic
def protocol_from_plan(
    *,
    plan: Plan,
    name: str,
    created_by: User | None,
    leave_out_early: bool = False,
    client_uuid: UUID | None = None,
) -> Protocol:
    """A new clinic template from ``plan``: its phases, live exercises, doses and notes to the
    patient; nothing else of the patient (not the dates, logs, reasons or who they are).

    Exercises placed early for this patient are refused unless ``leave_out_early`` (then they
    are left out). Sent again with the same ``client_uuid`` (the page's), however late and
    whatever was changed since, it returns the template that id saved. Without one (an older
    page), the same name saved by the same person moments ago is the same form sent twice:
    that template is returned. Otherwise a name another template of the clinic's list has is
    refused (``refuse_taken_name``)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")}, code="required")
    clinic = plan.patient.clinic
    Clinic.objects.lock(clinic.pk)  # one save at a time
    if client_uuid is not None:
        by = created_by.pk if created_by is not None else None
        stored = sent_before(
            Protocol.objects.all(),
            client_uuid,
            mine=lambda saved: (saved.clinic_id, saved.created_by_id) == (clinic.pk, by),
            refused=_("This id is already in use: open the page again to save a new template."),
        )
        if stored is not None:
            return stored
    else:
        just_saved = (
            Protocol.objects.filter(
                clinic=clinic, name=name, created_by=created_by, created_at__gt=resubmit_since()
            )
            .order_by("-pk")
            .first()
        )
        if just_saved is not None and _shape(just_saved) == _plan_shape(plan):
            return just_saved
    refuse_taken_name(clinic=clinic, name=name)
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
        client_uuid=client_uuid,
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
        live = phase.prescriptions.live().order_by("order", "pk")
        for order, rx in enumerate((rx for rx in live if rx.pk not in skipped), start=1):
            item = ProtocolItem(
                phase=copy,
                exercise_id=rx.exercise_id,
                order=order,
                note=rx.note,
                **rx.dose(),
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
        queryset=Prescription.objects.live().order_by("order", "pk"),
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
        # With their history ("Created"), as each item saved one by one has: a later change
        # of the draft's dose is then shown in the template's history with what changed.
        bulk_create_with_history(
            [
                ProtocolItem(
                    phase=copy,
                    exercise_id=item.exercise_id,
                    order=item.order,
                    note=item.note,
                    **item.dose(),
                )
                for item in phase.items.all()
            ],
            ProtocolItem,
            default_user=created_by,
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
    refuse_early(early_items(draft))
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
    if "name" in fields and draft.clinic_id is not None:  # a draft is always a clinic's
        # Its own versions aside: a template keeps its name from one version to the next.
        refuse_taken_name(clinic=draft.clinic_id, name=draft.name, lineage=draft.lineage)
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
    refuse_early(
        [
            (phase.name, warning)
            for item in phase.items.select_related("exercise")
            if (warning := early_in_template(draft, phase, item.exercise)) is not None
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
    refuse_early(
        [(phase.name, w)] if (w := early_in_template(draft, phase, exercise)) is not None else []
    )
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
