"""A patient's progress: pain, scores and measurements over time, the streak, the history.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import (
    Count,
    Max,
    Prefetch,
)
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.logbook import (
    EXERCISE_SESSION,
    FULL_SESSION,
    AtrsResponse,
    CheckIn,
    ExerciseLog,
    Measurement,
)
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription
from rehab.selectors import library as library_selectors
from rehab.selectors import today as today_selectors
from rehab.selectors.adherence import (
    Adherence,
    AdherenceRead,
    DayAdherence,
    judged_adherence_for_patient,
)


@dataclass(frozen=True)
class PainPoint:
    day: dt.date
    pain: int
    source: str  # "log" (the day's highest exercise pain) or "checkin" (pain at rest)
    scores: int = 1  # how many scores the day's point is the highest of


class LogCount(NamedTuple):
    """A patient's logs of one prescription on one day: how many, the highest pain among them,
    how many scored it and how many are sessions done (with all their sets:
    ``FULL_SESSION``). A tuple: a year of a patient's logs is a few thousand."""

    prescription_id: int
    day: dt.date
    logs: int
    highest: int | None
    scored: int
    done: int


# Logs counted per prescription and day (``LogCount``): defined once, as rehab.export's queries
# are (a queryset reads nothing until it is filtered and read, in a request; a filter of a
# log's own fields stays in its WHERE): building its four aggregates anew on each request cost
# about a third of the query's CPU.
_LOG_COUNTS = (
    ExerciseLog.objects.order_by()
    .values("prescription_id", "date")
    .annotate(
        n=Count("pk"),
        highest=Max("pain"),
        scored=Count("pain"),
        done=Count("pk", filter=FULL_SESSION),
    )
    .values_list("prescription_id", "date", "n", "highest", "scored", "done")
)


def log_counts(patient: Patient, *, start: dt.date, end: dt.date) -> list[LogCount]:
    """The patient's logs from ``start`` to ``end`` counted per prescription and day, with
    their pain: adherence's counts of sessions done (``AdherenceRead.log_counts``) and
    ``pain_series``'s days in one query."""
    return [
        LogCount(*row)
        for row in _LOG_COUNTS.filter(patient=patient, date__gte=start, date__lte=end)
    ]


def pain_series(
    patient: Patient, *, start: dt.date, end: dt.date, logs: Sequence[LogCount] | None = None
) -> list[PainPoint]:
    """Daily highest exercise pain and check-in pain at rest, oldest first; a score the
    patient did not give is no point (never a 0). Two queries, one with ``logs`` (the range's
    ``log_counts``, read already)."""
    if logs is None:
        points = [
            PainPoint(row["date"], row["pain"], "log", row["scores"])
            for row in ExerciseLog.objects.filter(
                patient=patient, date__gte=start, date__lte=end, pain__isnull=False
            )
            .values("date")
            .annotate(pain=Max("pain"), scores=Count("pk"))
            .order_by("date")
        ]
    else:
        by_day: dict[dt.date, tuple[int, int]] = {}  # the day's highest pain, and its scores
        for count in logs:
            if count.scored and count.highest is not None:
                highest, scores = by_day.get(count.day, (count.highest, 0))
                by_day[count.day] = (max(highest, count.highest), scores + count.scored)
        points = [PainPoint(day, pain, "log", n) for day, (pain, n) in sorted(by_day.items())]
    points += [
        PainPoint(row["date"], row["pain_at_rest"], "checkin")
        for row in CheckIn.objects.filter(
            patient=patient, date__gte=start, date__lte=end, pain_at_rest__isnull=False
        )
        .values("date", "pain_at_rest")
        .order_by("date")
    ]
    return sorted(points, key=lambda p: (p.day, p.source))


def atrs_series(patient: Patient) -> list[AtrsResponse]:
    return list(AtrsResponse.objects.filter(patient=patient).order_by("date", "created_at"))


