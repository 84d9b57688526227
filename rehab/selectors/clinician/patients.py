"""Reads for the clinician's patient list: the patients matching its filters, their rows
(plan, week, adherence, last pain, open alerts, last activity) and their sorting.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from clinic.models import Patient
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


ADHERENCE_WINDOW_DAYS = 7


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
    name). The columns are computed, not stored, so every matching row is read; but each row
    holds only what the sort needs (the plan and week; the plan and adherence; or the last pain,
    open alerts and last activity): ``complete_patient_rows`` adds the rest to the rows a page
    shows. The two together: seven queries whatever the number of patients (the patients, then
    ``patient_rows``' six, shared between them)."""
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    rows = _bare_rows(list(patients))
    _add_parts(rows, _SORT_PARTS.get(column, ()), today=today)
    rows.sort(key=lambda row: (row.patient.last_name.lower(), row.patient.first_name.lower()))
    if column == "name":
        if descending:
            rows.reverse()
        return rows
    valued = [row for row in rows if _sort_value(row, column) is not None]
    empty = [row for row in rows if _sort_value(row, column) is None]
    valued.sort(key=lambda row: _sort_value(row, column), reverse=descending)
    return valued + empty


def complete_patient_rows(
    rows: Sequence[PatientRow], *, sort: str, today: dt.date
) -> list[PatientRow]:
    """``rows`` (some of ``sorted_patient_rows(..., sort=sort)``, e.g. a page of them) with the
    columns the sort did not need added."""
    rows = list(rows)
    done = _SORT_PARTS.get(sort.removeprefix("-"), ())
    _add_parts(rows, tuple(part for part in _PARTS if part not in done), today=today)
    return rows


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
    rows = _bare_rows(patients)
    _add_parts(rows, _PARTS, today=today)
    return rows


# The parts of a row, each read for many rows at once (in this order: the adherence is of the
# plans), and those a sort needs (``sorted_patient_rows``).
_PARTS = ("plan", "adherence", "reports")
_SORT_PARTS: dict[str, tuple[str, ...]] = {
    "week": ("plan",),
    "adherence": ("plan", "adherence"),
    "pain": ("reports",),
    "alerts": ("reports",),
    "activity": ("reports",),
}


def _bare_rows(patients: Iterable[Patient]) -> list[PatientRow]:
    """A row for each patient with none of its parts yet: no plan, nothing done or reported."""
    return [
        PatientRow(patient=patient, plan=None, week=None, adherence=AdherenceTotal())
        for patient in patients
    ]


def _add_parts(rows: list[PatientRow], parts: Sequence[str], *, today: dt.date) -> None:
    """Fill in ``parts`` of ``rows`` (of ``_PARTS``): "plan", the active plan, its current phase
    and week (1 query); "adherence", of the rows' plans (4, none without a plan); "reports",
    last pain, open alerts and last activity (1)."""
    if not rows:
        return
    if "plan" in parts:
        plans = active_plans_for_patients(row.patient for row in rows)
        for row in rows:
            row.plan = plan = plans.get(row.patient.pk)
            row.week = plan.week_on(row.patient.local_today()) if plan is not None else None
    if "adherence" in parts:
        plan_ids = [row.plan.pk for row in rows if row.plan is not None]
        # Judged as on the dashboard and the patient's progress: today counts what is done, it
        # owes nothing before it is over; and it is the patient's today, in their time zone.
        adherence = (
            judged_adherence_totals(
                Plan.objects.filter(pk__in=plan_ids), days=ADHERENCE_WINDOW_DAYS
            )
            if plan_ids
            else {}
        )
        for row in rows:
            row.adherence = adherence.get(row.patient.pk, AdherenceTotal())
    if "reports" in parts:
        pain, alerts, activity = _last_pain_and_open_alerts(
            [row.patient.pk for row in rows], open_alerts=True
        )
        for row in rows:
            row.last_pain = pain.get(row.patient.pk)
            row.open_alerts = alerts.get(row.patient.pk, 0)
            row.last_activity = activity.get(row.patient.pk)
