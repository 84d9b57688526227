"""Reads for the clinician's desk: the patient list, the dashboard and the alerts inbox (one
patient's page reads from ``patient_page``).

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.paginator import Page
from django.db.models import (
    Case,
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.utils import timezone

from clinic.models import Patient
from rehab.clinical import RED_FLAGS
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.alerts import Alert
from rehab.models.logbook import CheckIn, ExerciseLog
from rehab.models.plans import Plan, PlanPhase
from rehab.selectors.adherence import Adherence
from rehab.selectors.adherence_totals import AdherenceTotal, judged_adherence_totals
from rehab.selectors.progress import PainPoint

LAST_PAIN_WINDOW_DAYS = 30


def last_pain_for_patients(patients: Iterable[Patient]) -> dict[int, PainPoint]:
    """The most recent pain each patient reported in the last 30 days (of their own days, in
    their time zone), on an exercise log or a check-in (the later wins). One query: a
    correlated subquery per patient reads just the newest row through the (patient, date)
    indexes, whatever the length of the history."""
    return _last_pain_and_open_alerts([p.pk for p in patients], open_alerts=False)[0]


def _last_pain_and_open_alerts(
    ids: list[int], *, open_alerts: bool
) -> tuple[dict[int, PainPoint], dict[int, int], dict[int, dt.date]]:
    """``last_pain_for_patients`` and, if ``open_alerts``, ``open_alert_counts`` (by the
    partial index of open alerts) and each patient's last activity (the day of their latest
    exercise log or check-in, at any time) in the same single query."""
    if not ids:
        return {}, {}, {}
    # The earliest any patient's window can start (their today is UTC's, the day before or
    # the day after); each patient's own is applied to the newest row below.
    cutoff = _recent_cutoff(timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=1))
    newest_log = ExerciseLog.objects.filter(
        patient=OuterRef("pk"), pain__isnull=False, date__gte=cutoff
    ).order_by("-date", "-created_at")
    newest_checkin = CheckIn.objects.filter(
        patient=OuterRef("pk"), pain_at_rest__isnull=False, date__gte=cutoff
    ).order_by("-date")
    annotations: dict[str, Any] = {
        "log_date": Subquery(newest_log.values("date")[:1]),
        "log_pain": Subquery(newest_log.values("pain")[:1]),
        "checkin_date": Subquery(newest_checkin.values("date")[:1]),
        "checkin_pain": Subquery(newest_checkin.values("pain_at_rest")[:1]),
    }
    if open_alerts:
        annotations["any_log_date"] = Subquery(
            ExerciseLog.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")[:1]
        )
        annotations["any_checkin_date"] = Subquery(
            CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")[:1]
        )
        annotations["open_alerts"] = Subquery(
            Alert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True)
            .order_by()
            .values("patient")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
    rows = cast(
        "Iterable[dict[str, Any]]",
        Patient.objects.filter(pk__in=ids).order_by().values("pk", "timezone", **annotations),
    )
    latest: dict[int, PainPoint] = {}
    alerts: dict[int, int] = {}
    activity: dict[int, dt.date] = {}
    for row in rows:
        days = [d for d in (row.get("any_log_date"), row.get("any_checkin_date")) if d]
        if days:
            activity[row["pk"]] = max(days)
        # The patient's own window: a newest row before it has nothing newer within it.
        own = _recent_cutoff(timezone.now().astimezone(zoneinfo.ZoneInfo(row["timezone"])).date())
        checkin_date = row["checkin_date"] if _on_or_after(row["checkin_date"], own) else None
        log_date = row["log_date"] if _on_or_after(row["log_date"], own) else None
        if checkin_date is not None and (log_date is None or checkin_date > log_date):
            latest[row["pk"]] = PainPoint(checkin_date, row["checkin_pain"], "checkin")
        elif log_date is not None:
            latest[row["pk"]] = PainPoint(log_date, row["log_pain"], "log")
        if row.get("open_alerts"):
            alerts[row["pk"]] = row["open_alerts"]
    return latest, alerts, activity


def _on_or_after(day: dt.date | None, first: dt.date) -> bool:
    return day is not None and day >= first


def _recent_cutoff(today: dt.date) -> dt.date:
    """The first day of the last-pain window ending on ``today``."""
    return today - dt.timedelta(days=LAST_PAIN_WINDOW_DAYS)


def open_alert_counts(patients: Iterable[Patient]) -> dict[int, int]:
    ids = [p.pk for p in patients]
    rows = (
        Alert.objects.filter(patient_id__in=ids, acknowledged_at__isnull=True)
        .values("patient_id")
        .annotate(n=Count("pk"))
    )
    return {row["patient_id"]: row["n"] for row in rows}


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

    ``q`` matches the first or last name, letter case and accents ignored; each word must match
    one of them. An empty ``pathway`` or ``status`` means any.
    """
    rows = Patient.objects.filter(clinic_id=clinic_id).matching(q)
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
    plans = Plan.objects.filter(patient_id__in=ids, status__in=PLANS_IN_CARE).select_related(
        "current_phase"
    )
    return {plan.patient_id: plan for plan in plans}


