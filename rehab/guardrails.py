"""Guardrails: an exercise placed before its earliest safe week for the patient.

Every path that changes what a patient is asked to do asks these rules (the builder's adds,
moves and phase edits, activation, moving a plan between phases, a corrected surgery or injury
date, a time zone that puts the patient on an earlier day): each compares the exercise's
earliest safe week for the patient (``earliest_safe_week``) with the week the patient will
actually be in when it starts for them (``patient_week_for_phase``), not only with the phase's
planned start week. An early placement needs a clinician's reason before it can stay where it
is.

Templates have no patient: they compare with the phase's start week on the template's pathway
(``earliest_week_warning``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.models import Patient
from rehab import clinical, measures, risk
from rehab.models.library import Exercise
from rehab.models.plans import Plan, PlanPhase, Prescription

# Plans the patient is following: a paused plan is still theirs (exercise waits for a review).
PLANS_IN_CARE = (Plan.Status.ACTIVE, Plan.Status.PAUSED)


@dataclass(frozen=True)
class GuardrailWarning:
    """An exercise placed before its earliest safe week.

    ``patient_week``: the week the patient will be in when it starts for them (None for a
    template, which has no patient: then the phase's start week is compared).
    """

    exercise: Exercise
    phase_start_week: int
    earliest_week: int
    patient_week: int | None = None
    # The patient's risk modifiers that moved ``earliest_week`` later (rehab.risk).
    risk_reasons: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.patient_week is None:
            return _(
                "%(exercise)s is usually not started before week %(earliest)s on this pathway; "
                "this phase starts in week %(start)s."
            ) % {
                "exercise": self.exercise.name,
                "earliest": self.earliest_week,
                "start": self.phase_start_week,
            }
        message = _(
            "%(exercise)s is usually not started before week %(earliest)s for this patient; "
            "they will be in week %(week)s when it starts for them."
        ) % {
            "exercise": self.exercise.name,
            "earliest": self.earliest_week,
            "week": self.patient_week,
        }
        if self.risk_reasons:
            message += " " + _("Moved later by: %(reasons)s.") % {
                "reasons": "; ".join(self.risk_reasons)
            }
        return message

    @property
    def reason(self) -> str:
        return self.exercise.earliest_week_reason

    @property
    def source(self) -> str:
        return self.exercise.earliest_week_source or self.exercise.source


def earliest_safe_week(
    exercise: Exercise, patient: Patient, *, offsets: Mapping[str, int] | None = None
) -> int:
    """The first week ``patient`` may start ``exercise``: the exercise's earliest week for the
    patient's pathway, moved later by the patient's risk modifiers, by the offsets their clinic
    set (``rehab.risk.offset_weeks``: read once per clinic instance, or with it), or by
    ``offsets`` (code → weeks) when given: a change of the clinic's not saved yet.

    The one place a patient's own circumstances shift it (risk modifiers, clinical.md §7):
    every guardrail on a patient's plan asks this function.
    """
    weeks, _modifiers = risk.offset_weeks(patient, offsets)
    return min(exercise.earliest_week_for(patient.pathway) + weeks, clinical.WEEK_MAX)


def home_measure_fields(patient: Patient, *, day: dt.date | None = None) -> tuple[str, ...]:
    """The home measures' fields ``patient`` is asked on ``day`` (their today by default): a
    test that waits for a week of recovery (single-leg heel raises and walking on the toes,
    week 12: ``Measure.home_from_week``) waits as ``earliest_safe_week`` does, moved later by
    the patient's risk modifiers (+2 weeks after a re-rupture: week 14). The home measurement
    form asks only these, so a value sent for another is not stored."""
    weeks, _modifiers = risk.offset_weeks(patient)
    week = patient.week_on(day or patient.local_today())
    return measures.home_fields_by_week(week, offset_weeks=weeks)


def risk_reasons(patient: Patient, *, offsets: Mapping[str, int] | None = None) -> tuple[str, ...]:
    """Why ``earliest_safe_week`` is later for ``patient`` (with ``offsets``, if given): each
    modifier that moved it, with its offset and basis ("Re-rupture or revision surgery: +2
    weeks (local default, …)")."""
    weeks, modifiers = risk.offset_weeks(patient, offsets)
    return tuple(
        ngettext(
            "%(modifier)s: +%(weeks)s week (%(basis)s)",
            "%(modifier)s: +%(weeks)s weeks (%(basis)s)",
            weeks,
        )
        % {"modifier": m.label, "weeks": weeks, "basis": risk.BASIS}
        for m in modifiers
    )


def phase_in(phases: Sequence[PlanPhase], week: int) -> PlanPhase | None:
    """The phase of ``phases`` (in order) for ``week``: the one containing it, else the last
    that started before it, else the first (the one a plan activated then starts in)."""
    for phase in phases:
        if phase.start_week <= week < phase.end_week:
            return phase
    earlier = [p for p in phases if p.start_week <= week]
    if earlier:
        return earlier[-1]
    return phases[0] if phases else None


def patient_week_for_phase(
    phase: PlanPhase,
    *,
    today: dt.date | None = None,
    starting_now: bool = False,
    phases: Sequence[PlanPhase] | None = None,
) -> int:
    """The week the patient will actually be in when an exercise of ``phase`` starts for them.

    The plan's current phase (and a phase it is being moved to, ``starting_now``) starts for
    them today; so does the phase a draft's activation would start today (``phase_in`` the
    patient's week: the first phase, even one planned later, when none has started yet); any
    other phase at its planned start week at the earliest, and never before today (moving to
    it earlier is checked again then). ``phases``: the plan's, in order, if read already (a
    draft's are read otherwise, in the one case they matter: one query).
    """
    plan = phase.plan
    week_now = plan.week_on(today or plan.patient.local_today())
    if starting_now or (plan.status in PLANS_IN_CARE and plan.current_phase_id == phase.pk):
        return week_now
    if plan.status == Plan.Status.DRAFT and phase.start_week > week_now:
        # ``phase`` may be an edited copy (its new weeks): it stands in for the stored one.
        ordered = [phase if p.pk == phase.pk else p for p in (phases or plan.ordered_phases())]
        starting = phase_in(ordered, week_now)
        if starting is not None and starting.pk == phase.pk:
            return week_now
    return max(phase.start_week, week_now)


def earliest_week_warning(
    *, exercise: Exercise, pathway: str, start_week: int
) -> GuardrailWarning | None:
    """The warning for ``exercise`` in a template's phase starting in ``start_week`` on
    ``pathway`` (no patient: the phase's start week is compared)."""
    earliest = exercise.earliest_week_for(pathway)
    if start_week < earliest:
        return GuardrailWarning(
            exercise=exercise, phase_start_week=start_week, earliest_week=earliest
        )
    return None


def guardrail_warning(
    *,
    exercise: Exercise,
    phase: PlanPhase,
    week: int | None = None,
    offsets: Mapping[str, int] | None = None,
) -> GuardrailWarning | None:
    """The warning for ``exercise`` in ``phase`` of a patient's plan: compared with ``week``,
    else with the week the patient will be in when it starts for them; with the risk-factor
    ``offsets`` if given (``earliest_safe_week``)."""
    if week is None:
        week = patient_week_for_phase(phase)
    patient = phase.plan.patient
    earliest = earliest_safe_week(exercise, patient, offsets=offsets)
    if week < earliest:
        shifted = earliest > exercise.earliest_week_for(patient.pathway)
        return GuardrailWarning(
            exercise=exercise,
            phase_start_week=phase.start_week,
            earliest_week=earliest,
            patient_week=week,
            risk_reasons=risk_reasons(patient, offsets=offsets) if shifted else (),
        )
    return None


@dataclass(frozen=True)
class EarlyPlacement:
    """A live prescription that would start before its earliest safe week for the patient."""

    prescription: Prescription
    warning: GuardrailWarning

    @property
    def reason(self) -> str:
        return self.prescription.guardrail_reason.strip()


def early_placements(
    prescriptions: Iterable[Prescription],
    *,
    week_of: dict[int, int],
    offsets: Mapping[str, int] | None = None,
) -> list[EarlyPlacement]:
    """The live ``prescriptions`` placed before their earliest safe week, each phase compared
    with ``week_of[phase id]`` (the week the patient will be in when it starts); with the
    risk-factor ``offsets`` if given (``earliest_safe_week``)."""
    found = []
    for rx in prescriptions:
        if rx.retired_at is not None:
            continue
        warning = guardrail_warning(
            exercise=rx.exercise, phase=rx.phase, week=week_of[rx.phase_id], offsets=offsets
        )
        if warning is not None:
            found.append(EarlyPlacement(prescription=rx, warning=warning))
    return found


def missing_reasons(
    placements: Iterable[EarlyPlacement],
    *,
    reasons: dict[int, str] | None = None,
    fresh: bool = False,
) -> list[EarlyPlacement]:
    """The placements without a reason: none given in ``reasons`` (prescription id → reason)
    and, unless ``fresh`` (each must be confirmed now), none recorded already."""
    given = {pk: text.strip() for pk, text in (reasons or {}).items()}
    return [p for p in placements if not given.get(p.prescription.pk) and (fresh or not p.reason)]


def weeks_early(placement: EarlyPlacement) -> int:
    """How many weeks before its earliest safe week ``placement`` starts for the patient."""
    warning = placement.warning
    start = warning.patient_week if warning.patient_week is not None else warning.phase_start_week
    return warning.earliest_week - start


def made_earlier(
    placements: Iterable[EarlyPlacement], *, before: Iterable[EarlyPlacement]
) -> list[EarlyPlacement]:
    """The ``placements`` with a recorded reason that a change of the patient's record (a
    corrected surgery or injury date or pathway, a risk modifier) made earlier for them: early
    now and not ``before`` it, or more weeks early than then. Their reason was given for a
    later start, so their clinician is asked to look again (``services.alerts``), as after a
    raise in the library; a placement without a reason refuses the change itself."""
    was = {p.prescription.pk: weeks_early(p) for p in before}
    return [p for p in placements if p.reason and weeks_early(p) > was.get(p.prescription.pk, 0)]


def guardrail_reasons_needed(
    *,
    prescriptions: Iterable[Prescription],
    pathway: str,
    start_week: int,
    old_start_week: int,
    phase: PlanPhase | None = None,
) -> list[tuple[Prescription, GuardrailWarning]]:
    """The live prescriptions of a phase that need a (fresh) reason at ``start_week``.

    With the plan's ``phase`` (its weeks being edited), each exercise is compared with the week
    the patient will be in when the phase starts for them (``patient_week_for_phase`` with the
    new start week); without, with ``start_week`` on ``pathway``. Moving a phase's start
    earlier re-checks every exercise in it: each one that then starts before its earliest safe
    week needs its reason confirmed, even if it had one. Otherwise only the exercises that warn
    and have no reason yet need one.
    """
    week: int | None = None
    if phase is not None:
        week = patient_week_for_phase(_with_start_week(phase, start_week))
    needed = []
    for rx in prescriptions:
        if rx.retired_at is not None:
            continue
        if phase is not None and week is not None:
            warning = guardrail_warning(exercise=rx.exercise, phase=phase, week=week)
        else:
            warning = earliest_week_warning(
                exercise=rx.exercise, pathway=pathway, start_week=start_week
            )
        if warning and (start_week < old_start_week or not rx.guardrail_reason.strip()):
            needed.append((rx, warning))
    return needed


def _with_start_week(phase: PlanPhase, start_week: int) -> PlanPhase:
    """An unsaved copy of ``phase`` starting in ``start_week`` (for the check of an edit)."""
    return PlanPhase(pk=phase.pk, plan=phase.plan, start_week=start_week, end_week=phase.end_week)


def names(placements: Iterable[EarlyPlacement]) -> str:
    """The placements' exercises, for a message: "A (week 6 at the earliest), B (…)"."""
    return ", ".join(
        _("%(exercise)s (not before week %(earliest)s; the patient will be in week %(week)s)")
        % {
            "exercise": p.prescription.exercise.name,
            "earliest": p.warning.earliest_week,
            "week": p.warning.patient_week,
        }
        for p in placements
    )
