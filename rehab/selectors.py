"""Reads for the rehab app: what is due today, adherence, pain and score series.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from clinic.models import Patient
from rehab.models import (
    Alert,
    AtrsResponse,
    CheckIn,
    ExerciseLog,
    Measurement,
    PhaseChange,
    Plan,
    PlanPhase,
    Prescription,
)


def is_due_on(*, days_per_week: int, anchor: dt.date, day: dt.date) -> bool:
    """Whether a prescription done ``days_per_week`` days a week is due on ``day``.

    The due days are spread evenly through each week counted from the anchor date:
    3 days a week falls on days 0, 3 and 5 of the week; 7 means every day.
    """
    if days_per_week >= 7:
        return True
    d = (day - anchor).days % 7
    return d == 0 or (d * days_per_week) // 7 != ((d - 1) * days_per_week) // 7


def _live_on(rx: Prescription, day: dt.date) -> bool:
    """A prescription counts on ``day`` if it existed by then and was not yet retired."""
    if rx.created_at.date() > day:
        return False
    return rx.retired_at is None or rx.retired_at.date() > day


@dataclass
class TodayItem:
    prescription: Prescription
    due: bool
    logs: list[ExerciseLog]

    @property
    def sessions_done(self) -> int:
        return len(self.logs)

    @property
    def sessions_expected(self) -> int:
        return self.prescription.times_per_day if self.due else 0

    @property
    def done(self) -> bool:
        return self.sessions_done >= max(self.prescription.times_per_day, 1)


@dataclass
class Today:
    patient: Patient
    day: dt.date
    plan: Plan | None
    phase: PlanPhase | None
    week: int | None
    items: list[TodayItem] = field(default_factory=list)

    @property
    def due_items(self) -> list[TodayItem]:
        return [item for item in self.items if item.due]

    @property
    def other_items(self) -> list[TodayItem]:
        """Exercises of the phase not due today (a rest day for them)."""
        return [item for item in self.items if not item.due]


def active_plan(patient: Patient) -> Plan | None:
    return (
        Plan.objects.filter(patient=patient, status=Plan.Status.ACTIVE)
        .select_related("current_phase")
        .first()
    )


def today_for_patient(patient: Patient, *, day: dt.date | None = None) -> Today:
    """What the Today page shows: the current phase's live exercises, due or not, and the
    patient's logs for them today. Three queries, whatever the size of the plan or history."""
    day = day or patient.local_today()
    plan = active_plan(patient)  # 1
    if plan is None or plan.current_phase is None:
        return Today(patient=patient, day=day, plan=plan, phase=None, week=None)
    phase = plan.current_phase
    phase.plan = plan
    prescriptions = list(
        Prescription.objects.filter(phase=phase, retired_at__isnull=True)  # 2 (+ logs: 3)
        .select_related("exercise")
        .prefetch_related(
            "exercise__equipment",
            Prefetch(
                "logs",
                queryset=ExerciseLog.objects.filter(patient=patient, date=day).order_by(
                    "created_at"
                ),
                to_attr="logs_today",
            ),
        )
        .order_by("order", "pk")
    )
    items = [
        TodayItem(
            prescription=rx,
            due=is_due_on(days_per_week=rx.days_per_week, anchor=plan.anchor_date, day=day),
            logs=rx.logs_today,
        )
        for rx in prescriptions
    ]
    return Today(
        patient=patient, day=day, plan=plan, phase=phase, week=plan.week_on(day), items=items
    )


# --- Adherence ---------------------------------------------------------------------------


@dataclass
class DayAdherence:
    day: dt.date
    expected: int = 0
    done: int = 0


@dataclass
class Adherence:
    days: list[DayAdherence]

    @property
    def expected(self) -> int:
        return sum(d.expected for d in self.days)

    @property
    def done(self) -> int:
        return sum(d.done for d in self.days)

    @property
    def percent(self) -> int | None:
        """Sessions done of sessions prescribed, capped at each prescription's daily dose."""
        if not self.expected:
            return None
        return round(100 * self.done / self.expected)

    def by_week(self, anchor: dt.date) -> list[tuple[int, int, int]]:
        """(week number from the anchor, expected, done) for each week in the range."""
        weeks: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for d in self.days:
            week = (d.day - anchor).days // 7
            weeks[week][0] += d.expected
            weeks[week][1] += d.done
        return [(week, e, n) for week, (e, n) in sorted(weeks.items())]


def _phase_timeline(changes: Sequence[PhaseChange]) -> list[tuple[dt.date, int]]:
    """(effective date, phase id) in order; on a day with several changes the last one wins."""
    ordered = sorted(changes, key=lambda c: (c.effective_on, c.changed_at, c.pk))
    return [(c.effective_on, c.to_phase_id) for c in ordered]


def _phase_id_on(timeline: list[tuple[dt.date, int]], day: dt.date) -> int | None:
    current = None
    for effective_on, phase_id in timeline:
        if effective_on <= day:
            current = phase_id
        else:
            break
    return current


