"""Guardrails: an exercise placed before its earliest safe week for the patient's pathway.

The builder, the plan services and the seed data ask these rules; a warning needs a
clinician's reason before the exercise can stay where it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from rehab.models.library import Exercise
from rehab.models.plans import PlanPhase, Prescription


@dataclass(frozen=True)
class GuardrailWarning:
    """An exercise placed before its earliest safe week for the pathway."""

    exercise: Exercise
    phase_start_week: int
    earliest_week: int

    @property
    def message(self) -> str:
        return _(
            "%(exercise)s is usually not started before week %(earliest)s on this pathway; "
            "this phase starts in week %(start)s."
        ) % {
            "exercise": self.exercise.name,
            "earliest": self.earliest_week,
            "start": self.phase_start_week,
        }

    @property
    def reason(self) -> str:
        return self.exercise.earliest_week_reason

    @property
    def source(self) -> str:
        return self.exercise.earliest_week_source or self.exercise.source


def earliest_week_warning(
    *, exercise: Exercise, pathway: str, start_week: int
) -> GuardrailWarning | None:
    """The warning for ``exercise`` in a phase starting in ``start_week`` on ``pathway``."""
    earliest = exercise.earliest_week_for(pathway)
    if start_week < earliest:
        return GuardrailWarning(
            exercise=exercise, phase_start_week=start_week, earliest_week=earliest
        )
    return None


def guardrail_warning(*, exercise: Exercise, phase: PlanPhase) -> GuardrailWarning | None:
    return earliest_week_warning(
        exercise=exercise, pathway=phase.plan.pathway, start_week=phase.start_week
    )


def guardrail_reasons_needed(
    *,
    prescriptions: Iterable[Prescription],
    pathway: str,
    start_week: int,
    old_start_week: int,
) -> list[tuple[Prescription, GuardrailWarning]]:
    """The live prescriptions of a phase that need a (fresh) reason at ``start_week``.

    Moving a phase's start earlier re-checks every exercise in it: each one that then starts
    before its earliest safe week needs its reason confirmed, even if it had one. Otherwise
    only the exercises that warn and have no reason yet need one.
    """
    needed = []
    for rx in prescriptions:
        if rx.retired_at is not None:
            continue
        warning = earliest_week_warning(
            exercise=rx.exercise, pathway=pathway, start_week=start_week
        )
        if warning and (start_week < old_start_week or not rx.guardrail_reason.strip()):
            needed.append((rx, warning))
    return needed
