"""The patient timeline on the clinician's patient page: everything the patient reported and
everything that happened to their plan, grouped by day, newest first, a page of days at a time.

Sources: exercise logs (exercise, sets, pain, effort, note; a day's logs are one entry),
check-ins (every answer), ATRS answers, measurements, messages (both ways) and phase changes.
Days are the patient's own (a message's day is its date in the patient's time zone).

Query count, whatever the history's size: one for the days with anything and what each holds
(a day and a kind a row: paged here, the page's days and their kinds known at once), then one
per source the page's days hold, for their rows (logs with their exercises, check-ins, ATRS,
measurements, messages with their authors, phase changes with their phases): a source with
nothing on those days is not read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Value
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


def _dated(model: Any, kind: str) -> Any:
    return model.objects.annotate(kind=Value(kind)).values_list("date", "kind").order_by()


# The (day, kind) rows of each source but the messages (whose day is in the patient's time
# zone), defined once, as rehab.export's queries are (a queryset reads nothing until it is
# filtered and read, in a request): building their annotations and values anew on each request
# cost about a third of the query's CPU. No ORDER BY inside the UNION's parts (models' default
# ordering; SQLite refuses it).
_DAYS_OF = {
    "logs": _dated(ExerciseLog, "logs"),
    "checkin": _dated(CheckIn, "checkin"),
    "atrs": _dated(AtrsResponse, "atrs"),
    "measurement": _dated(Measurement, "measurement"),
}
_CHANGE_DAYS = (
    PhaseChange.objects.annotate(date=F("effective_on"), kind=Value("phase_change"))
    .values_list("date", "kind")
    .order_by()
)


def _days_with_entries(patient: Patient) -> Any:
    """Every day with anything on the timeline and the kinds of what it holds (``logs``,
    ``checkin``, ``atrs``, ``measurement``, ``message``, ``phase_change``), newest first: one
    UNION query of (day, kind) rows, a few a day."""
    messages = (
        Message.objects.filter(patient=patient)
        .annotate(date=TruncDate("created_at", tzinfo=patient.tz), kind=Value("message"))
        .values_list("date", "kind")
        .order_by()
    )
    logs, checkins, atrs, measurements = (
        days.filter(patient=patient) for days in _DAYS_OF.values()
    )
    return logs.union(
        checkins, atrs, measurements, messages, _CHANGE_DAYS.filter(plan__patient=patient)
    ).order_by("-date")


Rows = Iterable[tuple[dt.date, dt.datetime, Any]]  # a source's (day, time, row) on a page


# A log's day and what the timeline shows of it, newest first: defined once, as ``_DAYS_OF``.
_LOG_ROWS = ExerciseLog.objects.order_by("-date", "-created_at", "-pk").values_list(
    "date", "prescription__exercise__name", "sets_done", "pain", "effort", "note", "created_at"
)


def _logs(patient: Patient, first: dt.date, last: dt.date) -> Rows:
    """A day's exercise logs are one entry (a list, newest first, at the time of the latest): a
    day reads as what the patient did, and a page renders one entry per day, not one per log.
    What the timeline shows of a log, read as values (a week holds dozens of logs)."""
    logs_by_day: dict[dt.date, list[LoggedExercise]] = {}
    for row in _LOG_ROWS.filter(patient=patient, date__range=(first, last)):
        logs_by_day.setdefault(row[0], []).append(LoggedExercise(*row[1:]))
    return ((day, day_logs[0].created_at, day_logs) for day, day_logs in logs_by_day.items())


def _checkins(patient: Patient, first: dt.date, last: dt.date) -> Rows:
    rows = CheckIn.objects.filter(patient=patient, date__range=(first, last))
    return ((row.date, row.created_at, row) for row in rows)


def _atrs(patient: Patient, first: dt.date, last: dt.date) -> Rows:
    rows = AtrsResponse.objects.filter(patient=patient, date__range=(first, last))
    return ((row.date, row.created_at, row) for row in rows)


def _measurements(patient: Patient, first: dt.date, last: dt.date) -> Rows:
    rows = Measurement.objects.filter(patient=patient, date__range=(first, last))
    return ((row.date, row.created_at, row) for row in rows)


def _messages(patient: Patient, first: dt.date, last: dt.date) -> Rows:
    """Messages of the patient's days ``first`` to ``last`` (their time zone)."""
    tz = patient.tz
    since = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = Message.objects.filter(
        patient=patient, created_at__gte=since, created_at__lt=until
    ).select_related("author")
    return ((row.created_at.astimezone(tz).date(), row.created_at, row) for row in rows)


def _phase_changes(patient: Patient, first: dt.date, last: dt.date) -> Rows:
    rows = PhaseChange.objects.filter(
        plan__patient=patient, effective_on__range=(first, last)
    ).select_related("from_phase", "to_phase", "changed_by")
    return ((row.effective_on, row.changed_at, row) for row in rows)


# Each kind of entry and how its rows of a page's days are read (one query each).
SOURCES: dict[str, Callable[[Patient, dt.date, dt.date], Rows]] = {
    "logs": _logs,
    "checkin": _checkins,
    "atrs": _atrs,
    "measurement": _measurements,
    "message": _messages,
    "phase_change": _phase_changes,
}


def patient_timeline(patient: Patient, *, page: Any = 1) -> Timeline:
    """The page ``page`` (a number, or anything a query string holds: out of range is the last
    page, not a number the first) of the patient's timeline."""
    kinds_of: dict[dt.date, set[str]] = {}  # newest day first
    for day, kind in _days_with_entries(patient):
        kinds_of.setdefault(day, set()).add(kind)
    paginator = Paginator(list(kinds_of), DAYS_PER_PAGE)
    current = paginator.get_page(page)
    days = list(current.object_list)
    if not days:
        return Timeline(days=[], page=None)
    by_day: dict[dt.date, TimelineDay] = {day: TimelineDay(day=day) for day in days}
    # Only the sources with something on the page's days are read.
    for kind in sorted(set().union(*(kinds_of[day] for day in days)), key=list(SOURCES).index):
        for day, at, row in SOURCES[kind](patient, min(days), max(days)):
            if day in by_day:
                by_day[day].entries.append(TimelineEntry(kind=kind, at=at, row=row))
    for timeline_day in by_day.values():
        timeline_day.entries.sort(key=lambda entry: entry.at, reverse=True)
    return Timeline(days=[by_day[day] for day in days], page=current)
