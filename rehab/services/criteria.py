"""Writes of exit criteria: a clinician's yes/no judgement, adding and removing a plan phase's
criteria (the builder's small form)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic.models import User
from rehab.models.criteria import (
    CriterionJudgement,
    CriterionKind,
    PlanCriterion,
    ProposalDismissal,
)
from rehab.models.plans import PlanPhase
from rehab.services.plans import begin_edit


@transaction.atomic
def criterion_judge(
    *, criterion: PlanCriterion, met: bool | None, by: User | None
) -> PlanCriterion:
    """Record the clinician's yes/no (None: not judged). Only the yes/no kind is judged.

    The criterion holds the judgement now; each one given is kept too (``CriterionJudgement``:
    who, when, met, not met or cleared), so setting it back to "not judged", or met to not
    met, never erases who judged it met and when: that is part of the patient's record. The
    judgement it has already, sent again (a retried submit), changes nothing."""
    locked = (
        PlanCriterion.objects.select_for_update(of=("self",))
        .select_related("phase")
        .get(pk=criterion.pk)
    )
    if locked.kind != CriterionKind.CLINICIAN:
        raise ValidationError(
            _("This criterion is tested from recorded data, not judged."), code="not_judged"
        )
    if locked.judged_met is met:
        return locked
    now = timezone.now()
    locked.judged_met = met
    locked.judged_at = None if met is None else now
    locked.judged_by = None if met is None else by
    locked.full_clean()
    locked.save(update_fields=["judged_met", "judged_at", "judged_by"])
    CriterionJudgement.objects.create(
        plan_id=locked.phase.plan_id,
        criterion=locked,
        phase_name=locked.phase.name,
        criterion_text=locked.description[:300],
        met=met,
        by=by,
        at=now,
    )
    return locked


@transaction.atomic
def criterion_add(
    *, phase: PlanPhase, kind: str, threshold: Decimal | None, measure: str = "", label: str = ""
) -> PlanCriterion:
    """Add a criterion at the end of ``phase``'s list; impossible ones are refused (``clean``).
    The same criterion sent again (a retried submit) is the one already there: no second row
    (the plan is locked first, so two at once find each other). A completed plan's are not
    changed; a change is a new version of the plan, as any other edit."""
    begin_edit(phase.plan, expected_version=None)
    same = PlanCriterion.objects.filter(
        phase=phase, kind=kind, threshold=threshold, measure=measure, label=label.strip()
    ).first()
    if same is not None:
        return same
    last = (
        PlanCriterion.objects.filter(phase=phase)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
        or 0
    )
    criterion = PlanCriterion(
        phase=phase,
        order=last + 1,
        kind=kind,
        threshold=threshold,
        measure=measure,
        label=label.strip(),
    )
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criterion_remove(*, criterion: PlanCriterion) -> None:
    """Remove a criterion; not of a completed plan (a new version of the plan, as any edit).

    Not one a clinician has judged met: a met criterion still says why the patient may move
    on, and the criterion has no retired state to keep it in, so removing it is refused with
    the reason. The judgements given of one removed stay in the patient's record
    (``CriterionJudgement`` names the criterion as it was)."""
    begin_edit(criterion.phase.plan, expected_version=None)
    locked = (
        PlanCriterion.objects.select_for_update(of=("self",))
        .select_related("judged_by")
        .filter(pk=criterion.pk)
        .first()
    )
    if locked is None:  # removed already (a retried submit)
        return
    if locked.judged_met:
        raise ValidationError(
            _(
                "This criterion was marked met by %(name)s on %(day)s; that is part of the "
                "patient's record, so the criterion is kept."
            )
            % {
                "name": locked.judged_by.get_full_name() if locked.judged_by else _("a clinician"),
                "day": date_format(timezone.localtime(locked.judged_at), "DATE_FORMAT")
                if locked.judged_at
                else _("an earlier day"),
            },
            code="criterion_met",
        )
    locked.delete()


@transaction.atomic
def proposal_dismiss(*, phase: PlanPhase, note: str, by: User | None) -> ProposalDismissal:
    """Dismiss the proposal of the next phase while the patient is in ``phase``, with a note.
    A repeated dismissal keeps the first (a retried submit makes one row)."""
    note = note.strip()
    if not note:
        raise ValidationError(_("Say why the patient is not moving on yet."), code="note_needed")
    dismissal, _created = ProposalDismissal.objects.get_or_create(
        phase=phase, defaults={"note": note, "dismissed_by": by}
    )
    return dismissal
