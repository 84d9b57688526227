"""A template's guardrail: it never places an exercise in a phase that starts before the
exercise's earliest safe week on the template's pathway (``rehab.guardrails``). An early
placement is a decision for one patient, with its reason, in that patient's plan; so every write
of a template asks these (``rehab.services.protocols`` and the admin of shared templates), a
plan saved as a template leaves its early exercises out, and an exercise's earliest safe week
cannot move past a published template that places it earlier.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rehab.guardrails import GuardrailWarning, earliest_week_warning
from rehab.models.library import Exercise, Pathway
from rehab.models.plans import Plan, Prescription
from rehab.models.protocols import Protocol, ProtocolPhase


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


def refuse_early(warnings: list[tuple[str, GuardrailWarning]]) -> None:
    """Raise ``early_error`` of ``warnings``, if any."""
    if warnings:
        raise early_error(warnings)


def early_in_phase(*, pathway: str, start_week: int, exercise: Exercise) -> GuardrailWarning | None:
    """The warning for ``exercise`` in a template's phase starting in ``start_week`` on
    ``pathway``: every write of a template (here and in the admin) asks it."""
    return earliest_week_warning(exercise=exercise, pathway=pathway, start_week=start_week)


def early_in_template(
    protocol: Protocol, phase: ProtocolPhase, exercise: Exercise
) -> GuardrailWarning | None:
    """``early_in_phase`` for ``exercise`` in ``phase`` of ``protocol``."""
    return early_in_phase(pathway=protocol.pathway, start_week=phase.start_week, exercise=exercise)


def early_items(protocol: Protocol) -> list[tuple[str, GuardrailWarning]]:
    """Each exercise of ``protocol`` placed before its earliest safe week, with its phase's
    name."""
    found = []
    for phase in protocol.phases.prefetch_related("items__exercise").order_by("order"):
        for item in phase.items.all():
            warning = early_in_template(protocol, phase, item.exercise)
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


def early_prescriptions(plan: Plan) -> list[tuple[Prescription, GuardrailWarning]]:
    """The plan's live prescriptions placed before their earliest safe week (each kept there
    for this patient with a reason): a template leaves them out. One query."""
    live = (
        Prescription.objects.live()
        .filter(phase__plan=plan)
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
