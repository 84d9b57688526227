"""Exit criteria evaluated from recorded data: met, not met, or unknown (no data yet), each with
its evidence. A criterion on a measurement never recorded is unknown, never met.

``evaluate_for_patients`` reads the data of many patients at once: its query count does not
grow with the patients, their criteria or their records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from clinic.models import Patient
from rehab import measures
from rehab.models.criteria import (
    CriterionFields,
    CriterionJudgement,
    CriterionKind,
    PlanCriterion,
    ProposalDismissal,
)
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan, PlanPhase
from rehab.selectors.adherence import Adherence, adherence_for_patients, percent_of
from rehab.selectors.progress import PainPoint

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
PAIN_DAYS = 7
ADHERENCE_DAYS = 14


@dataclass(frozen=True)
class Evaluation:
    """One criterion's state and the data it rests on (``evidence``, for the clinician)."""

    criterion: CriterionFields
    status: str
    evidence: str

    @property
    def met(self) -> bool:
        return self.status == MET

    @property
    def status_label(self) -> str:
        """The badge: met, not met, or (unknown) not judged yet by the clinician, or no data
        yet for one the app judges (the evidence line says which data)."""
        if self.status == UNKNOWN:
            judged_by_clinician = self.criterion.kind == CriterionKind.CLINICIAN
            return _("Not judged") if judged_by_clinician else _("No data yet")
        return {MET: _("Met"), NOT_MET: _("Not met")}[self.status]


@dataclass
class PatientData:
    """What the criteria of one patient are evaluated from (read once for many patients)."""

    week: int | None
    rest_pain: tuple[int, int] | None = None  # (highest, check-ins) over the last 7 days
    exercise_pain: tuple[int, int] | None = None  # (highest, logs)
    adherence: int | None = None
    atrs: AtrsResponse | None = None
    measurements: list[Measurement] = field(default_factory=list)  # newest first


def _at_least(value: float, n: Decimal) -> bool:
    return Decimal(str(value)) >= n


def _at_most(value: float, n: Decimal) -> bool:
    return Decimal(str(value)) <= n


def _day(moment: dt.datetime | None) -> str:
    return f"{moment:%-d %b %Y}" if moment else ""


# A yes/no criterion's line by (its judgement now, the one before): each one whole sentence to
# translate, never a translated fragment glued into another or capitalised by slicing.
JUDGED_LINES: dict[tuple[bool | None, bool | None], str] = {
    (None, None): gettext_noop("Not judged yet."),
    (None, True): gettext_noop("Not judged now; judged met on %(earlier)s before."),
    (None, False): gettext_noop("Not judged now; judged not met on %(earlier)s before."),
    (True, None): gettext_noop("Judged met on %(date)s."),
    (False, None): gettext_noop("Judged not met on %(date)s."),
    (True, True): gettext_noop("Judged met on %(date)s. Judged met on %(earlier)s before."),
    (True, False): gettext_noop("Judged met on %(date)s. Judged not met on %(earlier)s before."),
    (False, True): gettext_noop("Judged not met on %(date)s. Judged met on %(earlier)s before."),
    (False, False): gettext_noop(
        "Judged not met on %(date)s. Judged not met on %(earlier)s before."
    ),
}


def _judged(criterion: CriterionFields) -> tuple[bool | None, str]:
    """A clinician's yes/no criterion: its judgement now, and the one given before it, if
    any (``evaluate_phases`` reads the last two kept, ``CriterionJudgement``): a change, or
    clearing it, does not hide that it was judged met, and when."""
    judged = getattr(criterion, "judged_met", None)
    # The last judgement kept is the one now, if judged: the one before it is the one before.
    offset = "" if judged is None else "previous_"
    earlier = getattr(criterion, f"{offset}judgement_met", None)
    dates = {
        "date": _day(getattr(criterion, "judged_at", None)),
        "earlier": _day(getattr(criterion, f"{offset}judgement_at", None)),
    }
    return judged, _(JUDGED_LINES[(judged, earlier)]) % dates