@dataclass
class PatientRow:
    """One patient as the clinician's lists show them."""

    patient: Patient
    plan: Plan | None
    week: int | None
    adherence: Adherence | AdherenceTotal
    last_pain: PainPoint | None = None
    open_alerts: int = 0
    last_activity: dt.date | None = None

    @property
    def phase(self) -> PlanPhase | None:
        return self.plan.current_phase if self.plan is not None else None


# The patient list's sortable columns: the key of each row (None sorts last either way).
PATIENT_SORTS = ("name", "week", "adherence", "pain", "alerts", "activity")


def _sort_value(row: PatientRow, column: str) -> Any:
    match column:
        case "week":
            return row.week
        case "adherence":
            return row.adherence.percent
        case "pain":
            return row.last_pain.pain if row.last_pain else None
        case "alerts":
            return row.open_alerts
        case "activity":
            return row.last_activity
    return None


def sorted_patient_rows(
    patients: QuerySet[Patient], *, sort: str, today: dt.date
) -> list[PatientRow]:
    """Every patient of ``patients`` with their row, sorted by ``sort`` (a column of
    ``PATIENT_SORTS``, "-" first for descending; empty patients without a value last, then by
    name). The columns are computed, not stored, so every matching row is read: seven queries
    whatever their number (the patients, then ``patient_rows``)."""
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    rows = patient_rows(list(patients), today=today)
    rows.sort(key=lambda row: (row.patient.last_name.lower(), row.patient.first_name.lower()))
    if column == "name":
        if descending:
            rows.reverse()
        return rows
    valued = [row for row in rows if _sort_value(row, column) is not None]
    empty = [row for row in rows if _sort_value(row, column) is None]
    valued.sort(key=lambda row: _sort_value(row, column), reverse=descending)
    return valued + empty


