"""The protocol templates, read once per run, as ``services.plan_from_protocol`` copies them
into a plan: each phase's fields and weeks, each item's exercise, dose and guardrail reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab.guardrails import earliest_week_warning
from rehab.models.protocols import Protocol
from rehab.services.plans import DOSE_FIELDS, PHASE_FIELDS

PROTOCOL_SLUGS = {
    Patient.Pathway.OPERATIVE: "achilles-operative",
    Patient.Pathway.NON_OPERATIVE: "achilles-non-operative",
}


@dataclass(frozen=True)
class ItemTemplate:
    exercise_id: int
    order: int
    note: str
    dose: tuple[Any, ...]  # DOSE_FIELDS, in order
    guardrail_reason: str
    advice: bool = False  # advice to read (``Exercise.is_advice``): never logged

    @property
    def sets(self) -> int:
        return int(self.dose[0])

    @property
    def reps(self) -> int | None:
        return self.dose[1]

    @property
    def hold_seconds(self) -> int | None:
        return self.dose[2]

    @property
    def times_per_day(self) -> int:
        return int(self.dose[3])

    @property
    def days_per_week(self) -> int:
        return int(self.dose[4])


@dataclass(frozen=True)
class PhaseTemplate:
    values: tuple[Any, ...]  # PHASE_FIELDS, in order
    start_week: int
    end_week: int
    items: tuple[ItemTemplate, ...]


@dataclass(frozen=True)
class ProtocolTemplate:
    pk: int
    name: str
    version: str
    pathway: str
    phases: tuple[PhaseTemplate, ...]

    def phase_index_for_week(self, week: int) -> int:
        """As ``services._phase_for_week``: the phase covering the week, else the last one
        started, else the first."""
        started = 0
        for index, phase in enumerate(self.phases):
            if phase.start_week <= week < phase.end_week:
                return index
            if phase.start_week <= week:
                started = index
        return started


def load_protocol(slug: str) -> ProtocolTemplate:
    protocol = Protocol.objects.prefetch_related("phases__items__exercise").get(slug=slug)
    phases = []
    for phase in sorted(protocol.phases.all(), key=lambda p: p.order):
        items = []
        for item in sorted(phase.items.all(), key=lambda i: i.order):
            warning = earliest_week_warning(
                exercise=item.exercise, pathway=protocol.pathway, start_week=phase.start_week
            )
            items.append(
                ItemTemplate(
                    exercise_id=item.exercise_id,
                    order=item.order,
                    note=item.note,
                    dose=tuple(getattr(item, f) for f in DOSE_FIELDS),
                    guardrail_reason=_("As in the protocol template.") if warning else "",
                    advice=item.is_advice,
                )
            )
        phases.append(
            PhaseTemplate(
                values=tuple(getattr(phase, f) for f in PHASE_FIELDS),
                start_week=phase.start_week,
                end_week=phase.end_week,
                items=tuple(items),
            )
        )
    if not phases:
        msg = f"The protocol {slug!r} has no phases."
        raise CommandError(msg)
    return ProtocolTemplate(
        pk=protocol.pk,
        name=protocol.name,
        version=protocol.version,
        pathway=protocol.pathway,
        phases=tuple(phases),
    )