def evaluate(criterion: CriterionFields, data: PatientData) -> Evaluation:  # noqa: PLR0911
    """The state of ``criterion`` for a patient, from ``data``."""
    kind, n = criterion.kind, criterion.threshold

    def result(ok: bool | None, evidence: str) -> Evaluation:
        status = UNKNOWN if ok is None else (MET if ok else NOT_MET)
        return Evaluation(criterion=criterion, status=status, evidence=evidence)

    if kind == CriterionKind.CLINICIAN:
        return result(*_judged(criterion))
    assert n is not None  # a constraint: every other kind has N
    if kind == CriterionKind.MIN_WEEK:
        if data.week is None:
            return result(None, _("No surgery or injury date."))
        return result(data.week >= n, _("Now in week %(week)s.") % {"week": data.week})
    if kind in (CriterionKind.REST_PAIN, CriterionKind.EXERCISE_PAIN):
        pain = data.rest_pain if kind == CriterionKind.REST_PAIN else data.exercise_pain
        if pain is None:
            return result(
                None, _("No pain scores in the last %(days)s days.") % {"days": PAIN_DAYS}
            )
        highest, count = pain
        return result(
            _at_most(highest, n),
            ngettext(
                "Highest %(highest)s/10 in the last %(days)s days (%(count)s score).",
                "Highest %(highest)s/10 in the last %(days)s days (%(count)s scores).",
                count,
            )
            % {"highest": highest, "days": PAIN_DAYS, "count": count},
        )
    if kind == CriterionKind.ADHERENCE:
        if data.adherence is None:
            return result(
                None,
                _("No sessions prescribed in the last %(days)s days.") % {"days": ADHERENCE_DAYS},
            )
        return result(
            _at_least(data.adherence, n),
            _("%(percent)s %% over the last %(days)s days.")
            % {"percent": data.adherence, "days": ADHERENCE_DAYS},
        )
    if kind == CriterionKind.ATRS:
        if data.atrs is None:
            return result(None, _("No ATRS answered yet."))
        return result(
            _at_least(data.atrs.total, n),
            _("ATRS %(total)s on %(date)s.") % {"total": data.atrs.total, "date": data.atrs.date},
        )
    # A measurement threshold: the latest record that has the value (both sides for an LSI).
    derived = measures.DERIVED_BY_CODE[criterion.measure]
    for measurement in data.measurements:
        value = measurement.derived(criterion.measure)
        if value is not None:
            check = _at_most if criterion.measure in measures.DERIVED_AT_MOST else _at_least
            return result(
                check(value, n),
                _("%(label)s %(value)s %(unit)s on %(date)s.")
                % {
                    "label": derived.label,
                    "value": _shown(value),
                    "unit": derived.unit,
                    "date": measurement.date,
                },
            )
    return result(None, _("%(label)s not recorded yet.") % {"label": derived.label})