def measurement_series(patient: Patient) -> list[Measurement]:
    return list(Measurement.objects.filter(patient=patient).order_by("date", "created_at"))


def streak(
    patient: Patient,
    *,
    today: dt.date,
    days: Sequence[DayAdherence] | None = None,
    plan: Plan | None = None,
) -> int:
    """Days in a row with exercise, up to today: a day counts with a session done (all its
    sets: ``FULL_SESSION``, Today's rule; of an exercise, not advice: ``EXERCISE_SESSION``);
    today counts once one is done (it is in progress, so
    nothing yet today breaks nothing). With ``days`` (the plan's adherence,
    oldest first, ending today) a rest day (nothing due) neither breaks the streak nor adds to
    it, and the streak stops at the first of ``days`` (the plan's start). With ``plan`` only its
    sessions count (as in its adherence): an earlier plan's, done the morning it was completed
    and this one started, is not a day of this plan. One query."""
    start = days[0].day if days else today - dt.timedelta(days=366)
    logs = ExerciseLog.objects.filter(
        EXERCISE_SESSION, patient=patient, date__gte=start, date__lte=today
    )
    if plan is not None:
        logs = logs.filter(prescription__phase__plan=plan)
    dates = set(
        logs.values_list("date", flat=True)
        .order_by()  # the distinct days: the logs' ordering would make it each log's (date, time)
        .distinct()
    )
    expected = {d.day: d.expected for d in days} if days else {}
    count = 0
    day = today
    while day >= start:
        if day in dates:
            count += 1
        elif day != today and (not days or expected.get(day, 0) > 0):
            break
        day -= dt.timedelta(days=1)
    return count


# A patient whose plan started less than this many days ago is welcomed, not graded.
WELCOME_DAYS = 7


@dataclass(frozen=True)
class Milestone:
    day: dt.date
    kind: str  # "phase", "atrs" or "heel_rise"
    text: str


@dataclass
class Encouragement:
    """What the progress page says first: a welcome for a new patient, the streak, adherence
    judged from the plan's start (``judged_adherence``), and the milestones to celebrate."""

    today: dt.date
    plan: Plan | None
    plan_start: dt.date | None
    adherence: Adherence  # from the plan's start (at most a year back) to today
    streak: int
    milestones: list[Milestone] = field(default_factory=list)
    # The logs adherence counted (``log_counts``, with their pain), from the day ``counted_from``
    # to today; none without a plan start.
    log_counts: list[LogCount] = field(default_factory=list)
    counted_from: dt.date | None = None

    def log_counts_from(self, start: dt.date) -> list[LogCount] | None:
        """The logs counted from ``start`` to today (``pain_series``'s ``logs``: no query), or
        None if adherence's count does not reach back to ``start``."""
        if self.counted_from is None or start < self.counted_from:
            return None
        return [count for count in self.log_counts if count.day >= start]

    @property
    def day_in_plan(self) -> int | None:
        """1 on the plan's first day."""
        if self.plan_start is None:
            return None
        return (self.today - self.plan_start).days + 1

    @property
    def welcome(self) -> bool:
        """New to the plan (or none yet): a welcome, not a grade."""
        return self.day_in_plan is None or self.day_in_plan <= WELCOME_DAYS

    def recent(self, weeks: int) -> Adherence:
        """The adherence of the last ``weeks`` weeks (still from the plan's start)."""
        return Adherence(days=self.adherence.days[-weeks * 7 :])

    @property
    def this_week(self) -> DayAdherence:
        """The last seven days, today in progress: sessions prescribed and done."""
        week = self.recent(1)
        return DayAdherence(day=self.today, expected=week.expected, done=week.done)