def adherence_for_patients(
    patients: Iterable[Patient], *, start: dt.date, end: dt.date
) -> dict[int, Adherence]:
    """Adherence of each patient's active plan from ``start`` to ``end`` (inclusive).

    Prescribed sessions per day come from the phase that was current that day (the plan's
    phase history) and each prescription's days per week and times per day; done sessions are
    logs, at most the prescribed number per prescription and day. Four queries in all.
    """
    patient_ids = [p.pk for p in patients]
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    result = {pid: Adherence(days=[DayAdherence(day=d) for d in days]) for pid in patient_ids}
    if not patient_ids or not days:
        return result
    plans = list(  # 1
        Plan.objects.filter(patient_id__in=patient_ids, status=Plan.Status.ACTIVE).only(
            "pk", "patient_id", "anchor_date"
        )
    )
    plan_by_id = {plan.pk: plan for plan in plans}
    changes: dict[int, list[PhaseChange]] = defaultdict(list)
    for change in PhaseChange.objects.filter(plan_id__in=plan_by_id).only(  # 2
        "pk", "plan_id", "to_phase_id", "effective_on", "changed_at"
    ):
        changes[change.plan_id].append(change)
    rx_by_phase: dict[int, list[Prescription]] = defaultdict(list)
    for rx in Prescription.objects.filter(phase__plan_id__in=plan_by_id).only(  # 3
        "pk", "phase_id", "times_per_day", "days_per_week", "created_at", "retired_at"
    ):
        rx_by_phase[rx.phase_id].append(rx)
    done_counts: dict[tuple[int, dt.date], int] = {}
    for row in (  # 4
        ExerciseLog.objects.filter(patient_id__in=patient_ids, date__gte=start, date__lte=end)
        .values("prescription_id", "date")
        .annotate(n=Count("pk"))
    ):
        done_counts[(row["prescription_id"], row["date"])] = row["n"]
    for plan in plans:
        timeline = _phase_timeline(changes[plan.pk])
        for day_row in result[plan.patient_id].days:
            phase_id = _phase_id_on(timeline, day_row.day)
            if phase_id is None:
                continue
            for rx in rx_by_phase[phase_id]:
                if not _live_on(rx, day_row.day) or not is_due_on(
                    days_per_week=rx.days_per_week, anchor=plan.anchor_date, day=day_row.day
                ):
                    continue
                day_row.expected += rx.times_per_day
                day_row.done += min(done_counts.get((rx.pk, day_row.day), 0), rx.times_per_day)
    return result


def adherence_for_patient(patient: Patient, *, start: dt.date, end: dt.date) -> Adherence:
    return adherence_for_patients([patient], start=start, end=end)[patient.pk]


# --- Pain, alerts, scores ----------------------------------------------------------------


@dataclass(frozen=True)
class PainPoint:
    day: dt.date
    pain: int
    source: str  # "log" (the day's highest exercise pain) or "checkin" (pain at rest)


LAST_PAIN_WINDOW_DAYS = 30


def last_pain_for_patients(patients: Iterable[Patient]) -> dict[int, PainPoint]:
    """The most recent pain each patient reported in the last 30 days, on an exercise log or a
    check-in (the later wins). Two queries."""
    ids = [p.pk for p in patients]
    latest: dict[int, PainPoint] = {}
    log_rows = (
        ExerciseLog.objects.filter(patient_id__in=ids, pain__isnull=False)
        .order_by("patient_id", "-date", "-created_at")
        .values("patient_id", "date", "pain")
    )
    checkin_rows = (
        CheckIn.objects.filter(patient_id__in=ids)
        .order_by("patient_id", "-date")
        .values("patient_id", "date", "pain_at_rest")
    )
    for row in log_rows.filter(date__gte=_recent_cutoff()):
        point = PainPoint(row["date"], row["pain"], "log")
        if row["patient_id"] not in latest:
            latest[row["patient_id"]] = point
    for checkin in checkin_rows.filter(date__gte=_recent_cutoff()):
        current = latest.get(checkin["patient_id"])
        if current is None or checkin["date"] > current.day:
            latest[checkin["patient_id"]] = PainPoint(
                checkin["date"], checkin["pain_at_rest"], "checkin"
            )
    return latest


def _recent_cutoff() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=LAST_PAIN_WINDOW_DAYS)


def open_alert_counts(patients: Iterable[Patient]) -> dict[int, int]:
    ids = [p.pk for p in patients]
    rows = (
        Alert.objects.filter(patient_id__in=ids, acknowledged_at__isnull=True)
        .values("patient_id")
        .annotate(n=Count("pk"))
    )
    return {row["patient_id"]: row["n"] for row in rows}


def pain_series(patient: Patient, *, start: dt.date, end: dt.date) -> list[PainPoint]:
    """Daily highest exercise pain and check-in pain at rest, oldest first. Two queries."""
    points = [
        PainPoint(row["date"], row["pain"], "log")
        for row in ExerciseLog.objects.filter(
            patient=patient, date__gte=start, date__lte=end, pain__isnull=False
        )
        .values("date")
        .annotate(pain=Max("pain"))
        .order_by("date")
    ]
    points += [
        PainPoint(row["date"], row["pain_at_rest"], "checkin")
        for row in CheckIn.objects.filter(patient=patient, date__gte=start, date__lte=end)
        .values("date", "pain_at_rest")
        .order_by("date")
    ]
    return sorted(points, key=lambda p: (p.day, p.source))


def atrs_series(patient: Patient) -> list[AtrsResponse]:
    return list(AtrsResponse.objects.filter(patient=patient).order_by("date", "created_at"))


def measurement_series(patient: Patient) -> list[Measurement]:
    return list(Measurement.objects.filter(patient=patient).order_by("date", "created_at"))


def streak(patient: Patient, *, today: dt.date) -> int:
    """Consecutive days up to today (or yesterday, if nothing yet today) with any log."""
    dates = set(
        ExerciseLog.objects.filter(
            patient=patient, date__gte=today - dt.timedelta(days=366), date__lte=today
        )
        .values_list("date", flat=True)
        .distinct()
    )
    day = today if today in dates else today - dt.timedelta(days=1)
    count = 0
    while day in dates:
        count += 1
        day -= dt.timedelta(days=1)
    return count