def adherence_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last seven days, today included."""
    return today - dt.timedelta(days=ADHERENCE_WINDOW_DAYS - 1), today


def patient_rows(patients: Sequence[Patient], *, today: dt.date) -> list[PatientRow]:
    """Plan, phase, week, 7-day adherence, last pain, open alerts and last activity for each
    patient.

    Six queries whatever the number of patients: active plans with their current phases (1);
    adherence of those plans (4: phase changes, pauses, prescriptions, log counts); last pain,
    open alert counts and last activity (1, subqueries per patient). The adherence is of each
    patient's last seven days up to their own today (``today`` is the clinic's).
    """
    patients = list(patients)
    if not patients:
        return []
    plans = active_plans_for_patients(patients)
    # Judged as on the dashboard and the patient's progress: today counts what is done, it
    # owes nothing before it is over; and it is the patient's today, in their time zone.
    adherence = (
        judged_adherence_totals(
            Plan.objects.filter(pk__in=[plan.pk for plan in plans.values()]),
            days=ADHERENCE_WINDOW_DAYS,
        )
        if plans
        else {}
    )
    pain, alerts, activity = _last_pain_and_open_alerts([p.pk for p in patients], open_alerts=True)
    rows = []
    for patient in patients:
        plan = plans.get(patient.pk)
        rows.append(
            PatientRow(
                patient=patient,
                plan=plan,
                week=plan.week_on(patient.local_today()) if plan is not None else None,
                adherence=adherence.get(patient.pk, AdherenceTotal()),
                last_pain=pain.get(patient.pk),
                open_alerts=alerts.get(patient.pk, 0),
                last_activity=activity.get(patient.pk),
            )
        )
    return rows


# What an alert row shows of the report: the patient, the check-in's answers, the log's
# exercise, pain, effort and note (joined: no query per row).
ALERT_REPORT = ("patient", "checkin", "log__prescription__exercise")
# The columns those rows read (``rehab/dashboard/alerts.html#rows``): not the exercise's steps,
# cues and safety notes (JSON read for each row) nor the rest of the patient's record.
ALERT_ROW_FIELDS = (
    *("kind", "message", "created_at", "acknowledged_at", "acknowledged_by_id"),
    *("patient__first_name", "patient__last_name"),
    *("checkin__date", "checkin__pain_at_rest", "checkin__swelling", "checkin__note"),
    *(f"checkin__flag_{flag.code}" for flag in RED_FLAGS),
    *("log__date", "log__pain", "log__effort", "log__note", "log__prescription__exercise__name"),
)


def open_alerts_for_clinic(clinic_id: int) -> QuerySet[Alert]:
    """A clinic's open alerts: red flags first, then high pain; newest first within each. Each
    says whether its patient's plan is paused (``plan_paused``): only then does its row offer to
    review and resume exercise (in the same query)."""
    return (
        Alert.objects.filter(patient__clinic_id=clinic_id, acknowledged_at__isnull=True)
        .select_related(*ALERT_REPORT)
        .only(*ALERT_ROW_FIELDS)
        .annotate(
            plan_paused=Exists(
                Plan.objects.filter(patient_id=OuterRef("patient_id"), status=Plan.Status.PAUSED)
            )
        )
        .order_by(_alert_severity_order(), "-created_at", "-pk")
    )


def first_open_alerts(clinic_id: int, *, limit: int) -> tuple[list[Alert], int]:
    """The first ``limit`` of the clinic's open alerts (``open_alerts_for_clinic``'s order) and
    how many are open in all. One query: the number is a window over every open alert."""
    alerts: list[Alert] = list(
        open_alerts_for_clinic(clinic_id).annotate(total=Window(Count("pk")))[:limit]
    )
    return alerts, cast("int", getattr(alerts[0], "total", 0)) if alerts else 0


def acknowledged_alerts_for_clinic(clinic_id: int) -> QuerySet[Alert]:
    """A clinic's acknowledged alerts, the most recently acknowledged first."""
    return (
        Alert.objects.filter(patient__clinic_id=clinic_id, acknowledged_at__isnull=False)
        .select_related(*ALERT_REPORT, "acknowledged_by")
        .only(*ALERT_ROW_FIELDS, "acknowledged_by__full_name", "acknowledged_by__email")
        .order_by("-acknowledged_at", "-pk")
    )


def alerts_page_joined(alerts: QuerySet[Alert], page: Page[Any]) -> QuerySet[Alert]:
    """The alerts of ``page`` (a page of ``alerts``, one of the two querysets above) with their
    reports, in ``alerts``' order. Still one query, but the page's alerts are picked and sorted
    before they are joined to their reports: joining every matching alert first, then sorting,
    took twice as long at 10× data."""
    return alerts.filter(pk__in=cast("QuerySet[Alert]", page.object_list).values("pk"))


@dataclass(frozen=True)
class FallingBehind:
    """The patients falling behind, the furthest first (at most the number asked for), and how
    many more there are."""

    rows: list[PatientRow]
    more: int