def encouragement(patient: Patient, *, today: dt.date) -> Encouragement:
    """The plan's start (its first phase change), the milestones of its phase changes, its
    adherence and the streak. Five queries: the phase changes of the plan in care with the plan
    (one more without a change: the plan alone), the logs counted with their pain
    (``log_counts``, kept for ``pain_series``), adherence (two more: it reuses the phase changes
    and the counts), the streak's log dates. The ATRS and heel-rise milestones are added by
    ``add_milestones``."""
    changes = list(
        PhaseChange.objects.filter(
            plan__patient=patient, plan__status__in=PLANS_IN_CARE, effective_on__lte=today
        )
        .select_related("plan", "from_phase", "to_phase")
        .order_by("effective_on", "changed_at", "pk")
    )
    plan: Plan | None
    if changes:
        plan = changes[0].plan  # the one plan in care (a constraint): every change's
        for change in changes:
            change.plan = plan
    else:
        plan = Plan.objects.filter(patient=patient, status__in=PLANS_IN_CARE).first()
    if plan is None:
        empty = Adherence(days=[])
        return Encouragement(today=today, plan=None, plan_start=None, adherence=empty, streak=0)
    plan_start = changes[0].effective_on if changes else None
    if plan_start is None:  # not activated through the services: no start to count from
        empty = Adherence(days=[])
        return Encouragement(
            today=today,
            plan=plan,
            plan_start=None,
            adherence=empty,
            streak=streak(patient, today=today),
        )
    days = min((today - plan_start).days + 1, 366)
    counted_from = today - dt.timedelta(days=days - 1)
    # The changes effective by today are all adherence needs (its days end today).
    counts = log_counts(patient, start=counted_from, end=today)
    adherence = judged_adherence_for_patient(
        patient,
        today=today,
        days=days,
        plan=plan,
        read=AdherenceRead(
            changes=changes, log_counts=[(c.prescription_id, c.day, c.done) for c in counts]
        ),
    )
    milestones = [
        Milestone(
            day=change.effective_on,
            kind="phase",
            text=_("You moved on to a new stage: %(phase)s.")
            % {"phase": change.to_phase.patient_text.name},
        )
        for change in changes
        if change.from_phase is not None and change.to_phase.order > change.from_phase.order
    ]
    return Encouragement(
        today=today,
        plan=plan,
        plan_start=plan_start,
        adherence=adherence,
        streak=streak(patient, today=today, days=adherence.days, plan=plan),
        milestones=milestones,
        log_counts=counts,
        counted_from=counted_from,
    )


def add_milestones(
    encouraged: Encouragement,
    *,
    atrs: Sequence[AtrsResponse],
    measurements: Sequence[Measurement],
) -> list[Milestone]:
    """The phase milestones with an ATRS gain (the best score above the first) and the first
    single-leg heel rise on the injured side, newest first. No query."""
    milestones = list(encouraged.milestones)
    if len(atrs) > 1:
        first = atrs[0].total
        best = max(atrs[1:], key=lambda a: (a.total, a.date))
        if best.total > first:
            milestones.append(
                Milestone(
                    day=best.date,
                    kind="atrs",
                    text=_(
                        "Your questionnaire score rose from %(first)s to %(best)s out of 100: "
                        "your Achilles limits you less."
                    )
                    % {"first": first, "best": best.total},
                )
            )
    heel_rise = next((m for m in measurements if (m.heel_rise_reps_injured or 0) >= 1), None)
    if heel_rise is not None:
        milestones.append(
            Milestone(
                day=heel_rise.date,
                kind="heel_rise",
                text=_("Your first heel rise on your injured leg alone."),
            )
        )
    return sorted(milestones, key=lambda m: m.day, reverse=True)


@dataclass(frozen=True)
class HistoryLog:
    """One exercise log as the patient's history shows it (read as values: a month of history
    holds a few hundred)."""

    pk: int
    name: str  # the name the patient reads (the exercise's patient name, else its name)
    sets_done: int
    pain: int | None
    effort: int | None
    sets_prescribed: int = 0  # the sets of its day's dose: one set is done, not counted


