"""The evidence for moving a patient to the next phase of their plan, as the builder shows it
beside the phases: adherence and pain over the last days, the latest check-in, ATRS and
measurements, open alerts, the exit criteria and the plan's phase history.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsResponse, CheckIn, Measurement
from rehab.models.plans import (
    PhaseChange,
    Plan,
    PlanPhase,
    Prescription,
)
from rehab.selectors.adherence import Adherence, AdherenceRead, adherence_for_patient
from rehab.selectors.criteria import AlreadyRead, PhaseEvaluation, evaluate_phases
from rehab.selectors.progress import log_counts


@dataclass(frozen=True)
class PainDay:
    """One day's highest pain: on an exercise log, and at rest on the check-in."""

    day: dt.date
    exercise: int | None
    rest: int | None

    @property
    def highest(self) -> int | None:
        values = [v for v in (self.exercise, self.rest) if v is not None]
        return max(values) if values else None


PROGRESSION_ADHERENCE_DAYS = 14
PROGRESSION_PAIN_DAYS = 7


@dataclass
class ProgressionEvidence:
    """What a clinician weighs before moving a plan to its next phase."""

    plan: Plan
    today: dt.date
    phase: PlanPhase | None
    previous_phase: PlanPhase | None
    next_phase: PlanPhase | None
    adherence: Adherence
    pain_days: list[PainDay]
    heel_rise: Measurement | None
    calf: Measurement | None
    atrs: AtrsResponse | None
    open_alerts: list[Alert]
    changes: list[PhaseChange]
    # The current phase's structured exit criteria, evaluated (None without a current phase).
    criteria: PhaseEvaluation | None = None

    @property
    def pain_max(self) -> int | None:
        values = [d.highest for d in self.pain_days if d.highest is not None]
        return max(values) if values else None

    @property
    def pain_trend(self) -> str | None:
        """ "rising", "falling" or "steady": the later half of the week's pain days against
        the earlier half (a change of a point or more); None with fewer than two days."""
        values = [d.highest for d in self.pain_days if d.highest is not None]
        if len(values) < 2:
            return None
        half = len(values) // 2
        earlier = sum(values[:half]) / half
        later = sum(values[half:]) / (len(values) - half)
        if later - earlier >= 1:
            return "rising"
        if earlier - later >= 1:
            return "falling"
        return "steady"

    @property
    def week(self) -> int:
        return self.plan.week_on(self.today)


def phase_history(plan: Plan, *, phases: Sequence[PlanPhase] = ()) -> list[PhaseChange]:
    """The plan's phase changes, newest first, with their phases and who made them. One
    query; the phases are joined in unless given (the plan's, read already)."""
    changes = PhaseChange.objects.filter(plan=plan).order_by("-changed_at", "-pk")
    if not phases:
        return list(changes.select_related("from_phase", "to_phase", "changed_by"))
    by_id = {phase.pk: phase for phase in phases}
    rows = list(changes.select_related("changed_by"))
    for change in rows:
        if change.from_phase_id in by_id:
            change.from_phase = by_id[change.from_phase_id]
        if change.to_phase_id in by_id:
            change.to_phase = by_id[change.to_phase_id]
    return rows