def falling_behind(*, clinic_id: int, today: dt.date, limit: int | None = None) -> FallingBehind:
    """Active patients with an active plan whose adherence over the last seven days is below
    50 %, the lowest first (then by name), judged as the patient's own progress is (from the
    plan's start, today in progress: no one is behind on day one): the first ``limit`` (all by
    default) with their plans and phases. Counted for every active plan of the clinic
    (``judged_adherence_totals``: four queries), each patient up to their own today (``today``,
    the clinic's, is not the window's end), then the rows shown are read (one query): five
    queries whatever the number of patients and logs."""
    plans = Plan.objects.filter(
        patient__clinic_id=clinic_id,
        patient__status=Patient.Status.ACTIVE,
        status=Plan.Status.ACTIVE,
    )
    # Each patient's last seven days up to their own today (their time zone, not the clinic's
    # ``today``: at 03:00 in London a patient in Los Angeles is still in yesterday).
    totals = judged_adherence_totals(plans, days=ADHERENCE_WINDOW_DAYS)
    behind = {
        pk: total
        for pk, total in totals.items()
        if total.percent is not None and total.percent < FALLING_BEHIND_PERCENT
    }
    if not behind:
        return FallingBehind(rows=[], more=0)
    shown = len(behind) if limit is None else min(limit, len(behind))
    # Those shown are among the lowest percents; names only order those of the last one.
    cutoff = sorted(total.percent or 0 for total in behind.values())[shown - 1]
    rows = [
        PatientRow(
            patient=plan.patient,
            plan=plan,
            week=plan.week_on(plan.patient.local_today()),
            adherence=behind[plan.patient_id],
        )
        for plan in plans.filter(
            patient_id__in=[pk for pk, total in behind.items() if (total.percent or 0) <= cutoff]
        )
        .select_related("patient", "current_phase")
        .only(  # what the rows show
            "anchor_date",
            "patient_id",
            "current_phase_id",
            "patient__first_name",
            "patient__last_name",
            "patient__timezone",
            "current_phase__name",
        )
    ]
    rows.sort(key=lambda row: (row.adherence.percent or 0, row.patient.last_name))
    return FallingBehind(rows=rows[:shown], more=len(behind) - shown)


def patients_falling_behind(*, clinic_id: int, today: dt.date) -> list[PatientRow]:
    """Every patient ``falling_behind``, the furthest first."""
    return falling_behind(clinic_id=clinic_id, today=today).rows


def patients_with_unread_messages(clinic_id: int) -> QuerySet[Patient]:
    """Patients whose messages to the clinic are unread, annotated with ``unread_count`` and
    ``last_unread_at``; the longest-waiting first. One query, which reads only the unread
    messages (the condition is on the join the counts use, served by the index of unread
    messages from patients)."""
    return (
        Patient.objects.filter(
            clinic_id=clinic_id, messages__from_patient=True, messages__read_at__isnull=True
        )
        .annotate(
            unread_count=Count("messages"),
            last_unread_at=Max("messages__created_at"),
            first_unread_at=Min("messages__created_at"),
        )
        .order_by("first_unread_at", "pk")
    )


MY_PATIENTS_SHOWN = 50


@dataclass(frozen=True)
class MyPatientRow:
    """One of the clinician's own patients as the dashboard shows them."""

    patient: Patient
    plan: Plan | None
    week: int | None
    open_alerts: int

    @property
    def phase(self) -> PlanPhase | None:
        return self.plan.current_phase if self.plan is not None else None


def my_patients(*, clinician_id: int) -> list[MyPatientRow]:
    """The clinician's own active patients (``Patient.therapist``), by name, with what the
    dashboard shows of them: the plan in care with its current phase and week, and the open
    alerts (the patient list has the rest). Two queries whatever their number: the patients
    with their open alert counts, their plans in care with the phases."""
    open_alerts = (
        Alert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True)
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    in_care = Plan.objects.filter(status__in=PLANS_IN_CARE).select_related("current_phase")
    patients = (
        Patient.objects.filter(therapist_id=clinician_id, status=Patient.Status.ACTIVE)
        .annotate(open_alerts=Subquery(open_alerts))
        .prefetch_related(Prefetch("plans", queryset=in_care, to_attr="in_care"))
        .order_by("last_name", "first_name", "pk")[:MY_PATIENTS_SHOWN]
    )
    rows = []
    for patient in patients:
        read = cast("Any", patient)  # the annotation and the prefetched plans
        plan = next(iter(read.in_care), None)
        rows.append(
            MyPatientRow(
                patient=patient,
                plan=plan,
                week=plan.week_on(patient.local_today()) if plan is not None else None,
                open_alerts=read.open_alerts or 0,
            )
        )
    return rows
