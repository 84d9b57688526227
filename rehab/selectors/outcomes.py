"""A clinic's outcomes by pathway, anonymous and aggregated (a constant number of queries,
none per patient): patients by phase, the median time to reach each phase, the adherence
distribution of the patients in care, the ATRS around 12 and 26 weeks against the published
means, red flags and re-ruptures per 100 patients. Every figure, for the clinic's admins; what
is shared (the CSV, the API) withholds those about fewer than ``FEWEST_SHOWN`` patients
(``withheld``)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, FilteredRelation, Min, Q

from clinic.models import Patient
from core.numbers import percent, round_half_up
from rehab import clinical
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsResponse
from rehab.models.plans import PhaseChange, Plan
from rehab.models.references import ReferencePoint
from rehab.recovery import cohorts_for
from rehab.selectors.adherence_totals import judged_adherence_totals

# "Around" a week: this many weeks either side.
WINDOW_WEEKS = 2
ATRS_WEEKS = (12, 26)
# Adherence of the patients in care over the last 14 days (the exit criteria's window), judged
# as the patient's own progress is; bands by their lowest percent, the last one open-ended.
ADHERENCE_DAYS = 14
ADHERENCE_BANDS = (0, 50, 80)
# What leaves the clinic (the CSV download, the API) withholds small numbers, as health
# statistics do: a count of 1 to 4 patients, or a median, mean or rate over fewer than 5, could
# let someone who knows the clinic tell whose figure it is. Zero tells nothing about anyone
# and is given. The page, for the clinic's admins (who can open each of these patients'
# records), keeps every figure.
FEWEST_SHOWN = 5


def withheld(*patients: int) -> bool:
    """Whether a figure about these numbers of patients is withheld from what is shared: a
    count of ``patients``, or a statistic over them (a rate: over the pathway's patients, and
    its count), when any of them is 1 to ``FEWEST_SHOWN`` - 1. A statistic over no patient is
    none (no value), not withheld."""
    return any(0 < n < FEWEST_SHOWN for n in patients)


@dataclass(frozen=True)
class PhaseTiming:
    """How long after surgery (or the injury, without surgery) the patients reached a phase."""

    name: str
    median_weeks: float
    patients: int


@dataclass(frozen=True)
class AdherenceBand:
    """Patients in care whose adherence is from ``low`` % up to ``high`` % (excluded; None:
    no upper bound)."""

    low: int
    high: int | None
    patients: int

    @property
    def label(self) -> str:
        if self.high is None:
            return f"≥ {self.low} %"
        if self.low == 0:
            return f"< {self.high} %"
        return f"{self.low}–{self.high - 1} %"


@dataclass
class PathwayOutcomes:
    pathway: str
    label: str
    patients: int = 0
    by_phase: list[tuple[str, int]] = field(default_factory=list)
    time_to_phase: list[PhaseTiming] = field(default_factory=list)
    adherence: list[AdherenceBand] = field(
        default_factory=lambda: [
            AdherenceBand(low=low, high=high, patients=0)
            for low, high in zip(ADHERENCE_BANDS, (*ADHERENCE_BANDS[1:], None), strict=True)
        ]
    )
    adherence_unknown: int = 0  # in care, nothing prescribed in the window yet
    # week → (mean, patients): each patient's answer nearest the week, once.
    atrs: dict[int, tuple[float | None, int]] = field(default_factory=dict)
    references: dict[int, list[ReferencePoint]] = field(default_factory=dict)
    red_flags: int = 0
    reruptures: int = 0  # patients with a suspected re-rupture reported

    def per_100(self, count: int) -> float | None:
        value = percent(count, self.patients, places=1)
        return None if value is None else float(value)

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


def _time_to_phase(clinic_id: int) -> dict[str, list[PhaseTiming]]:
    """The median weeks from the anchor date (surgery, else injury) to the first day each
    patient was in each phase (of any of their plans; ``patients``: each counted once), by
    pathway and phase (grouped by the phase's order and name, as the
    patients by phase are). One query.

    The first day each patient reached a phase is a MIN in the database (one row per patient
    and phase, a few integers each); the median over those rows is ``statistics.median`` here.
    Django has no median aggregate: a PERCENTILE_CONT one would be PostgreSQL-only SQL with a
    second path for SQLite, and it would have to wrap the per-patient MIN in a subquery; one
    grouped query and a median in Python is one code path, exact on both databases, and
    still a constant number of queries.
    """
    days: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for pathway, order, name, surgery, injury, first in (
        PhaseChange.objects.filter(plan__patient__clinic_id=clinic_id)
        .order_by()
        .values(
            # A row per patient and phase, not per plan: a patient given a second plan is
            # still one patient, counted by the first day they reached the phase.
            "plan__patient_id",
            "to_phase__order",
            "to_phase__name",
            "plan__patient__pathway",
            "plan__patient__surgery_date",
            "plan__patient__injury_date",
        )
        .annotate(first=Min("effective_on"))
        .values_list(  # tuples: a row per patient and phase
            "plan__patient__pathway",
            "to_phase__order",
            "to_phase__name",
            "plan__patient__surgery_date",
            "plan__patient__injury_date",
            "first",
        )
    ):
        days[(pathway, order, name)].append((first - (surgery or injury)).days)
    by_pathway: dict[str, list[PhaseTiming]] = defaultdict(list)
    for (pathway, _order, name), reached_days in sorted(days.items()):
        by_pathway[pathway].append(
            PhaseTiming(
                name=name,
                median_weeks=round(statistics.median(reached_days) / 7, 1),
                patients=len(reached_days),
            )
        )
    return by_pathway


def _adherence_percents(clinic_id: int) -> dict[int, int]:
    """The adherence of the clinic's patients in care over the last ``ADHERENCE_DAYS`` days,
    by patient id, for those with something prescribed in the window; judged as the patient's
    progress page and the dashboard's "falling behind" do (from the plan's start, today in
    progress), each up to their own today. Four queries (``judged_adherence_totals``)."""
    # Each patient's days up to their own today (their time zone, not the clinic's ``today``).
    totals = judged_adherence_totals(
        Plan.objects.filter(patient__clinic_id=clinic_id), days=ADHERENCE_DAYS
    )
    # Each percent worked out once (a decimal rounding).
    return {pk: percent for pk, total in totals.items() if (percent := total.percent) is not None}


def _atrs_around(clinic_id: int) -> dict[str, dict[int, tuple[float | None, int]]]:
    """The clinic's ATRS around each of ``ATRS_WEEKS`` (``WINDOW_WEEKS`` either side, in whole
    days since the anchor date: surgery, else injury), by pathway (each pathway with an answer):
    the mean, rounded half up to one place, of each patient's answer nearest the week (of two
    as near, the later; of two the same day, the last recorded), and the number of those
    patients. The published means are of patients, one score each: a patient counts once.

    One query of the clinic's answers (a few a patient), each patient's nearest picked here. As
    an aggregate, "nearest" was a correlated subquery in each of the four aggregates' filters,
    run for every answer in a window: at 10x data that query cost 6.8 ms of CPU (5.8 of them
    building and compiling it) and about 30 ms in all (medians), against 2.7 ms and 11 ms for
    this one."""
    nearest: dict[tuple[int, int], tuple[tuple[int, int, int], str, int]] = {}
    pathways: set[str] = set()
    for pk, patient_id, pathway, date, surgery, injury, total in (
        AtrsResponse.objects.filter(patient__clinic_id=clinic_id)
        .order_by()
        .values_list(
            "pk",
            "patient_id",
            "patient__pathway",
            "date",
            "patient__surgery_date",
            "patient__injury_date",
            "total",
        )
    ):
        pathways.add(pathway)
        anchor = surgery or injury
        if anchor is None:
            continue
        since = (date - anchor).days
        for week in ATRS_WEEKS:
            if _weeks(week - WINDOW_WEEKS).days <= since < _weeks(week + WINDOW_WEEKS + 1).days:
                # The nearest first, then the later answer, then the last recorded.
                rank = (abs(since - _weeks(week).days), -date.toordinal(), -pk)
                best = nearest.get((week, patient_id))
                if best is None or rank < best[0]:
                    nearest[(week, patient_id)] = (rank, pathway, total)
    scores: dict[tuple[str, int], list[int]] = defaultdict(list)
    for (week, _patient), (_rank, pathway, total) in nearest.items():
        scores[(pathway, week)].append(total)
    around: dict[str, dict[int, tuple[float | None, int]]] = {}
    for pathway in pathways:
        around[pathway] = {}
        for week in ATRS_WEEKS:
            answers = scores.get((pathway, week), [])
            mean = Decimal(sum(answers)) / len(answers) if answers else None
            around[pathway][week] = (
                None if mean is None else float(round_half_up(mean, 1)),
                len(answers),
            )
    return around


@dataclass
class _Counted:
    """A pathway's patients as ``clinic_outcomes`` counts them (``_patients_in_care``)."""

    patients: int = 0
    in_care: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * len(ADHERENCE_BANDS))
    # (phase order, phase name) of each plan in care's current phase (None, None: none yet)
    # → its patients.
    phases: Counter[tuple[int | None, str | None]] = field(default_factory=Counter)


