"""Each patient's plan: a copy of their pathway's protocol, as ``services.plan_from_protocol``
makes it (its phases and prescriptions), activated a few days after the anchor, with its phase
history: the phase at activation, then each phase as its start week arrives."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from clinic.models import Patient
from rehab.management.scale.context import Seeding
from rehab.management.scale.people import PatientInfo
from rehab.management.scale.protocols import ItemTemplate, ProtocolTemplate
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription


@dataclass(frozen=True)
class PlanCopy:
    """What a patient's days are logged against."""

    timeline: list[tuple[dt.date, int]]  # (the day it began, its phase's index), in order
    prescriptions: list[list[tuple[int, ItemTemplate]]]  # each phase's (id, item)


def add_plan(
    seeding: Seeding, rng: random.Random, *, patient: PatientInfo, protocol: ProtocolTemplate
) -> PlanCopy:
    """The plan of ``patient``, from ``protocol`` (their pathway's): active while they are in
    care, completed once they are not."""
    patient_id, pathway, status = patient.pk, patient.pathway, patient.status
    tz_name, anchor, end = patient.tz_name, patient.anchor, patient.end
    activated_on, activated_at = patient.activated_on, patient.activated_at
    clinician_id = patient.clinician_id
    plan_id = seeding.ids.take(Plan)
    phase_ids = [seeding.ids.take(PlanPhase) for _phase in protocol.phases]
    # Phase history: the phase at activation, then each phase as its start week arrives.
    first_index = protocol.phase_index_for_week((activated_on - anchor).days // 7)
    timeline: list[tuple[dt.date, int]] = [(activated_on, first_index)]
    for p_index in range(first_index + 1, len(protocol.phases)):
        start = anchor + dt.timedelta(weeks=protocol.phases[p_index].start_week)
        if start > end:
            break
        timeline.append((max(start, activated_on), p_index))
    current_index = timeline[-1][1]
    started_on = {p_index: day for day, p_index in timeline}
    plan_status = Plan.Status.ACTIVE if status == Patient.Status.ACTIVE else Plan.Status.COMPLETED
    plan_created = activated_at - dt.timedelta(minutes=rng.randint(5, 120))
    last_change = seeding.past(seeding.at(timeline[-1][0], tz_name, 11))
    seeding.tables.plan.add(
        plan_id,
        patient_id,
        protocol.name,
        pathway,
        plan_status,
        anchor,
        protocol.pk,
        protocol.version,
        phase_ids[current_index],
        len(timeline),
        clinician_id,
        plan_created,
        max(last_change, activated_at),
        activated_at,
    )
    rx_by_phase: list[list[tuple[int, ItemTemplate]]] = []
    for p_index, (phase, phase_id) in enumerate(zip(protocol.phases, phase_ids, strict=True)):
        seeding.tables.phase.add(phase_id, plan_id, *phase.values, started_on.get(p_index))
        rows = []
        for item in phase.items:
            rx_id = seeding.ids.take(Prescription)
            seeding.tables.prescription.add(
                rx_id,
                phase_id,
                item.exercise_id,
                item.order,
                item.note,
                item.guardrail_reason,
                None,
                plan_created,
                plan_created,
                [],  # no earlier doses
                *item.dose,
            )
            rows.append((rx_id, item))
        rx_by_phase.append(rows)
    previous: int | None = None
    for n, (day, p_index) in enumerate(timeline):
        changed_at = (
            activated_at
            if n == 0
            else seeding.past(seeding.at(day, tz_name, 11, rng.randint(0, 59)))
        )
        seeding.tables.phase_change.add(
            seeding.ids.take(PhaseChange),
            plan_id,
            previous,
            phase_ids[p_index],
            clinician_id,
            changed_at,
            day,
        )
        previous = phase_ids[p_index]
    return PlanCopy(timeline=timeline, prescriptions=rx_by_phase)
