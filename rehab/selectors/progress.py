"""A patient's progress: pain, scores and measurements over time, the streak, the history.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Max,
    Prefetch,
)

from clinic.models import Patient
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan, PlanPhase, Prescription


@dataclass(frozen=True)
class PainPoint:
    day: dt.date
    pain: int
    source: str  # "log" (the day's highest exercise pain) or "checkin" (pain at rest)


def pain_series(patient: Patient, *, start: dt.date, end: dt.date) -> list[PainPoint]:
    """Daily highest exercise pain and check-in pain at rest, oldest first; a score the
    patient did not give is no point (never a 0). Two queries."""
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


@dataclass
class HistoryDay:
    day: dt.date
    logs: list[ExerciseLog] = field(default_factory=list)


def history_by_day(patient: Patient, *, start: dt.date, end: dt.date) -> list[HistoryDay]:
    """Every day from ``end`` back to ``start`` with what was logged that day (the exercise's
    name, sets, pain and effort). One query."""
    by_day: dict[dt.date, list[ExerciseLog]] = defaultdict(list)
    for log in (
        ExerciseLog.objects.filter(patient=patient, date__gte=start, date__lte=end)
        .select_related("prescription__exercise")
        .only(
            "date",
            "sets_done",
            "pain",
            "effort",
            "created_at",
            "prescription__exercise__name",
            "prescription__exercise__patient_name",
        )
        .order_by("date", "created_at", "pk")
    ):
        by_day[log.date].append(log)
    days = (end - start).days + 1
    return [
        HistoryDay(day=day, logs=by_day.get(day, []))
        for day in (end - dt.timedelta(days=n) for n in range(days))
    ]


def plan_phases(plan: Plan) -> list[PlanPhase]:
    """The plan's phases in order, each with its live prescriptions (and their exercises and
    equipment, photos and videos) prefetched as ``live_prescriptions``. Four queries."""
    phases: list[PlanPhase] = list(
        PlanPhase.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch(
                "prescriptions",
                queryset=Prescription.objects.filter(retired_at__isnull=True)
                .select_related("exercise")
                .prefetch_related("exercise__equipment", "exercise__media")
                .order_by("order", "pk"),
                to_attr="live_prescriptions",
            )
        )
        .order_by("order", "pk")
    )
    for phase in phases:
        phase.plan = plan
    return phases