def _shown(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class AlreadyRead:
    """What a page has already read of its one patient (saves the queries): the measurements
    oldest first, the ATRS answers oldest first (the latest is enough), the adherence of a
    range ending today; the daily pain of a range ending today (``pain``: ``pain_series``, at
    least the last 7 days), or that of the last ``PAIN_DAYS`` days already counted
    (``rest_pain``: each check-in's pain at rest; ``exercise_pain``: each day's highest
    exercise pain and scored logs). What it has not read (None) is read if a criterion needs
    it."""

    measurements: list[Measurement] | None = None
    atrs: list[AtrsResponse] | None = None
    adherence: Adherence | None = None
    pain: list[PainPoint] | None = None
    rest_pain: list[int] | None = None
    exercise_pain: list[tuple[int, int]] | None = None


def _pain(
    ids: list[int],
    *,
    needs: set[str],
    read: AlreadyRead,
    since: dt.date,
    window: Callable[[int, dt.date], bool],
) -> tuple[dict[int, list[int]], dict[int, list[tuple[int, int]]]]:
    """Each patient's pain at rest and (highest, count) of exercise pain, day by day, over the
    last 7 days: from ``read.pain`` if the page read it, else as the criteria need it (one
    query each)."""
    rest: dict[int, list[int]] = defaultdict(list)
    exercise: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if read.rest_pain is not None and read.exercise_pain is not None:
        (pk,) = ids
        rest[pk], exercise[pk] = list(read.rest_pain), list(read.exercise_pain)
        return rest, exercise
    if read.pain is not None:
        (pk,) = ids
        for point in read.pain:
            if window(pk, point.day):
                if point.source == "checkin":
                    rest[pk].append(point.pain)
                else:
                    exercise[pk].append((point.pain, point.scores))
        return rest, exercise
    if CriterionKind.REST_PAIN in needs:
        for pk, day, pain in CheckIn.objects.filter(
            patient_id__in=ids, date__gte=since, pain_at_rest__isnull=False
        ).values_list("patient_id", "date", "pain_at_rest"):
            if window(pk, day):
                rest[pk].append(pain)
    if CriterionKind.EXERCISE_PAIN in needs:
        for row in (
            ExerciseLog.objects.filter(patient_id__in=ids, date__gte=since, pain__isnull=False)
            .values("patient_id", "date")
            .annotate(highest=Max("pain"), n=Count("pk"))
        ):
            if window(row["patient_id"], row["date"]):
                exercise[row["patient_id"]].append((row["highest"], row["n"]))
    return rest, exercise


def patient_data(  # noqa: PLR0912
    patients: Sequence[Patient],
    *,
    plans: dict[int, Plan | None] | None = None,
    read: AlreadyRead | None = None,
    kinds: Iterable[str] | None = None,
) -> dict[int, PatientData]:
    """The data the criterion ``kinds`` need (default: every kind), for each patient. At most
    five queries (plus adherence's) whatever the number of patients and records; only those
    the kinds need, less what ``read`` (one patient) already holds."""
    ids = [p.pk for p in patients]
    if not ids:
        return {}
    needs = set(CriterionKind.values if kinds is None else kinds)
    read = read or AlreadyRead()
    today = {p.pk: p.local_today() for p in patients}
    result = {p.pk: PatientData(week=p.week_on(today[p.pk])) for p in patients}

    def in_window(pk: int, day: dt.date, days: int) -> bool:
        return today[pk] - dt.timedelta(days=days - 1) <= day <= today[pk]

    rest, exercise = _pain(
        ids,
        needs=needs,
        read=read,
        since=min(today.values()) - dt.timedelta(days=PAIN_DAYS + 1),
        window=lambda pk, day: in_window(pk, day, PAIN_DAYS),
    )
    for pk, data in result.items():
        if rest[pk]:
            data.rest_pain = (max(rest[pk]), len(rest[pk]))
        if exercise[pk]:
            data.exercise_pain = (
                max(h for h, _n in exercise[pk]),
                sum(n for _h, n in exercise[pk]),
            )
    if CriterionKind.ATRS in needs:
        if read.atrs is not None:
            (only,) = result.values()
            only.atrs = read.atrs[-1] if read.atrs else None
        else:
            for atrs in AtrsResponse.objects.filter(patient_id__in=ids).order_by(
                "patient_id", "-date", "-created_at"
            ):
                if result[atrs.patient_id].atrs is None:
                    result[atrs.patient_id].atrs = atrs
    if CriterionKind.MEASUREMENT in needs:
        if read.measurements is not None:
            (only,) = result.values()
            only.measurements = list(reversed(read.measurements))
        else:
            for measurement in Measurement.objects.filter(patient_id__in=ids).order_by(
                "-date", "-created_at"
            ):
                result[measurement.patient_id].measurements.append(measurement)
    if CriterionKind.ADHERENCE in needs:
        if read.adherence is not None:
            by_patient = {ids[0]: read.adherence}
        else:
            # Adherence over the last 14 days, by the patients' own today.
            end = max(today.values())
            start = min(today.values()) - dt.timedelta(days=ADHERENCE_DAYS - 1)
            plan_list = [p for p in (plans or {}).values() if p is not None] if plans else None
            by_patient = adherence_for_patients(patients, start=start, end=end, plans=plan_list)
        for pk, adherence in by_patient.items():
            window = [d for d in adherence.days if in_window(pk, d.day, ADHERENCE_DAYS)]
            # The judged rule (the progress page, the dashboard): the patient's today is not
            # over, so what was done counts and what is not done yet is no debt.
            expected = sum(d.done if d.day == today[pk] else d.expected for d in window)
            result[pk].adherence = percent_of(sum(d.done for d in window), expected)
    return result


@dataclass(frozen=True)
class PhaseEvaluation:
    """The current phase's criteria of one patient, evaluated."""

    patient: Patient
    plan: Plan
    phase: PlanPhase
    evaluations: list[Evaluation]

    @property
    def all_met(self) -> bool:
        return bool(self.evaluations) and all(e.met for e in self.evaluations)

    @property
    def missing(self) -> list[Evaluation]:
        return [e for e in self.evaluations if not e.met]

    @property
    def overdue(self) -> bool:
        """Past the phase's planned end with a criterion not met (or unknown)."""
        return bool(self.missing) and self.patient.local_today() > self.phase.end_date


def _read_judgements(criteria: Sequence[PlanCriterion]) -> None:
    """Each yes/no criterion's last two judgements kept (met or not met, not a clearing), as
    ``judgement_met``/``judgement_at`` and ``previous_judgement_met``/``previous_judgement_at``
    (None when there is none): the line says the one before the judgement now (``_judged``).
    One query for them all, none when no criterion is a yes/no one (most phases: the four
    subqueries that read them in the criteria's query cost every page more than this)."""
    judged = [c for c in criteria if c.kind == CriterionKind.CLINICIAN]
    kept = CriterionJudgement.objects.filter(met__isnull=False).order_by("-at", "-pk")
    prefetch_related_objects(
        judged, Prefetch("judgements", queryset=kept[:2], to_attr="kept_judgements")
    )
    for criterion in judged:
        read = cast("Any", criterion)  # the prefetched judgements
        newest_first: list[CriterionJudgement | None] = [*read.kept_judgements, None, None]
        for prefix, judgement in (("", newest_first[0]), ("previous_", newest_first[1])):
            setattr(
                criterion, f"{prefix}judgement_met", None if judgement is None else judgement.met
            )
            setattr(criterion, f"{prefix}judgement_at", None if judgement is None else judgement.at)


def evaluate_phases(
    items: Iterable[tuple[Patient, Plan, PlanPhase]], *, read: AlreadyRead | None = None
) -> list[PhaseEvaluation]:
    """Each (patient, plan, current phase)'s criteria, evaluated. One query for the criteria
    (+1 for the judgements of the yes/no ones, if any: ``_read_judgements``), plus
    ``patient_data``'s for the kinds they have (``read``: what the page has read of its
    one patient)."""
    items = list(items)
    if not items:
        return []
    by_phase: dict[int, list[PlanCriterion]] = defaultdict(list)
    criteria = list(
        PlanCriterion.objects.filter(
            phase_id__in=[phase.pk for _p, _plan, phase in items]
        ).order_by("order", "pk")
    )
    _read_judgements(criteria)
    for criterion in criteria:
        by_phase[criterion.phase_id].append(criterion)
    data = patient_data(
        [patient for patient, _plan, _phase in items],
        plans={patient.pk: plan for patient, plan, _phase in items},
        read=read,
        kinds={c.kind for criteria in by_phase.values() for c in criteria},
    )
    return [
        PhaseEvaluation(
            patient=patient,
            plan=plan,
            phase=phase,
            evaluations=[evaluate(c, data[patient.pk]) for c in by_phase[phase.pk]],
        )
        for patient, plan, phase in items
    ]


@dataclass(frozen=True)
class Proposals:
    """The dashboard's "ready to progress" proposals and the overdue phases of a clinic."""

    ready: list[tuple[PhaseEvaluation, PlanPhase]]  # (evaluation, the next phase)
    overdue: list[PhaseEvaluation]


def proposals_for_clinic(clinic_id: int) -> Proposals:
    """Active plans of the clinic whose current phase has exit criteria: every criterion met
    and a next phase (not dismissed for this phase) → a proposal; past the phase's planned end
    with one not met → overdue. Its query count does not grow with the patients.

    Only the phases that can be either are evaluated: one waiting for a clinician's yes (a
    judgement not given, or "no") cannot be ready, so it is read only once past its planned
    end. Most phases in progress are such, and their patients' logs need not be read."""
    plans = list(
        Plan.objects.filter(
            Exists(PlanCriterion.objects.filter(phase=OuterRef("current_phase"))),
            patient__clinic_id=clinic_id,
            status=Plan.Status.ACTIVE,
            current_phase__isnull=False,
        )
        .select_related("patient", "current_phase")
        .order_by("patient__last_name", "patient__first_name", "pk")
    )
    waiting = set(
        PlanCriterion.objects.filter(
            phase_id__in=[plan.current_phase_id for plan in plans], kind=CriterionKind.CLINICIAN
        )
        .exclude(judged_met=True)
        .order_by()
        .values_list("phase_id", flat=True)
    )
    items = []
    for plan in plans:
        phase = plan.current_phase
        assert phase is not None
        phase.plan = plan
        if phase.pk in waiting and plan.patient.local_today() <= phase.end_date:
            continue  # neither ready nor overdue
        items.append((plan.patient, plan, phase))
    if not items:
        return Proposals(ready=[], overdue=[])
    plans = [plan for _patient, plan, _phase in items]
    evaluated = evaluate_phases(items)
    phase_ids = [phase.pk for _patient, _plan, phase in items]
    dismissed = set(
        ProposalDismissal.objects.filter(phase_id__in=phase_ids).values_list("phase_id", flat=True)
    )
    by_plan: dict[int, list[PlanPhase]] = defaultdict(list)
    for phase in PlanPhase.objects.filter(plan__in=plans).order_by("order", "pk"):
        by_plan[phase.plan_id].append(phase)
    ready, overdue = [], []
    for evaluation in evaluated:
        phases = by_plan[evaluation.plan.pk]
        index = next(i for i, p in enumerate(phases) if p.pk == evaluation.phase.pk)
        following = phases[index + 1] if index + 1 < len(phases) else None
        if evaluation.all_met:
            if following is not None and evaluation.phase.pk not in dismissed:
                following.plan = evaluation.plan
                ready.append((evaluation, following))
        elif evaluation.overdue:
            overdue.append(evaluation)
    return Proposals(ready=ready, overdue=overdue)
