"""A clinic's outcomes by pathway, anonymous and aggregated in the database (a constant
number of queries, no per-patient loop): patients by phase, the ATRS around 12 and 26 weeks
against the published means, red flags and re-ruptures per 100 patients."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
)
from django.db.models.functions import Coalesce

from clinic.models import Patient
from rehab import clinical
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsResponse
from rehab.models.plans import Plan
from rehab.models.references import ReferencePoint
from rehab.recovery import cohorts_for

# "Around" a week: this many weeks either side.
WINDOW_WEEKS = 2
ATRS_WEEKS = (12, 26)


@dataclass
class PathwayOutcomes:
    pathway: str
    label: str
    patients: int = 0
    by_phase: list[tuple[str, int]] = field(default_factory=list)
    atrs: dict[int, tuple[float | None, int]] = field(default_factory=dict)  # week → (mean, n)
    references: dict[int, list[ReferencePoint]] = field(default_factory=dict)
    red_flags: int = 0
    reruptures: int = 0

    def per_100(self, count: int) -> float | None:
        return round(100 * count / self.patients, 1) if self.patients else None

    @property
    def red_flags_per_100(self) -> float | None:
        return self.per_100(self.red_flags)

    @property
    def reruptures_per_100(self) -> float | None:
        return self.per_100(self.reruptures)

    @property
    def atrs_rows(self) -> list[tuple[int, float | None, int, list[ReferencePoint]]]:
        return [
            (week, *self.atrs.get(week, (None, 0)), self.references.get(week, []))
            for week in ATRS_WEEKS
        ]


def _weeks(n: int) -> dt.timedelta:
    return dt.timedelta(weeks=n)


def clinic_outcomes(clinic_id: int) -> list[PathwayOutcomes]:
    """The clinic's outcomes, one row per pathway. Five queries."""
    rows = {
        value: PathwayOutcomes(pathway=value, label=str(label))
        for value, label in Patient.Pathway.choices
    }
    for counted in (
        Patient.objects.filter(clinic_id=clinic_id).values("pathway").annotate(n=Count("pk"))
    ):
        rows[counted["pathway"]].patients = counted["n"]
    by_phase: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for in_phase in (
        Plan.objects.filter(patient__clinic_id=clinic_id, status__in=PLANS_IN_CARE)
        .values("patient__pathway", "current_phase__order", "current_phase__name")
        .annotate(n=Count("patient", distinct=True))
    ):
        by_phase[in_phase["patient__pathway"]].append(
            (
                in_phase["current_phase__order"] or 0,
                in_phase["current_phase__name"] or "–",
                in_phase["n"],
            )
        )
    for pathway, phases in by_phase.items():
        rows[pathway].by_phase = [(name, n) for _order, name, n in sorted(phases)]
    since = ExpressionWrapper(
        F("date")
        - Coalesce(F("patient__surgery_date"), F("patient__injury_date"), output_field=DateField()),
        output_field=DurationField(),
    )
    windows = {
        week: Q(since__gte=_weeks(week - WINDOW_WEEKS), since__lt=_weeks(week + WINDOW_WEEKS + 1))
        for week in ATRS_WEEKS
    }
    aggregates: dict[str, Aggregate] = {}
    for week, window in windows.items():
        aggregates[f"mean_{week}"] = Avg("total", filter=window)
        aggregates[f"n_{week}"] = Count("pk", filter=window)
    for scored in (
        AtrsResponse.objects.filter(patient__clinic_id=clinic_id)
        .annotate(since=since)
        .values("patient__pathway")
        .annotate(**aggregates)
    ):
        values: dict[str, Any] = dict(scored)
        outcome = rows[values["patient__pathway"]]
        for week in ATRS_WEEKS:
            mean = values[f"mean_{week}"]
            outcome.atrs[week] = (
                None if mean is None else round(float(mean), 1),
                values[f"n_{week}"],
            )
    for flagged in (
        Alert.objects.filter(patient__clinic_id=clinic_id, kind=Alert.Kind.RED_FLAG)
        .values("patient__pathway")
        .annotate(red=Count("pk"), rerupture=Count("pk", filter=Q(code="rerupture")))
    ):
        rows[flagged["patient__pathway"]].red_flags = flagged["red"]
        rows[flagged["patient__pathway"]].reruptures = flagged["rerupture"]
    references = list(ReferencePoint.objects.filter(measure="atrs", week__isnull=False))
    for outcome in rows.values():
        cohorts = cohorts_for(outcome.pathway)
        for week in ATRS_WEEKS:
            outcome.references[week] = [
                r
                for r in references
                if r.cohort in cohorts and r.week is not None and abs(r.week - week) <= 4
            ]
    return list(rows.values())


ATRS_LOW_THRESHOLD = clinical.ATRS_LOW_THRESHOLD