def progression_evidence(
    plan: Plan,
    *,
    phases: Sequence[PlanPhase] | None = None,
    prescriptions: Sequence[Prescription] | None = None,
    today: dt.date | None = None,
) -> ProgressionEvidence:
    """The current phase and its neighbours, its structured exit criteria evaluated, and the
    evidence next to them: adherence over 14 days, each day's highest pain over 7, the latest
    heel-rise and calf measurements, the latest ATRS, open alerts and the phase history.

    Queries: phases (1, none if ``phases`` is given), phase history (1), the patient's logs
    over 14 days counted per prescription and day (1), adherence's own (none for a plan in
    care whose ``prescriptions``, retired ones too, are given; else up to 4), pain at rest (1),
    measurements (1), the latest ATRS (1), the current phase's criteria evaluated from what is
    read here (1; 3 when ``today`` is not the patient's today), open alerts (1): seven for the
    builder.
    """
    patient = plan.patient
    local_today = patient.local_today()
    today = today or local_today
    if phases is None:
        phases = list(PlanPhase.objects.filter(plan=plan).order_by("order", "pk"))
        for each in phases:
            each.plan = plan
    ids = [p.pk for p in phases]
    current = None
    previous_phase = next_phase = None
    if plan.current_phase_id in ids:
        index = ids.index(plan.current_phase_id)
        current = phases[index]
        previous_phase = phases[index - 1] if index > 0 else None
        next_phase = phases[index + 1] if index + 1 < len(phases) else None
    changes = phase_history(plan, phases=phases)
    # The patient's logs over the adherence range, counted per prescription and day with
    # their highest pain and how many scored it: adherence's counts, and the pain days.
    adherence_start = today - dt.timedelta(days=PROGRESSION_ADHERENCE_DAYS - 1)
    logs = log_counts(patient, start=adherence_start, end=today)
    # The patient's plan in care and its rows are read already when it is this plan (else
    # adherence reads the plan they follow).
    adherence = adherence_for_patient(
        patient,
        start=adherence_start,
        end=today,
        plan=plan if plan.in_care else None,
        # The patient's today is not over: what is done counts, the rest is no debt yet (as
        # the criteria, the patient's progress and the patient list judge it).
        in_progress=local_today,
        read=AdherenceRead(
            changes=changes,
            prescriptions=prescriptions,
            log_counts=[(row.prescription_id, row.day, row.done) for row in logs],
        )
        if plan.in_care and prescriptions is not None
        else None,
    )
    # Each day's highest pain during exercise (with the scored logs) and at rest: the pain
    # days shown, and the criteria's pain over the same days.
    pain_start = today - dt.timedelta(days=PROGRESSION_PAIN_DAYS - 1)
    exercise_pain: dict[dt.date, tuple[int, int]] = {}
    for row in logs:
        if row.scored and row.day >= pain_start:
            highest, scored = exercise_pain.get(row.day, (0, 0))
            exercise_pain[row.day] = (max(highest, row.highest or 0), scored + row.scored)
    rest_scores = list(
        CheckIn.objects.filter(
            patient=patient, date__gte=pain_start, date__lte=today, pain_at_rest__isnull=False
        )
        .order_by()
        .values_list("date", "pain_at_rest")
    )
    rest_pain: dict[dt.date, int] = {}
    for day, pain in rest_scores:
        rest_pain[day] = max(pain, rest_pain.get(day, 0))
    pain_days = [
        PainDay(
            day=day,
            exercise=exercise_pain[day][0] if day in exercise_pain else None,
            rest=rest_pain.get(day),
        )
        for day in (pain_start + dt.timedelta(days=n) for n in range(PROGRESSION_PAIN_DAYS))
    ]
    # A patient's measurements: tens at most, read once for the latest values and the criteria.
    measurements = list(
        Measurement.objects.filter(patient=patient).order_by("-date", "-created_at")
    )
    atrs = AtrsResponse.objects.filter(patient=patient).order_by("-date", "-created_at").first()
    criteria = None
    if current is not None:
        same_days = today == local_today  # the criteria's pain is over the patient's today
        (criteria,) = evaluate_phases(
            [(patient, plan, current)],
            read=AlreadyRead(
                measurements=measurements[::-1],
                atrs=[atrs] if atrs else [],
                adherence=adherence,
                rest_pain=[pain for _day, pain in rest_scores] if same_days else None,
                exercise_pain=list(exercise_pain.values()) if same_days else None,
            ),
        )
    return ProgressionEvidence(
        plan=plan,
        today=today,
        phase=current,
        previous_phase=previous_phase,
        next_phase=next_phase,
        adherence=adherence,
        pain_days=pain_days,
        heel_rise=next(
            (
                m
                for m in measurements
                if m.heel_rise_reps_injured is not None or m.heel_rise_reps_uninjured is not None
            ),
            None,
        ),
        calf=next(
            (
                m
                for m in measurements
                if m.calf_cm_injured is not None or m.calf_cm_uninjured is not None
            ),
            None,
        ),
        atrs=atrs,
        open_alerts=list(
            Alert.objects.open().filter(patient=patient).order_by("-created_at", "-pk")
        ),
        changes=changes,
        criteria=criteria,
    )