def _patients_in_care(clinic_id: int) -> dict[str, _Counted]:
    """By pathway: the clinic's patients, those in care, those in care in each adherence band
    (by ``ADHERENCE_BANDS``) and in each current phase. One query of the clinic's patients, each
    with the current phase of their plan in care (a patient has at most one), counted here once
    each patient's adherence is known (``_adherence_percents``): counting them in the database
    took two queries, one sending the ids of each band's patients."""
    percents = _adherence_percents(clinic_id)
    counted: dict[str, _Counted] = defaultdict(_Counted)
    for pk, pathway, plan_id, order, name in (
        Patient.objects.filter(clinic_id=clinic_id)
        .alias(care=FilteredRelation("plans", condition=Q(plans__status__in=PLANS_IN_CARE)))
        .order_by()
        .values_list(
            "pk", "pathway", "care__pk", "care__current_phase__order", "care__current_phase__name"
        )
    ):
        row = counted[pathway]
        row.patients += 1
        if plan_id is None:
            continue
        row.in_care += 1
        row.phases[(order, name)] += 1
        share = percents.get(pk)
        if share is not None:
            row.bands[max(i for i, low in enumerate(ADHERENCE_BANDS) if share >= low)] += 1
    return counted


def clinic_outcomes(clinic_id: int, *, today: dt.date) -> list[PathwayOutcomes]:
    """The clinic's outcomes, one row per pathway. Nine queries: adherence (4), the patients
    with their plans in care (adherence bands, phases), time to each phase, ATRS, alerts,
    references. ``today`` is the clinic's day; each patient's adherence is judged up to their
    own today."""
    rows = {
        value: PathwayOutcomes(pathway=value, label=str(label))
        for value, label in Patient.Pathway.choices
    }
    highs = (*ADHERENCE_BANDS[1:], None)
    for pathway, counted in _patients_in_care(clinic_id).items():
        row = rows[pathway]
        row.patients = counted.patients
        row.adherence = [
            AdherenceBand(low=low, high=high, patients=n)
            for low, high, n in zip(ADHERENCE_BANDS, highs, counted.bands, strict=True)
        ]
        row.adherence_unknown = counted.in_care - sum(counted.bands)
        row.by_phase = [
            (name, n)
            for _order, name, n in sorted(
                (order or 0, name or "–", n) for (order, name), n in counted.phases.items()
            )
        ]
    for pathway, timings in _time_to_phase(clinic_id).items():
        rows[pathway].time_to_phase = timings
    for pathway, around in _atrs_around(clinic_id).items():
        rows[pathway].atrs = around
    for flagged in (
        Alert.objects.filter(patient__clinic_id=clinic_id, kind=Alert.Kind.RED_FLAG)
        .values("patient__pathway")
        .annotate(
            red=Count("pk"),
            # A suspected re-rupture is the patient's (reported again on a later check-in, it
            # is the same one): patients per 100, as the published re-rupture rates are.
            rerupture=Count("patient", filter=Q(code="rerupture"), distinct=True),
        )
    ):
        rows[flagged["patient__pathway"]].red_flags = flagged["red"]
        rows[flagged["patient__pathway"]].reruptures = flagged["rerupture"]
    references = list(ReferencePoint.objects.filter(measure="atrs", week__isnull=False))
    for outcome in rows.values():
        cohorts = cohorts_for(outcome.pathway)
        for week in ATRS_WEEKS:
            # Like with like: a published figure only at a time point in the clinic's own
            # window (UKSTAR's 38 is at 8 weeks, not "around week 12"; the ATRS rises by the
            # month).
            outcome.references[week] = [
                r
                for r in references
                if r.cohort in cohorts and r.week is not None and abs(r.week - week) <= WINDOW_WEEKS
            ]
    return list(rows.values())


ATRS_LOW_THRESHOLD = clinical.ATRS_LOW_THRESHOLD