@dataclass
class HistoryDay:
    day: dt.date
    logs: list[HistoryLog] = field(default_factory=list)


def history_by_day(patient: Patient, *, start: dt.date, end: dt.date) -> list[HistoryDay]:
    """Every day from ``end`` back to ``start`` with what was logged that day (the exercise's
    name, sets done and prescribed, pain and effort). One query."""
    by_day: dict[dt.date, list[HistoryLog]] = defaultdict(list)
    for pk, day, patient_name, name, sets_done, pain, effort, sets_prescribed in (
        ExerciseLog.objects.filter(patient=patient, date__gte=start, date__lte=end)
        .order_by("date", "created_at", "pk")
        .values_list(
            "pk",
            "date",
            "prescription__exercise__patient_name",
            "prescription__exercise__name",
            "sets_done",
            "pain",
            "effort",
            "sets_prescribed",
        )
    ):
        by_day[day].append(
            HistoryLog(pk, patient_name or name, sets_done, pain, effort, sets_prescribed)
        )
    days = (end - start).days + 1
    return [
        HistoryDay(day=day, logs=by_day.get(day, []))
        for day in (end - dt.timedelta(days=n) for n in range(days))
    ]


def plan_phases(plan: Plan, *, equipment_and_media: bool = True) -> list[PlanPhase]:
    """The plan's phases in order, each with its live prescriptions and their exercises
    prefetched as ``live_prescriptions``: two queries; with the exercises' equipment, photos
    and videos (``equipment_and_media``, for the API's body), four."""
    live = Prescription.objects.live().select_related("exercise").order_by("order", "pk")
    if equipment_and_media:  # as lists (``library.equipment_and_media``)
        live = live.prefetch_related(*library_selectors.equipment_and_media())
    phases: list[PlanPhase] = list(
        PlanPhase.objects.filter(plan=plan)
        .prefetch_related(Prefetch("prescriptions", queryset=live, to_attr="live_prescriptions"))
        .order_by("order", "pk")
    )
    for phase in phases:
        phase.plan = plan
    return phases


@dataclass(frozen=True)
class PlanToRead:
    """The plan a patient reads on "My plan": the one they follow, or, once their care here has
    ended, the one they followed last; each phase with its state ("past",
    "current", "future"; "unreached" once ended) and the week they are in (None once ended)."""

    plan: Plan | None
    phases: list[dict[str, Any]]
    week: int | None

    @property
    def plan_in_care(self) -> Plan | None:
        """The plan, if it is the one the patient follows (active or paused), not the one they
        followed last."""
        if self.plan is not None and self.plan.status in PLANS_IN_CARE:
            return self.plan
        return None


def plan_to_read(patient: Patient, *, day: dt.date) -> PlanToRead:
    """``PlanToRead`` for ``patient`` on their ``day``. Queries whatever the plan's size: the
    plan, its phases (``plan_phases``) and the phase in force (or the phases reached)."""
    plan = today_selectors.active_plan(patient)
    ended = plan is None and patient.status != Patient.Status.ACTIVE
    if ended:  # care here has ended: the plan they followed, to read
        plan = today_selectors.last_plan(patient)
    if plan is None:
        return PlanToRead(plan=None, phases=[], week=None)
    phases = plan_phases(plan, equipment_and_media=False)  # the page shows neither
    if ended:
        reached = today_selectors.reached_phase_ids(plan)
        rows = [{"phase": p, "state": "past" if p.pk in reached else "unreached"} for p in phases]
        return PlanToRead(plan=plan, phases=rows, week=None)
    current = today_selectors.phase_on(plan, day)
    index = next((i for i, p in enumerate(phases) if current and p.pk == current.pk), None)
    rows = [
        {
            "phase": phase,
            "state": "future"
            if index is None or n > index
            else ("current" if n == index else "past"),
        }
        for n, phase in enumerate(phases)
    ]
    return PlanToRead(plan=plan, phases=rows, week=plan.week_on(day))
