"""Reads for the rehab app: what is due today, adherence, pain and score series.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from clinic.models import Message, Patient
from rehab import clinical
from rehab.guardrails import GuardrailWarning, guardrail_warning
from rehab.models.alerts import Alert
from rehab.models.library import Exercise
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription


def is_due_on(*, days_per_week: int, anchor: dt.date, day: dt.date) -> bool:
    """Whether a prescription done ``days_per_week`` days a week is due on ``day``.

    The due days are spread evenly through each week counted from the anchor date:
    3 days a week falls on days 0, 3 and 5 of the week; 7 means every day.
    """
    if days_per_week >= 7:
        return True
    d = (day - anchor).days % 7
    return d == 0 or (d * days_per_week) // 7 != ((d - 1) * days_per_week) // 7


def _live_on(rx: Prescription, day: dt.date, tz: dt.tzinfo | None = None) -> bool:
    """A prescription counts on ``day`` (a date in the patient's time zone ``tz``) if it
    existed by then and was not yet retired."""
    tz = tz or dt.UTC
    if rx.created_at.astimezone(tz).date() > day:
        return False
    return rx.retired_at is None or rx.retired_at.astimezone(tz).date() > day


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
    def open_log(self) -> ExerciseLog | None:
        """Today's last session if it has fewer sets than prescribed (still being ticked)."""
        if self.logs and self.logs[-1].sets_done < self.prescription.sets:
            return self.logs[-1]
        return None

    @property
    def done(self) -> bool:
        return (
            self.sessions_done >= max(self.prescription.times_per_day, 1) and self.open_log is None
        )


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


def phase_on(plan: Plan, day: dt.date) -> PlanPhase | None:
    """The phase in force on ``day``: the last phase change effective by then, else the plan's
    current phase (a plan moved to a phase "from today" shows it today, not before). One query.
    """
    change = (
        PhaseChange.objects.filter(plan=plan, effective_on__lte=day)
        .select_related("to_phase")
        .order_by("-effective_on", "-changed_at", "-pk")
        .first()
    )
    phase = change.to_phase if change is not None else plan.current_phase
    if phase is not None:
        phase.plan = plan  # its dates need the plan: no query for it
    return phase


def today_for_patient(patient: Patient, *, day: dt.date | None = None) -> Today:
    """What the Today page shows: the live exercises of the phase in force on ``day`` (the
    patient's local today by default), due or not, and the patient's logs for them that day.

    Four queries, whatever the size of the plan or history: the active plan with its current
    phase and the phase in force on ``day`` (``phase_on``'s rule, as a subquery); the phase's
    live prescriptions with their exercises; the exercises' equipment; the day's logs. One more
    only while a phase change effective after ``day`` has already moved the plan on (the phase
    in force is then not the current one)."""
    day = day or patient.local_today()
    phase_on_day = (
        PhaseChange.objects.filter(plan=OuterRef("pk"), effective_on__lte=day)
        .order_by("-effective_on", "-changed_at", "-pk")
        .values("to_phase_id")[:1]
    )
    plan = (  # 1
        Plan.objects.filter(patient=patient, status=Plan.Status.ACTIVE)
        .select_related("current_phase")
        .annotate(phase_on_day_id=Subquery(phase_on_day))
        .first()
    )
    if plan is None:
        return Today(patient=patient, day=day, plan=plan, phase=None, week=None)
    phase_id = plan.phase_on_day_id or plan.current_phase_id
    if phase_id is None:
        return Today(patient=patient, day=day, plan=plan, phase=None, week=plan.week_on(day))
    phase = plan.current_phase
    if phase is None or phase.pk != phase_id:
        phase = PlanPhase.objects.get(pk=phase_id)  # (1b) only in the case above
    phase.plan = plan  # its dates need the plan: no query for it
    prescriptions = list(
        # 2 prescriptions + exercises, 3 equipment
        Prescription.objects.filter(phase=phase, retired_at__isnull=True)
        .select_related("exercise")
        .prefetch_related("exercise__equipment")
        .order_by("order", "pk")
    )
    logs: dict[int, list[ExerciseLog]] = {rx.pk: [] for rx in prescriptions}
    if prescriptions:
        by_pk = {rx.pk: rx for rx in prescriptions}
        for log in ExerciseLog.objects.filter(  # 4
            patient=patient, date=day, prescription_id__in=list(by_pk)
        ).order_by("created_at"):
            log.prescription = by_pk[log.prescription_id]  # no query for it
            logs[log.prescription_id].append(log)
    items = [
        TodayItem(
            prescription=rx,
            due=is_due_on(days_per_week=rx.days_per_week, anchor=plan.anchor_date, day=day),
            logs=logs[rx.pk],
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


def _phase_id_on(timeline: list[tuple[dt.date, int]], day: dt.date) -> int | None:
    current = None
    for effective_on, phase_id in timeline:
        if effective_on <= day:
            current = phase_id
        else:
            break
    return current


def adherence_for_patients(
    patients: Iterable[Patient],
    *,
    start: dt.date,
    end: dt.date,
    plans: Iterable[Plan] | None = None,
) -> dict[int, Adherence]:
    """Adherence of each patient's active plan from ``start`` to ``end`` (inclusive).

    Prescribed sessions per day come from the phase that was current that day (the plan's
    phase history) and each prescription's days per week and times per day; done sessions are
    logs, at most the prescribed number per prescription and day. Four queries in all: the
    active plans, their phase changes, the prescriptions of the phases in force in the range
    only, and the day's log counts; three when ``plans`` gives the patients' active plans
    already read (``active_plans_for_patients``). Rows are read as tuples, not models.
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
    changes: dict[int, list[tuple[dt.date, dt.datetime, int, int]]] = defaultdict(list)
    for plan_id, effective_on, changed_at, change_pk, to_phase_id in (
        PhaseChange.objects.filter(plan_id__in=[row[0] for row in plan_rows])  # 2
        .order_by()
        .values_list("plan_id", "effective_on", "changed_at", "pk", "to_phase_id")
    ):
        changes[plan_id].append((effective_on, changed_at, change_pk, to_phase_id))
    # The phase in force on each day of the range, per plan (the last change effective by then;
    # on a day with several changes the last one made wins).
    phase_by_day: dict[int, list[int | None]] = {}
    for plan_id, _patient_id, _anchor in plan_rows:
        timeline = [(c[0], c[3]) for c in sorted(changes[plan_id])]
        phase_by_day[plan_id] = [_phase_id_on(timeline, day) for day in days]
    # A prescription made at 20:00 UTC is already "tomorrow" in Auckland: judge in local days.
    tz_by_patient = {p.pk: p.tz for p in patients}
    tz_by_phase: dict[int, dt.tzinfo] = {}
    for plan_id, patient_id, _anchor in plan_rows:
        for pid in phase_by_day[plan_id]:
            if pid is not None:
                tz_by_phase[pid] = tz_by_patient.get(patient_id) or dt.UTC
    if not tz_by_phase:  # no phase in force on any day of the range
        return result
    rx_by_phase = _prescriptions_by_phase(tz_by_phase)  # 3
    done_counts: dict[tuple[int, dt.date], int] = {
        (rx_id, day): n
        for rx_id, day, n in (
            ExerciseLog.objects.filter(  # 4
                patient_id__in=patient_ids, date__gte=start, date__lte=end
            )
            .order_by()
            .values("prescription_id", "date")
            .annotate(n=Count("pk"))
            .values_list("prescription_id", "date", "n")
        )
    }
    for plan_id, patient_id, anchor in plan_rows:
        for day_row, phase_id in zip(result[patient_id].days, phase_by_day[plan_id], strict=True):
            if phase_id is not None:
                _count_day(day_row, rx_by_phase[phase_id], done_counts, anchor=anchor)
    return result


def _count_day(
    day_row: DayAdherence,
    prescriptions: list[tuple[int, int, int, dt.date, dt.date | None]],
    done_counts: dict[tuple[int, dt.date], int],
    *,
    anchor: dt.date,
) -> None:
    """Add the sessions prescribed on the day (by the phase's prescriptions live and due that
    day) and those done, at most the prescribed number per prescription."""
    day = day_row.day
    for pk, times, days_per_week, live_from, retired_from in prescriptions:
        if live_from > day or (retired_from is not None and retired_from <= day):
            continue
        if not is_due_on(days_per_week=days_per_week, anchor=anchor, day=day):
            continue
        day_row.expected += times
        day_row.done += min(done_counts.get((pk, day), 0), times)


def _active_plan_rows(
    patient_ids: list[int], plans: Iterable[Plan] | None
) -> list[tuple[int, int, dt.date]]:
    """(pk, patient id, anchor date) of the patients' active plans: from ``plans`` if given,
    else one query."""
    if plans is not None:
        wanted = set(patient_ids)
        return [
            (plan.pk, plan.patient_id, plan.anchor_date)
            for plan in plans
            if plan.status == Plan.Status.ACTIVE and plan.patient_id in wanted
        ]
    return list(
        Plan.objects.filter(patient_id__in=patient_ids, status=Plan.Status.ACTIVE)
        .order_by()
        .values_list("pk", "patient_id", "anchor_date")
    )


def _prescriptions_by_phase(
    tz_by_phase: dict[int, dt.tzinfo],
) -> dict[int, list[tuple[int, int, int, dt.date, dt.date | None]]]:
    """The prescriptions of the phases ``tz_by_phase`` names, retired ones too, by phase: (pk,
    times per day, days per week, first local day live, first local day retired or None), the
    days in the time zone of the phase's patient. One query."""
    by_phase: dict[int, list[tuple[int, int, int, dt.date, dt.date | None]]] = defaultdict(list)
    for pk, phase_id, times, days_per_week, created_at, retired_at in (
        Prescription.objects.filter(phase_id__in=list(tz_by_phase))
        .order_by()  # the model's default ordering would sort every row
        .values_list("pk", "phase_id", "times_per_day", "days_per_week", "created_at", "retired_at")
    ):
        tz = tz_by_phase[phase_id]
        by_phase[phase_id].append(
            (
                pk,
                times,
                days_per_week,
                created_at.astimezone(tz).date(),
                retired_at.astimezone(tz).date() if retired_at is not None else None,
            )
        )
    return by_phase


def adherence_for_patient(
    patient: Patient, *, start: dt.date, end: dt.date, plan: Plan | None = None
) -> Adherence:
    """``adherence_for_patients`` for one patient; ``plan``, if given, is their active plan
    already read (one query fewer)."""
    plans = None if plan is None else [plan]
    return adherence_for_patients([patient], start=start, end=end, plans=plans)[patient.pk]


# --- Pain, alerts, scores ----------------------------------------------------------------


@dataclass(frozen=True)
class PainPoint:
    day: dt.date
    pain: int
    source: str  # "log" (the day's highest exercise pain) or "checkin" (pain at rest)


LAST_PAIN_WINDOW_DAYS = 30


def last_pain_for_patients(patients: Iterable[Patient]) -> dict[int, PainPoint]:
    """The most recent pain each patient reported in the last 30 days, on an exercise log or a
    check-in (the later wins). One query: a correlated subquery per patient reads just the
    newest row through the (patient, date) indexes, whatever the length of the history."""
    return _last_pain_and_open_alerts([p.pk for p in patients], open_alerts=False)[0]


def _last_pain_and_open_alerts(
    ids: list[int], *, open_alerts: bool
) -> tuple[dict[int, PainPoint], dict[int, int]]:
    """``last_pain_for_patients`` and, if ``open_alerts``, ``open_alert_counts`` (by the
    partial index of open alerts) in the same single query."""
    if not ids:
        return {}, {}
    cutoff = _recent_cutoff()
    newest_log = ExerciseLog.objects.filter(
        patient=OuterRef("pk"), pain__isnull=False, date__gte=cutoff
    ).order_by("-date", "-created_at")
    newest_checkin = CheckIn.objects.filter(patient=OuterRef("pk"), date__gte=cutoff).order_by(
        "-date"
    )
    annotations: dict[str, Any] = {
        "log_date": Subquery(newest_log.values("date")[:1]),
        "log_pain": Subquery(newest_log.values("pain")[:1]),
        "checkin_date": Subquery(newest_checkin.values("date")[:1]),
        "checkin_pain": Subquery(newest_checkin.values("pain_at_rest")[:1]),
    }
    if open_alerts:
        annotations["open_alerts"] = Subquery(
            Alert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True)
            .order_by()
            .values("patient")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
    rows = cast(
        "Iterable[dict[str, Any]]",
        Patient.objects.filter(pk__in=ids).order_by().values("pk", **annotations),
    )
    latest: dict[int, PainPoint] = {}
    alerts: dict[int, int] = {}
    for row in rows:
        if row["checkin_date"] is not None and (
            row["log_date"] is None or row["checkin_date"] > row["log_date"]
        ):
            latest[row["pk"]] = PainPoint(row["checkin_date"], row["checkin_pain"], "checkin")
        elif row["log_date"] is not None:
            latest[row["pk"]] = PainPoint(row["log_date"], row["log_pain"], "log")
        if row.get("open_alerts"):
            alerts[row["pk"]] = row["open_alerts"]
    return latest, alerts


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


# --- The clinician's patient list, dashboard, alerts inbox and message threads -------------
# (Added for rehab/views/dashboard.py and rehab/views/messages.py.)

ADHERENCE_WINDOW_DAYS = 7
FALLING_BEHIND_PERCENT = 50


def _alert_severity_order() -> Case:
    """Red flags before high pain."""
    return Case(When(kind=Alert.Kind.RED_FLAG, then=Value(0)), default=Value(1))


def patients_matching(
    *,
    clinic_id: int,
    q: str = "",
    pathway: str = "",
    status: str = Patient.Status.ACTIVE,
    has_open_alerts: bool = False,
) -> QuerySet[Patient]:
    """A clinic's patients filtered for the patient list, by name. Not evaluated here.

    ``q`` matches the first or last name, case-insensitively; each word must match one of them.
    An empty ``pathway`` or ``status`` means any.
    """
    rows = Patient.objects.filter(clinic_id=clinic_id)
    for word in q.split():
        rows = rows.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    if pathway:
        rows = rows.filter(pathway=pathway)
    if status:
        rows = rows.filter(status=status)
    if has_open_alerts:
        rows = rows.filter(
            Exists(Alert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True))
        )
    return rows.order_by("last_name", "first_name", "pk")


def active_plans_for_patients(patients: Iterable[Patient]) -> dict[int, Plan]:
    """Each patient's active plan with its current phase, by patient id. One query."""
    ids = [p.pk for p in patients]
    plans = Plan.objects.filter(patient_id__in=ids, status=Plan.Status.ACTIVE).select_related(
        "current_phase"
    )
    return {plan.patient_id: plan for plan in plans}


@dataclass
class PatientRow:
    """One patient as the clinician's lists show them."""

    patient: Patient
    plan: Plan | None
    week: int | None
    adherence: Adherence
    last_pain: PainPoint | None = None
    open_alerts: int = 0

    @property
    def phase(self) -> PlanPhase | None:
        return self.plan.current_phase if self.plan is not None else None


def adherence_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last seven days, today included."""
    return today - dt.timedelta(days=ADHERENCE_WINDOW_DAYS - 1), today


def patient_rows(patients: Sequence[Patient], *, today: dt.date) -> list[PatientRow]:
    """Plan, phase, week, 7-day adherence, last pain and open alerts for each patient.

    Five queries whatever the number of patients: active plans with their current phases (1);
    adherence of those plans (3: phase changes, prescriptions, log counts); last pain and open
    alert counts (1, a subquery per patient).
    """
    patients = list(patients)
    if not patients:
        return []
    plans = active_plans_for_patients(patients)
    start, end = adherence_window(today)
    adherence = adherence_for_patients(patients, start=start, end=end, plans=plans.values())
    pain, alerts = _last_pain_and_open_alerts([p.pk for p in patients], open_alerts=True)
    rows = []
    for patient in patients:
        plan = plans.get(patient.pk)
        rows.append(
            PatientRow(
                patient=patient,
                plan=plan,
                week=plan.week_on(patient.local_today()) if plan is not None else None,
                adherence=adherence[patient.pk],
                last_pain=pain.get(patient.pk),
                open_alerts=alerts.get(patient.pk, 0),
            )
        )
    return rows


def open_alerts_for_clinic(clinic_id: int) -> QuerySet[Alert]:
    """A clinic's open alerts: red flags first, then high pain; newest first within each."""
    return (
        Alert.objects.filter(patient__clinic_id=clinic_id, acknowledged_at__isnull=True)
        .select_related("patient")
        .order_by(_alert_severity_order(), "-created_at", "-pk")
    )


def acknowledged_alerts_for_clinic(clinic_id: int) -> QuerySet[Alert]:
    """A clinic's acknowledged alerts, the most recently acknowledged first."""
    return (
        Alert.objects.filter(patient__clinic_id=clinic_id, acknowledged_at__isnull=False)
        .select_related("patient", "acknowledged_by")
        .order_by("-acknowledged_at", "-pk")
    )


def patients_falling_behind(*, clinic_id: int, today: dt.date) -> list[PatientRow]:
    """Active patients with an active plan whose adherence over the last seven days is below
    50 %, the lowest first. Five queries: plans with patients and phases (1), adherence (4)."""
    plans = list(
        Plan.objects.filter(
            patient__clinic_id=clinic_id,
            patient__status=Patient.Status.ACTIVE,
            status=Plan.Status.ACTIVE,
        ).select_related("patient", "current_phase")
    )
    if not plans:
        return []
    patients = [plan.patient for plan in plans]
    start, end = adherence_window(today)
    adherence = adherence_for_patients(patients, start=start, end=end)
    rows = []
    for plan in plans:
        patient = plan.patient
        percent = adherence[patient.pk].percent
        if percent is not None and percent < FALLING_BEHIND_PERCENT:
            rows.append(
                PatientRow(
                    patient=patient,
                    plan=plan,
                    week=plan.week_on(patient.local_today()),
                    adherence=adherence[patient.pk],
                )
            )
    rows.sort(key=lambda row: (row.adherence.percent or 0, row.patient.last_name))
    return rows


def patients_with_unread_messages(clinic_id: int) -> QuerySet[Patient]:
    """Patients whose messages to the clinic are unread, annotated with ``unread_count`` and
    ``last_unread_at``; the longest-waiting first. One query."""
    unread = Q(messages__from_patient=True, messages__read_at__isnull=True)
    return (
        Patient.objects.filter(clinic_id=clinic_id)
        .annotate(
            unread_count=Count("messages", filter=unread),
            last_unread_at=Max("messages__created_at", filter=unread),
            first_unread_at=Min("messages__created_at", filter=unread),
        )
        .filter(unread_count__gt=0)
        .order_by("first_unread_at", "pk")
    )


def message_thread(patient: Patient) -> list[Message]:
    """The patient's messages, oldest first, with their authors. One query."""
    return list(
        Message.objects.filter(patient=patient)
        .select_related("author")
        .order_by("created_at", "pk")
    )


# --- Pages for the patient and the clinician's patient page -------------------------------


# What a tick reads of its prescription (services.log_record's checks, the prescribed sets of a
# whole-session tick, the answers).
_TO_LOG: tuple[tuple[type[Any], str, tuple[str, ...]], ...] = (
    (Prescription, "rx", ("id", "phase", "exercise", "sets", "retired_at")),
    (PlanPhase, "ph", ("id", "plan")),
    (Plan, "pl", ("id", "patient", "status", "anchor_date")),
    (Exercise, "ex", ("id", "name")),
)


def _loaded(model: type[Any], names: tuple[str, ...]) -> list[Any]:
    """The model's fields of ``names``, in the model's own order (``from_db`` takes them so)."""
    return [f for f in model._meta.concrete_fields if f.name in names]


@functools.cache
def _to_log_columns() -> list[tuple[type[Any], list[str], list[tuple[Any, list[Any]]]]]:
    """For each model: its loaded fields' attnames, and each field's column with the
    database's and the field's value converters (SQLite's dates come back as text)."""
    plan = []
    for model, alias, names in _TO_LOG:
        fields = _loaded(model, names)
        columns = []
        for f in fields:
            col = f.get_col(alias)
            columns.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
        plan.append((model, [f.attname for f in fields], columns))
    return plan


@functools.cache
def _to_log_sql() -> str:
    """The SELECT of ``prescription_to_log``, built once from the models' table and column
    names (the ORM spends ~0.5 ms compiling this four-table join on every tick)."""
    qn = connection.ops.quote_name

    def column(alias: str, model: type[Any], name: str) -> str:
        return f"{alias}.{qn(model._meta.get_field(name).column)}"

    select = ", ".join(
        f"{alias}.{qn(f.column)}" for model, alias, names in _TO_LOG for f in _loaded(model, names)
    )
    tables = {alias: qn(model._meta.db_table) for model, alias, _names in _TO_LOG}
    # Only the models' own table and column names are formatted in (quoted); the two values
    # are parameters.
    return (
        f"SELECT {select} FROM {tables['rx']} rx"  # noqa: S608
        f" JOIN {tables['ph']} ph"
        f" ON {column('ph', PlanPhase, 'id')} = {column('rx', Prescription, 'phase')}"
        f" JOIN {tables['pl']} pl"
        f" ON {column('pl', Plan, 'id')} = {column('ph', PlanPhase, 'plan')}"
        f" JOIN {tables['ex']} ex"
        f" ON {column('ex', Exercise, 'id')} = {column('rx', Prescription, 'exercise')}"
        f" WHERE {column('rx', Prescription, 'id')} = %s"
        f" AND {column('pl', Plan, 'patient')} = %s"
    )


def prescription_to_log(patient: Patient, prescription_id: int) -> Prescription | None:
    """The patient's prescription ``prescription_id`` (of any of their plans; the service
    checks that the plan is active and the prescription current, and finds a retried tick's
    stored row even after a plan change), with its phase's plan (owner, status, start day) and
    its exercise's name loaded, or None if it is not theirs. The one lookup of what a tick is
    for: the Today page's form and the API both use it.

    The hottest read of a write: one statement built once, as the ORM would with
    ``select_related("phase__plan", "exercise").only(...)``, the other columns deferred.
    """
    low, high = connection.ops.integer_field_range(Prescription._meta.pk.get_internal_type())
    if not low <= prescription_id <= high:  # as the ORM's lookup: no such row, not an error
        return None
    with connection.cursor() as cursor:
        cursor.execute(_to_log_sql(), [prescription_id, patient.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    rx, phase, plan, exercise = (
        model.from_db(
            connection.alias,
            attnames,
            [_converted(next(values), col, converters) for col, converters in columns],
        )
        for model, attnames, columns in _to_log_columns()
    )
    PlanPhase.plan.field.set_cached_value(phase, plan)
    Prescription.phase.field.set_cached_value(rx, phase)
    Prescription.exercise.field.set_cached_value(rx, exercise)
    return cast("Prescription", rx)


def _converted(value: Any, col: Any, converters: list[Any]) -> Any:
    for converter in converters:
        value = converter(value, col, connection)
    return value


def checkin_on(patient: Patient, day: dt.date) -> CheckIn | None:
    return CheckIn.objects.filter(patient=patient, date=day).first()


@dataclass(frozen=True)
class AtrsOffer:
    """Why the Today page asks for the ATRS: a clinician's request or a scheduled week."""

    request: AtrsRequest | None = None
    week: int | None = None
    request_id: int | None = None

    @property
    def requested(self) -> bool:
        """The clinic asked for it (else ``week`` is the scheduled week)."""
        return self.request is not None or self.request_id is not None


def _atrs_window(patient: Patient, day: dt.date) -> tuple[int, dt.date] | None:
    """The ATRS week ``day`` falls in (6, 12, 26 or 52 from the anchor date) and its first
    day, else None."""
    week = patient.week_on(day)
    if week not in clinical.ATRS_OFFER_WEEKS:
        return None
    return week, patient.anchor_date + dt.timedelta(weeks=week)


def _atrs_answered_in(start: dt.date) -> QuerySet[AtrsResponse]:
    """The patient's (``OuterRef("pk")`` or filtered further) answers in the week from ``start``."""
    return AtrsResponse.objects.filter(date__gte=start, date__lt=start + dt.timedelta(days=7))


def atrs_offer(patient: Patient, *, day: dt.date) -> AtrsOffer | None:
    """Offer the ATRS when the clinic asked for it and it is unanswered, or when ``day`` falls in
    week 6, 12, 26 or 52 from the anchor date and nothing was answered that week. Two queries
    at most."""
    request = (
        AtrsRequest.objects.filter(patient=patient, response__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    if request is not None:
        return AtrsOffer(request=request, request_id=request.pk)
    window = _atrs_window(patient, day)
    if window is None:
        return None
    week, start = window
    answered = _atrs_answered_in(start).filter(patient=patient).exists()
    return None if answered else AtrsOffer(week=week)


@dataclass(frozen=True)
class TodayNotices:
    """What the Today page reminds the patient of besides the exercises."""

    checked_in: bool
    atrs_offer: AtrsOffer | None


def today_notices(patient: Patient, *, day: dt.date) -> TodayNotices:
    """Whether the patient has checked in on ``day`` (``checkin_on``) and the ATRS offer
    (``atrs_offer``, without the request's row), in one query whatever the week."""
    annotations: dict[str, Any] = {
        "checked_in": Exists(CheckIn.objects.filter(patient=OuterRef("pk"), date=day)),
        "request_id": Subquery(
            AtrsRequest.objects.filter(patient=OuterRef("pk"), response__isnull=True)
            .order_by("-requested_at")
            .values("pk")[:1]
        ),
    }
    window = _atrs_window(patient, day)
    if window is not None:
        annotations["answered"] = Exists(
            _atrs_answered_in(window[1]).filter(patient=OuterRef("pk"))
        )
    row: dict[str, Any] = dict(Patient.objects.filter(pk=patient.pk).values(**annotations).get())
    offer: AtrsOffer | None = None
    if row["request_id"] is not None:
        offer = AtrsOffer(request_id=row["request_id"])
    elif window is not None and not row["answered"]:
        offer = AtrsOffer(week=window[0])
    return TodayNotices(checked_in=row["checked_in"], atrs_offer=offer)


def open_atrs_request(patient: Patient) -> AtrsRequest | None:
    return (
        AtrsRequest.objects.filter(patient=patient, response__isnull=True)
        .select_related("requested_by")
        .order_by("-requested_at")
        .first()
    )


@dataclass
class HistoryDay:
    day: dt.date
    logs: list[ExerciseLog] = field(default_factory=list)


def history_by_day(patient: Patient, *, start: dt.date, end: dt.date) -> list[HistoryDay]:
    """Every day from ``end`` back to ``start`` with what was logged that day. One query."""
    by_day: dict[dt.date, list[ExerciseLog]] = defaultdict(list)
    for log in (
        ExerciseLog.objects.filter(patient=patient, date__gte=start, date__lte=end)
        .select_related("prescription", "prescription__exercise")
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
    equipment) prefetched as ``live_prescriptions``. Four queries."""
    phases: list[PlanPhase] = list(
        PlanPhase.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch(
                "prescriptions",
                queryset=Prescription.objects.filter(retired_at__isnull=True)
                .select_related("exercise")
                .prefetch_related("exercise__equipment")
                .order_by("order", "pk"),
                to_attr="live_prescriptions",
            )
        )
        .order_by("order", "pk")
    )
    for phase in phases:
        phase.plan = plan
    return phases


def plans_of_patient(patient: Patient) -> list[Plan]:
    """All the patient's plans, active first, then drafts, then completed; newest first."""
    order = {Plan.Status.ACTIVE: 0, Plan.Status.DRAFT: 1, Plan.Status.COMPLETED: 2}
    plans = list(
        Plan.objects.filter(patient=patient)
        .select_related("current_phase")
        .order_by("-created_at", "-pk")
    )
    for plan in plans:
        if plan.current_phase is not None:
            plan.current_phase.plan = plan
    return sorted(plans, key=lambda p: order.get(Plan.Status(p.status), 3))


def open_alerts(patient: Patient) -> list[Alert]:
    return list(
        Alert.objects.filter(patient=patient, acknowledged_at__isnull=True).order_by(
            "-created_at", "-pk"
        )
    )


def recent_messages(patient: Patient, *, limit: int = 5) -> list[Message]:
    """The last ``limit`` messages of the patient's thread, oldest first."""
    rows = list(
        Message.objects.filter(patient=patient)
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )
    return rows[::-1]


# --- The plan builder, progression evidence, the library ----------------------------------


@dataclass(frozen=True)
class BuilderItem:
    """A prescription as the builder shows it: whether it was logged, and any guardrail."""

    prescription: Prescription
    has_logs: bool
    warning: GuardrailWarning | None

    @property
    def needs_reason(self) -> bool:
        return self.warning is not None and not self.prescription.guardrail_reason.strip()


@dataclass
class BuilderPhase:
    phase: PlanPhase
    items: list[BuilderItem] = field(default_factory=list)  # live, in order
    retired: list[BuilderItem] = field(default_factory=list)

    @property
    def has_logs(self) -> bool:
        return any(item.has_logs for item in [*self.items, *self.retired])


@dataclass
class PlanBuilder:
    plan: Plan
    phases: list[BuilderPhase]

    @property
    def missing_reasons(self) -> list[BuilderItem]:
        return [item for phase in self.phases for item in phase.items if item.needs_reason]

    @property
    def phase_list(self) -> list[PlanPhase]:
        return [p.phase for p in self.phases]


def plan_builder(plan: Plan) -> PlanBuilder:
    """The plan's phases in order with their prescriptions, live and retired, each with its
    exercise, whether it has logs, and its guardrail warning. Two queries."""
    phases = list(PlanPhase.objects.filter(plan=plan).order_by("order", "pk"))  # 1
    by_id: dict[int, BuilderPhase] = {}
    for phase in phases:
        phase.plan = plan
        by_id[phase.pk] = BuilderPhase(phase=phase)
    rows = (
        Prescription.objects.filter(phase__plan=plan)  # 2
        .select_related("exercise")
        .annotate(logged=Exists(ExerciseLog.objects.filter(prescription=OuterRef("pk"))))
        .order_by("order", "pk")
    )
    for rx in rows:
        builder_phase = by_id[rx.phase_id]
        rx.phase = builder_phase.phase
        item = BuilderItem(
            prescription=rx,
            has_logs=bool(rx.logged),
            warning=guardrail_warning(exercise=rx.exercise, phase=rx.phase),
        )
        (builder_phase.retired if rx.retired_at else builder_phase.items).append(item)
    return PlanBuilder(plan=plan, phases=[by_id[p.pk] for p in phases])


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


def progression_evidence(
    plan: Plan, *, phases: Sequence[PlanPhase] | None = None, today: dt.date | None = None
) -> ProgressionEvidence:
    """The current phase and its neighbours, and the evidence next to its exit criteria:
    adherence over 14 days, each day's highest pain over 7, the latest heel-rise and calf
    measurements, the latest ATRS, open alerts and the phase history.

    Eleven queries, ten if ``phases`` is given: phases (1), adherence (4), pain (2),
    measurements (2), ATRS (1), open alerts (1), phase history (1).
    """
    patient = plan.patient
    today = today or patient.local_today()
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
    adherence = adherence_for_patient(
        patient, start=today - dt.timedelta(days=PROGRESSION_ADHERENCE_DAYS - 1), end=today
    )
    pain_start = today - dt.timedelta(days=PROGRESSION_PAIN_DAYS - 1)
    exercise_pain: dict[dt.date, int] = {}
    rest_pain: dict[dt.date, int] = {}
    for point in pain_series(patient, start=pain_start, end=today):
        target = exercise_pain if point.source == "log" else rest_pain
        target[point.day] = max(point.pain, target.get(point.day, 0))
    pain_days = [
        PainDay(day=day, exercise=exercise_pain.get(day), rest=rest_pain.get(day))
        for day in (pain_start + dt.timedelta(days=n) for n in range(PROGRESSION_PAIN_DAYS))
    ]
    measurements = Measurement.objects.filter(patient=patient).order_by("-date", "-created_at")
    changes = list(
        PhaseChange.objects.filter(plan=plan)
        .select_related("from_phase", "to_phase", "changed_by")
        .order_by("-changed_at", "-pk")
    )
    return ProgressionEvidence(
        plan=plan,
        today=today,
        phase=current,
        previous_phase=previous_phase,
        next_phase=next_phase,
        adherence=adherence,
        pain_days=pain_days,
        heel_rise=measurements.filter(
            Q(heel_rise_reps_injured__isnull=False) | Q(heel_rise_reps_uninjured__isnull=False)
        ).first(),
        calf=measurements.filter(
            Q(calf_cm_injured__isnull=False) | Q(calf_cm_uninjured__isnull=False)
        ).first(),
        atrs=AtrsResponse.objects.filter(patient=patient).order_by("-date", "-created_at").first(),
        open_alerts=list(
            Alert.objects.filter(patient=patient, acknowledged_at__isnull=True).order_by(
                "-created_at", "-pk"
            )
        ),
        changes=changes,
    )


def library_search(
    exercises: QuerySet[Exercise], *, q: str = "", category: str = "", equipment: str = ""
) -> QuerySet[Exercise]:
    """``exercises`` (already limited to what the user may see) matching a search by name or
    summary, a category and an equipment slug; equipment prefetched (one more query)."""
    q = q.strip()
    if q:
        exercises = exercises.filter(Q(name__icontains=q) | Q(summary__icontains=q))
    if category:
        exercises = exercises.filter(category=category)
    if equipment:
        exercises = exercises.filter(equipment__slug=equipment)
    return exercises.prefetch_related("equipment").order_by("category", "name", "pk").distinct()


def default_dose_text(exercise: Exercise) -> str:
    """The exercise's default dose in words, as a prescription would read."""
    return Prescription(
        sets=exercise.default_sets,
        reps=exercise.default_reps,
        hold_seconds=exercise.default_hold_seconds,
        times_per_day=exercise.default_times_per_day,
        days_per_week=exercise.default_days_per_week,
        side=exercise.side,
    ).dose_text()


def handout_items(phase: PlanPhase) -> list[BuilderItem]:
    """The live prescriptions of ``phase`` for the printed handout, with exercises, equipment
    and guardrail warnings. Two queries."""
    rows = list(
        Prescription.objects.filter(phase=phase, retired_at__isnull=True)
        .select_related("exercise")
        .prefetch_related("exercise__equipment")
        .order_by("order", "pk")
    )
    items = []
    for rx in rows:
        rx.phase = phase
        items.append(
            BuilderItem(
                prescription=rx,
                has_logs=False,
                warning=guardrail_warning(exercise=rx.exercise, phase=phase),
            )
        )
    return items
