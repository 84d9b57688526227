"""Adherence: how much of what was due a patient did, day by day.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from clinic.models import Patient
from core.numbers import percent
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.logbook import FULL_SESSION, ExerciseLog
from rehab.models.plans import (
    COUNTS_AS_SESSION,
    DUE_DAYS_ANCHOR,
    EARLIER_DOSES_IF_ANY,
    PhaseChange,
    Plan,
    Prescription,
    dose_on,
)
from rehab.selectors.plan_days import paused_days, phases_by_day
from rehab.selectors.today import due_weekdays

# A prescription as adherence counts it: (pk, times a day, days a week, first local day live,
# first local day retired or None, its earlier doses: ``Prescription.earlier_doses``).
_Rx = tuple[int, int, int, dt.date, dt.date | None, Sequence[Mapping[str, Any]]]


@dataclass
class DayAdherence:
    day: dt.date
    expected: int = 0
    done: int = 0


def percent_of(done: int, expected: int) -> int | None:
    """``done`` of ``expected`` sessions in whole percent, a half rounded up as people round
    (62.5 % reads 63 %: ``core.numbers.percent``); None when none were prescribed."""
    value = percent(done, expected)
    return None if value is None else int(value)


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
        return percent_of(self.done, self.expected)

    def by_week(self, anchor: dt.date) -> list[tuple[int, int, int]]:
        """(week number from the anchor, expected, done) for each week in the range."""
        weeks: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for d in self.days:
            week = (d.day - anchor).days // 7
            weeks[week][0] += d.expected
            weeks[week][1] += d.done
        return [(week, e, n) for week, (e, n) in sorted(weeks.items())]


@dataclass(frozen=True)
class AdherenceRead:
    """What a page has already read of its patients' plans in care, for the range (each saves
    a query; None: not read): their phase changes, their prescriptions (retired ones too), and
    the patients' sessions done (logs with all their sets: ``FULL_SESSION``) counted per
    prescription and day, (prescription id, day, sessions done)."""

    changes: Sequence[PhaseChange] | None = None
    prescriptions: Sequence[Prescription] | None = None
    log_counts: Sequence[tuple[int, dt.date, int]] | None = None


def adherence_for_patients(
    patients: Iterable[Patient],
    *,
    start: dt.date,
    end: dt.date,
    plans: Iterable[Plan] | None = None,
    in_progress: dt.date | None = None,
    read: AdherenceRead | None = None,
) -> dict[int, Adherence]:
    """Adherence of each patient's active plan from ``start`` to ``end`` (inclusive).

    ``in_progress`` (today, for ``judged_adherence``) is a day not over yet: it counts what
    was done (credit, never a debt), for the exercises due that day of the phase in force and of
    the phase before it if the plan moved on that day (advancing does not take today's credit).

    Prescribed sessions per day come from the phase that was current that day (the plan's
    phase history) and each prescription's days per week and times per day (advice to read
    prescribes none: ``Prescription.is_advice``); done sessions are
    logs with all their sets (``FULL_SESSION``: Today's rule), at most the prescribed number per
    prescription and day. Days a red flag paused the
    plan (``paused_days``) prescribe only what was done. Five queries in all: the active plans,
    their phase changes, the prescriptions of the phases in force in the range only, the day's
    log counts and the pauses; four when ``plans`` gives the patients' active plans already
    read (``active_plans_for_patients``). Rows are read as tuples, not models. With ``read``
    (those plans' rows a page has already read) one query fewer for each it holds.
    """
    patients = list(patients)
    patient_ids = [p.pk for p in patients]
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    result = {pid: Adherence(days=[DayAdherence(day=d) for d in days]) for pid in patient_ids}
    if not patient_ids or not days:
        return result
    plan_rows = _active_plan_rows(patient_ids, plans)  # 1 (none if ``plans`` is given)
    if not plan_rows:
        return result
    plan_ids = [row[0] for row in plan_rows]
    change_rows: Iterable[tuple[int, dt.date, dt.datetime, int, int]] = (
        PhaseChange.objects.filter(plan_id__in=plan_ids)  # 2
        .order_by()
        .values_list("plan_id", "effective_on", "changed_at", "pk", "to_phase_id")
        if read is None or read.changes is None
        else [
            (c.plan_id, c.effective_on, c.changed_at, c.pk, c.to_phase_id)
            for c in read.changes
            if c.plan_id in plan_ids
        ]
    )
    by_plan: dict[int, list[tuple[dt.date, dt.datetime, int, int]]] = defaultdict(list)
    for plan_id, effective_on, changed_at, change_pk, to_phase_id in change_rows:
        by_plan[plan_id].append((effective_on, changed_at, change_pk, to_phase_id))
    # The phase in force on each day of the range, per plan (the last change effective by then;
    # on a day with several changes the last one made wins).
    phase_by_day: dict[int, list[int | None]] = {}
    for plan_id, _patient_id, _anchor in plan_rows:
        timeline = [(c[0], c[3]) for c in sorted(by_plan[plan_id])]
        phase_by_day[plan_id] = phases_by_day(timeline, days)
    # A prescription made at 20:00 UTC is already "tomorrow" in Auckland: judge in local days.
    tz_by_patient = {p.pk: p.tz for p in patients}
    tz_by_phase: dict[int, dt.tzinfo] = {}
    for plan_id, patient_id, _anchor in plan_rows:
        for pid in phase_by_day[plan_id]:
            if pid is not None:
                tz_by_phase[pid] = tz_by_patient.get(patient_id) or dt.UTC
    if not tz_by_phase:  # no phase in force on any day of the range
        return result
    rx_by_phase = _prescriptions_by_phase(  # 3
        tz_by_phase, None if read is None else read.prescriptions
    )
    # Sessions done per day, then per prescription.
    done_counts: dict[dt.date, dict[int, int]] = defaultdict(dict)
    for rx_id, day, n in (
        ExerciseLog.objects.filter(  # 4
            patient_id__in=patient_ids, date__gte=start, date__lte=end
        )
        .order_by()
        .values("prescription_id", "date")
        .annotate(n=Count("pk", filter=FULL_SESSION))
        .values_list("prescription_id", "date", "n")
        if read is None or read.log_counts is None
        else read.log_counts
    ):
        done_counts[day][rx_id] = n
    held = paused_days(  # 5
        {plan_id: tz_by_patient.get(patient_id) or dt.UTC for plan_id, patient_id, _a in plan_rows},
        start=start,
        end=end,
    )
    for plan_id, patient_id, anchor in plan_rows:
        _count_plan(
            result[patient_id],
            phase_by_day[plan_id],
            rx_by_phase,
            done_counts,
            anchor=anchor,
            in_progress=in_progress,
            paused=held.get(plan_id, set()),
        )
    return result


def _count_plan(
    adherence: Adherence,
    phase_by_day: list[int | None],
    rx_by_phase: dict[int, list[_Rx]],
    done_counts: dict[dt.date, dict[int, int]],
    *,
    anchor: dt.date,
    in_progress: dt.date | None,
    paused: set[dt.date],
) -> None:
    """Count each day of one plan by the phase in force that day; the day ``in_progress``
    counts only what was done, for the phase in force and any other of the plan in the range
    (moving on to a new phase today keeps today's credit); a ``paused`` day (a red flag) too,
    for the phase in force."""
    first, last = adherence.days[0].day, adherence.days[-1].day
    by_phase = {
        phase_id: _due_by_weekday(rx_by_phase[phase_id], first=first, last=last)
        for phase_id in set(phase_by_day)
        if phase_id is not None
    }
    for day_row, phase_id in zip(adherence.days, phase_by_day, strict=True):
        if phase_id is None:
            continue
        if day_row.day == in_progress:
            phases = dict.fromkeys([phase_id, *phase_by_day])
            prescriptions = [rx for pid in phases if pid for rx in rx_by_phase[pid]]
            _count_day(day_row, prescriptions, done_counts, anchor=anchor)
            day_row.expected = day_row.done
        else:
            steady, others = by_phase[phase_id]
            _count_day(day_row, others, done_counts, anchor=anchor)
            done_that_day = done_counts.get(day_row.day, {})
            for pk, times in steady[(day_row.day - anchor).days % 7]:
                day_row.expected += times
                day_row.done += min(done_that_day.get(pk, 0), times)
            if day_row.day in paused:
                day_row.expected = day_row.done


def _due_by_weekday(
    prescriptions: list[_Rx], *, first: dt.date, last: dt.date
) -> tuple[list[list[tuple[int, int]]], list[_Rx]]:
    """Those of a phase's ``prescriptions`` live from ``first`` to ``last`` at one dose (most):
    (pk, times a day) by the day of the week they are due on (0–6 from the plan's
    ``due_days_anchor``: ``due_weekdays``), worked out once for all the days; and the others,
    judged day by day (``_count_day``)."""
    steady: list[list[tuple[int, int]]] = [[] for _weekday in range(7)]
    others: list[_Rx] = []
    for rx in prescriptions:
        pk, times, days_per_week, live_from, retired_from, earlier = rx
        if live_from <= first and (retired_from is None or last < retired_from) and not earlier:
            for weekday in due_weekdays(days_per_week):
                steady[weekday].append((pk, times))
        else:
            others.append(rx)
    return steady, others


def judged_adherence_for_patients(
    patients: Iterable[Patient],
    *,
    today: dt.date,
    days: int,
    plans: Iterable[Plan] | None = None,
    read: AdherenceRead | None = None,
) -> dict[int, Adherence]:
    """The rule the patient's progress and the clinician's "falling behind" share: the last
    ``days`` days up to ``today``, counted from the plan's start only (days before it have
    nothing prescribed: never a debt), today in progress (what is done counts, what is not yet
    done does not). No one is behind on day one; moving on to a new phase today keeps today's
    credit. Same queries as ``adherence_for_patients`` (``read``: the rows already read)."""
    start = today - dt.timedelta(days=days - 1)
    return adherence_for_patients(
        patients, start=start, end=today, plans=plans, in_progress=today, read=read
    )


def _count_day(
    day_row: DayAdherence,
    prescriptions: list[_Rx],
    done_counts: dict[dt.date, dict[int, int]],
    *,
    anchor: dt.date,
) -> None:
    """Add the sessions prescribed on the day (by the phase's prescriptions live and due that
    day) and those done (``done_counts``: by day, then prescription), at most the prescribed
    number per prescription."""
    day = day_row.day
    weekday = (day - anchor).days % 7  # counted from ``Plan.due_days_anchor`` (``due_weekdays``)
    done_that_day = done_counts.get(day, {})
    for pk, current_times, current_days, live_from, retired_from, earlier in prescriptions:
        if live_from > day or (retired_from is not None and retired_from <= day):
            continue
        times, days_per_week = (
            dose_on(day, current_times, current_days, earlier)
            if earlier
            else (current_times, current_days)  # most never change: the current dose
        )
        if weekday not in due_weekdays(days_per_week):
            continue
        day_row.expected += times
        day_row.done += min(done_that_day.get(pk, 0), times)


def _active_plan_rows(
    patient_ids: list[int], plans: Iterable[Plan] | None
) -> list[tuple[int, int, dt.date]]:
    """(pk, patient id, the day its weekly due days count from: ``Plan.due_days_anchor``) of
    the patients' active plans (or paused: a red flag's pause does not erase the weeks before
    it): from ``plans`` if given, else one query."""
    if plans is not None:
        wanted = set(patient_ids)
        return [
            (plan.pk, plan.patient_id, plan.due_days_anchor)
            for plan in plans
            if plan.in_care and plan.patient_id in wanted
        ]
    return list(
        Plan.objects.filter(patient_id__in=patient_ids, status__in=PLANS_IN_CARE)
        .order_by()
        .values_list("pk", "patient_id", DUE_DAYS_ANCHOR)
    )


# The prescriptions that prescribe sessions, as ``_prescriptions_by_phase`` reads them: defined
# once (a queryset reads nothing until it is filtered and read, in a request), as
# rehab.export's queries are: building its condition, annotation and values anew on each
# request cost about a third of the query's CPU.
_SESSION_RX = (
    Prescription.objects.filter(COUNTS_AS_SESSION)
    .annotate(earlier=EARLIER_DOSES_IF_ANY)  # most have none: not sent
    .order_by()  # the model's default ordering would sort every row
    .values_list(
        "pk",
        "phase_id",
        "times_per_day",
        "days_per_week",
        "created_at",
        "retired_at",
        "earlier",
    )
)


def _prescriptions_by_phase(
    tz_by_phase: dict[int, dt.tzinfo], prescriptions: Iterable[Prescription] | None = None
) -> dict[int, list[_Rx]]:
    """The prescriptions of the phases ``tz_by_phase`` names that prescribe sessions (advice to
    read prescribes none: ``COUNTS_AS_SESSION``, so no log of it counts either), retired ones
    too, by phase (``_Rx``), the days in the time zone of the phase's patient. One query, none
    if ``prescriptions`` (the plans' prescriptions already read, with their exercises) is
    given."""
    by_phase: dict[int, list[_Rx]] = defaultdict(list)
    rows: Iterable[tuple[int, int, int, int, dt.datetime, dt.datetime | None, Any]] = (
        _SESSION_RX.filter(phase_id__in=list(tz_by_phase))
        if prescriptions is None
        else [
            (
                rx.pk,
                rx.phase_id,
                rx.times_per_day,
                rx.days_per_week,
                rx.created_at,
                rx.retired_at,
                rx.earlier_doses,
            )
            for rx in prescriptions
            if rx.phase_id in tz_by_phase and not rx.is_advice
        ]
    )
    for pk, phase_id, times, days_per_week, created_at, retired_at, earlier in rows:
        tz = tz_by_phase[phase_id]
        by_phase[phase_id].append(
            (
                pk,
                times,
                days_per_week,
                created_at.astimezone(tz).date(),
                retired_at.astimezone(tz).date() if retired_at is not None else None,
                earlier or (),
            )
        )
    return by_phase


def adherence_for_patient(
    patient: Patient,
    *,
    start: dt.date,
    end: dt.date,
    plan: Plan | None = None,
    read: AdherenceRead | None = None,
    in_progress: dt.date | None = None,
) -> Adherence:
    """``adherence_for_patients`` for one patient; ``plan``, if given, is their active plan
    already read (one query fewer), and ``read`` its rows already read (none at all)."""
    plans = None if plan is None else [plan]
    return adherence_for_patients(
        [patient], start=start, end=end, plans=plans, in_progress=in_progress, read=read
    )[patient.pk]


def judged_adherence_for_patient(
    patient: Patient,
    *,
    today: dt.date,
    days: int,
    plan: Plan | None = None,
    read: AdherenceRead | None = None,
) -> Adherence:
    """``judged_adherence_for_patients`` for one patient."""
    plans = None if plan is None else [plan]
    judged = judged_adherence_for_patients(
        [patient], today=today, days=days, plans=plans, read=read
    )
    return judged[patient.pk]
