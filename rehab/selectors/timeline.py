"""The patient timeline on the clinician's patient page: everything the patient reported and
everything that happened to their plan, grouped by day, newest first, a page of days at a time.

Sources: exercise logs (exercise, sets, pain, effort, note; a day's logs are one entry),
check-ins (every answer), ATRS answers, measurements, messages (both ways) and phase changes.
Days are the patient's own (a message's day is its date in the patient's time zone).

Query count, whatever the history's size: one for the number of days with anything, one for
the page's days, then one per source for the rows of those days (logs with their exercises,
check-ins, ATRS, measurements, messages with their authors, phase changes with their phases).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F
from django.db.models.functions import TruncDate

from clinic.models import Message, Patient
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import PhaseChange

DAYS_PER_PAGE = 7  # a week of days with anything


@dataclass(frozen=True)
class TimelineEntry:
    """One thing on the timeline: ``kind`` (logs: the day's exercise logs, a list; checkin,
    atrs, measurement, message, phase_change: one row) and its row."""

    kind: str
    at: dt.datetime
    row: Any


@dataclass(frozen=True)
class LoggedExercise:
    """One exercise log as the timeline shows it."""

    name: str
    sets_done: int
    pain: int | None
    effort: int | None
    note: str
    created_at: dt.datetime


@dataclass
class TimelineDay:
    day: dt.date
    entries: list[TimelineEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Timeline:
    days: list[TimelineDay]
    page: Page[Any] | None

    @property
    def is_empty(self) -> bool:
        return not self.days


def _days_with_entries(patient: Patient) -> Any:
    """Every day with anything on the timeline, newest first: one UNION query."""
    messages = (
        Message.objects.filter(patient=patient)
        .annotate(date=TruncDate("created_at", tzinfo=patient.tz))
        .values_list("date")
        .order_by()
    )
    changes = (
        PhaseChange.objects.filter(plan__patient=patient)
        .annotate(date=F("effective_on"))
        .values_list("date")
        .order_by()
    )
    return (
        # No ORDER BY inside the UNION's parts (models' default ordering; SQLite refuses it).
        ExerciseLog.objects.filter(patient=patient)
        .values_list("date")
        .order_by()
        .union(
            CheckIn.objects.filter(patient=patient).values_list("date").order_by(),
            AtrsResponse.objects.filter(patient=patient).values_list("date").order_by(),
            Measurement.objects.filter(patient=patient).values_list("date").order_by(),
            messages,
            changes,
        )
        .order_by("-date")
    )


def patient_timeline(patient: Patient, *, page: Any = 1) -> Timeline:
    """The page ``page`` (a number, or anything a query string holds: out of range is the last
    page, not a number the first) of the patient's timeline."""
    paginator = Paginator(_days_with_entries(patient), DAYS_PER_PAGE)
    current = paginator.get_page(page)
    days = [row[0] for row in current.object_list]
    if not days:
        return Timeline(days=[], page=None)
    first, last = min(days), max(days)
    tz = patient.tz
    since = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    by_day: dict[dt.date, TimelineDay] = {day: TimelineDay(day=day) for day in days}

    def add(day: dt.date, kind: str, at: dt.datetime, row: Any) -> None:
        if day in by_day:
            by_day[day].entries.append(TimelineEntry(kind=kind, at=at, row=row))

    # A day's exercise logs are one entry (a list, newest first, at the time of the latest): a
    # day reads as what the patient did, and a page renders one entry per day, not one per log.
    # What the timeline shows of a log, read as values (a week holds dozens of logs).
    logs_by_day: dict[dt.date, list[LoggedExercise]] = {}
    for row in (
        ExerciseLog.objects.filter(patient=patient, date__range=(first, last))
        .order_by("-date", "-created_at", "-pk")
        .values_list(
            "date",
            "prescription__exercise__name",
            "sets_done",
            "pain",
            "effort",
            "note",
            "created_at",
        )
    ):
        logs_by_day.setdefault(row[0], []).append(LoggedExercise(*row[1:]))
    for day, day_logs in logs_by_day.items():
        add(day, "logs", day_logs[0].created_at, day_logs)
    for checkin in CheckIn.objects.filter(patient=patient, date__range=(first, last)):
        add(checkin.date, "checkin", checkin.created_at, checkin)
    for atrs in AtrsResponse.objects.filter(patient=patient, date__range=(first, last)):
        add(atrs.date, "atrs", atrs.created_at, atrs)
    for measurement in Measurement.objects.filter(
        patient=patient, date__range=(first, last)
    ).select_related("recorded_by"):
        add(measurement.date, "measurement", measurement.created_at, measurement)
    for message in Message.objects.filter(
        patient=patient, created_at__gte=since, created_at__lt=until
    ).select_related("author"):
        add(message.created_at.astimezone(tz).date(), "message", message.created_at, message)
    for change in PhaseChange.objects.filter(
        plan__patient=patient, effective_on__range=(first, last)
    ).select_related("from_phase", "to_phase", "changed_by"):
        add(change.effective_on, "phase_change", change.changed_at, change)
    for timeline_day in by_day.values():
        timeline_day.entries.sort(key=lambda entry: entry.at, reverse=True)
    return Timeline(days=[by_day[day] for day in days], page=current)
