"""The clinic's outcomes selector: the median time to reach each phase and the adherence
distribution of the patients in care, by pathway."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clinic.models import Clinic, Patient
from rehab.models import Alert, PhaseChange, Plan, PlanPhase, Prescription
from rehab.selectors import outcomes
from tests import factories

UTC = dt.UTC
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2025, 3, 10, 12, 0, tzinfo=UTC), tick=False),
]
TODAY = dt.date(2025, 3, 10)
SURGERY = TODAY - dt.timedelta(weeks=20)


def _operative(clinic: Clinic, reached: list[int], **plan: object) -> tuple[Plan, list[PlanPhase]]:
    """An operative patient whose plan reached its phases ``reached`` days after surgery
    (the first phase at ``reached[0]``, the next ones in order)."""
    patient = factories.PatientFactory(
        clinic=clinic,
        injury_date=SURGERY - dt.timedelta(days=2),
        surgery_date=SURGERY,
        timezone="UTC",
    )
    made_plan, phases = factories.active_plan(
        patient, phases=3, changed_on=SURGERY + dt.timedelta(days=reached[0]), **plan
    )
    for before, phase, days in zip(phases, phases[1:], reached[1:], strict=False):
        PhaseChange.objects.create(
            plan=made_plan,
            from_phase=before,
            to_phase=phase,
            effective_on=SURGERY + dt.timedelta(days=days),
        )
    return made_plan, phases


def _row(clinic: Clinic, pathway: str) -> outcomes.PathwayOutcomes:
    (row,) = [r for r in outcomes.clinic_outcomes(clinic.pk, today=TODAY) if r.pathway == pathway]
    return row


def test_the_median_time_to_reach_each_phase_by_pathway() -> None:
    clinic = factories.ClinicFactory()
    _operative(clinic, [14, 42, 70])
    plan, (first, second, _third) = _operative(clinic, [0, 56])
    # Moved back to the first phase and on again: the first day in each phase counts.
    PhaseChange.objects.create(
        plan=plan, from_phase=second, to_phase=first, effective_on=SURGERY + dt.timedelta(weeks=9)
    )
    PhaseChange.objects.create(
        plan=plan, from_phase=first, to_phase=second, effective_on=SURGERY + dt.timedelta(weeks=10)
    )
    _operative(clinic, [7])
    conservative = factories.PatientFactory(
        clinic=clinic,
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=SURGERY,
        timezone="UTC",
    )
    factories.active_plan(conservative, changed_on=SURGERY + dt.timedelta(weeks=3))
    _operative(factories.ClinicFactory(), [70, 140])  # another clinic's: not counted

    operative = _row(clinic, Patient.Pathway.OPERATIVE)
    assert [(t.name, t.median_weeks, t.patients) for t in operative.time_to_phase] == [
        ("Stage 0", 1.0, 3),  # days 0, 7, 14
        ("Stage 1", 7.0, 2),  # days 42, 56: the median of an even count is the mean of two
        ("Stage 2", 10.0, 1),
    ]
    non_operative = _row(clinic, Patient.Pathway.NON_OPERATIVE)
    # Counted from the injury when there is no surgery.
    assert [(t.name, t.median_weeks, t.patients) for t in non_operative.time_to_phase] == [
        ("Stage 0", 3.0, 1)
    ]


def _in_care(clinic: Clinic, done_days: int, *, times: int = 1, **plan: object) -> None:
    """A patient in care for 30 days with one daily exercise ``times`` a day, done once on
    ``done_days`` of the 13 days before today (today is in progress: not yet judged)."""
    _plan, (phase, *_rest) = _operative(clinic, [140 - 30], **plan)
    rx = factories.PrescriptionFactory(phase=phase, times_per_day=times, days_per_week=7)
    Prescription.objects.filter(pk=rx.pk).update(created_at=dt.datetime(2024, 1, 1, tzinfo=UTC))
    for back in range(1, done_days + 1):
        factories.ExerciseLogFactory(prescription=rx, date=TODAY - dt.timedelta(days=back))


def test_the_adherence_distribution_of_the_patients_in_care() -> None:
    clinic = factories.ClinicFactory()
    _in_care(clinic, 13)  # 100 %
    _in_care(clinic, 11)  # 85 %
    _in_care(clinic, 10)  # 77 %: below 80
    _in_care(clinic, 7)  # 54 %
    _in_care(clinic, 6)  # 46 %: below 50
    _in_care(clinic, 13, times=2)  # 13 of 26: 50 % exactly
    _in_care(clinic, 0, status=Plan.Status.PAUSED)  # paused by a red flag: still in care
    _in_care(clinic, 13, status=Plan.Status.COMPLETED)  # no longer in care: not counted
    _operative(clinic, [140])  # started today, nothing prescribed: no adherence yet
    _in_care(factories.ClinicFactory(), 0)  # another clinic's: not counted

    row = _row(clinic, Patient.Pathway.OPERATIVE)
    assert [(band.label, band.patients) for band in row.adherence] == [
        ("< 50 %", 2),
        ("50–79 %", 3),
        ("≥ 80 %", 2),
    ]
    assert row.adherence_unknown == 1
    empty = _row(clinic, Patient.Pathway.NON_OPERATIVE)
    assert [band.patients for band in empty.adherence] == [0, 0, 0]
    assert empty.adherence_unknown == 0


def test_suspected_reruptures_are_counted_per_patient_not_per_report() -> None:
    """A patient who reports the signs of a re-rupture on two check-ins (before and after the
    review) is one patient with a suspected re-rupture: of two patients, 50 per 100, not 100;
    never more than 100 per 100. Red flags stay counted per report."""
    clinic = factories.ClinicFactory()
    reporting = factories.PatientFactory(clinic=clinic)
    factories.PatientFactory(clinic=clinic)
    for _report in range(2):
        factories.AlertFactory(
            patient=reporting, kind=Alert.Kind.RED_FLAG, code="rerupture", message="Re-rupture?"
        )
    row = _row(clinic, Patient.Pathway.OPERATIVE)
    assert (row.patients, row.reruptures, row.reruptures_per_100) == (2, 1, 50.0)
    assert (row.red_flags, row.red_flags_per_100) == (2, 100.0)


def test_the_patients_in_care_by_their_current_phase() -> None:
    """Each patient in care once, by the current phase of their plan in care (same-named
    phases of different plans together, a paused plan still in care), not by a plan that
    has ended; a plan in care without a current phase yet is "–"."""
    clinic = factories.ClinicFactory()
    _operative(clinic, [14])  # Stage 0
    _operative(clinic, [14])  # Stage 0, of another plan
    paused, (_first, second, _third) = _operative(clinic, [14], status=Plan.Status.PAUSED)
    Plan.objects.filter(pk=paused.pk).update(current_phase=second)  # Stage 1
    moved_on = factories.PatientFactory(clinic=clinic)  # an ended plan, then a new one
    factories.active_plan(moved_on, status=Plan.Status.COMPLETED)
    new_plan, _phases = factories.active_plan(moved_on)
    Plan.objects.filter(pk=new_plan.pk).update(current_phase=None)  # not started yet
    ended = factories.PatientFactory(clinic=clinic)
    factories.active_plan(ended, phases=2, status=Plan.Status.COMPLETED)
    factories.PatientFactory(clinic=clinic)  # no plan
    _operative(factories.ClinicFactory(), [14])  # another clinic's

    row = _row(clinic, Patient.Pathway.OPERATIVE)
    assert row.patients == 6
    assert row.by_phase == [("Stage 0", 2), ("–", 1), ("Stage 1", 1)]  # by order, then name
    assert row.adherence_unknown == 4  # in care, nothing prescribed


@pytest.mark.parametrize("patients", [2, 20])
def test_nine_queries_whatever_the_patients(patients: int, django_assert_num_queries: Any) -> None:
    clinic = factories.ClinicFactory()
    for n in range(patients):
        _in_care(clinic, n % 14)
    # Adherence (4: plans in care with their phase changes, red flags' pauses, prescriptions,
    # logs), the patients with their plans in care (adherence bands and phases), time to each
    # phase, ATRS, alerts, references.
    with django_assert_num_queries(9):
        (row, *_others) = [
            r for r in outcomes.clinic_outcomes(clinic.pk, today=TODAY) if r.patients
        ]
    assert row.patients == patients
    assert sum(band.patients for band in row.adherence) == patients


@pytest.mark.parametrize(
    ("about", "withheld"),
    [
        ((0,), False),  # none tells nothing about anyone
        ((1,), True),
        ((4,), True),
        ((5,), False),
        ((20, 0), False),
        ((20, 3), True),  # a rate of 3 patients in 20: it and its count name few
        ((3, 0), True),  # 0 per 100 over 3 patients: a rate over fewer than 5
    ],
)
def test_a_figure_about_1_to_4_patients_is_withheld(about: tuple[int, ...], withheld: bool) -> None:
    assert outcomes.withheld(*about) is withheld


def test_per_100_rounds_a_half_up() -> None:
    """1 of 16 patients is 6.25 per 100: it reads 6.3, as people round, not 6.2."""
    row = outcomes.PathwayOutcomes(pathway="operative", label="Operative", patients=16)
    assert row.per_100(1) == 6.3
    assert outcomes.PathwayOutcomes(pathway="operative", label="", patients=0).per_100(1) is None


def test_the_clinics_atrs_mean_counts_each_patient_once() -> None:
    """The published means it is read against (clinical.md §6) are of patients, one score
    each: a patient who answered twice around week 12 counted twice (40 and 60 beside another
    patient's 80: 60.0 of 3 "answers"). Each patient counts once, by their answer nearest the
    week: 70.0 of 2 patients."""
    clinic = factories.ClinicFactory()
    twice, once = (
        factories.PatientFactory(
            clinic=clinic, injury_date=SURGERY - dt.timedelta(days=2), surgery_date=SURGERY
        )
        for _ in range(2)
    )

    def answer(patient: Patient, week: int, item: int) -> None:
        factories.AtrsResponseFactory(
            patient=patient,
            date=SURGERY + dt.timedelta(weeks=week),
            **{f"item_{n}": item for n in range(1, 11)},
            total=10 * item,
        )

    answer(twice, 10, 4)
    answer(twice, 13, 6)
    answer(once, 12, 8)
    row = _row(clinic, Patient.Pathway.OPERATIVE)
    assert row.atrs[12] == (70.0, 2)


def test_a_published_mean_is_set_beside_the_clinics_only_at_the_same_time_point() -> None:
    """The clinic's ATRS around week 12 (weeks 10 to 14) was set beside UKSTAR's mean 38, which
    is at 8 weeks (clinical.md §6): a score that rises by the month read against an earlier one.
    A published figure stands beside the clinic's only when its week is in the same window;
    around week 12 there is none (and the page says so). Around week 26 the 6-month means of
    Nilsson-Helander 2010 are like with like."""
    clinic = factories.ClinicFactory()
    non_operative = _row(clinic, Patient.Pathway.NON_OPERATIVE)
    assert non_operative.references[12] == []
    assert [(r.week, r.value, r.source) for r in non_operative.references[26]] == [
        (26, Decimal("71.0"), "Nilsson-Helander 2010, AJSM, doi 10.1177/0363546510376052")
    ]
    for row in outcomes.clinic_outcomes(clinic.pk, today=TODAY):
        for week, refs in row.references.items():
            assert all(
                r.week is not None and abs(r.week - week) <= outcomes.WINDOW_WEEKS for r in refs
            ), (row.pathway, week, refs)


def test_the_time_to_a_phase_counts_each_patient_once() -> None:
    """The "Patients" beside a median were plans: a patient whose first plan was completed and
    who was given a new one reached "Stage 0" twice (days 14 and 28) and counted as two
    patients beside another's day 0 (median of 0, 14, 28: 2.0 weeks of "3 patients"). Each
    patient counts once, by the first day they reached the phase: days 0 and 14, median 7
    days = 1.0 week, 2 patients."""
    clinic = factories.ClinicFactory()
    _operative(clinic, [0])
    plan, _phases = _operative(clinic, [14], status=Plan.Status.COMPLETED)
    factories.active_plan(plan.patient, phases=3, changed_on=SURGERY + dt.timedelta(days=28))
    operative = _row(clinic, Patient.Pathway.OPERATIVE)
    assert [(t.name, t.median_weeks, t.patients) for t in operative.time_to_phase] == [
        ("Stage 0", 1.0, 2)
    ]


def test_a_zero_median_is_a_real_zero_and_a_phase_nobody_reached_has_no_figure() -> None:
    """ "0.0" median weeks is not a median of nothing: a plan started in its first phase on the
    day of surgery reached it after 0 days (what the demo's plans, dated back to their anchor
    day, all show). A phase no patient has reached yet has no row at all, never a 0."""
    clinic = factories.ClinicFactory()
    _operative(clinic, [0])
    _operative(clinic, [0])
    _operative(clinic, [3])
    operative = _row(clinic, Patient.Pathway.OPERATIVE)
    # Days 0, 0, 3: the median is 0 days.
    assert [(t.name, t.median_weeks, t.patients) for t in operative.time_to_phase] == [
        ("Stage 0", 0.0, 3)
    ]
    assert _row(clinic, Patient.Pathway.NON_OPERATIVE).time_to_phase == []


def test_around_week_12_is_weeks_10_to_14_and_a_week_with_no_answer_has_no_mean() -> None:
    """ "Around week 12 (± 2)": answers from day 70 (week 10) to day 104 (the last day of week
    14), by the week numbers the rest of the app uses (whole weeks since the anchor date); day
    69 and day 105 are outside. Hand-computed: (30 + 50) / 2 = 40.0 of 2 patients. No answer
    around week 26: no mean (None, shown "–"), of 0 patients, never 0."""
    clinic = factories.ClinicFactory()
    for day, total in ((69, 90), (70, 30), (104, 50), (105, 90)):
        patient = factories.PatientFactory(
            clinic=clinic, injury_date=SURGERY - dt.timedelta(days=2), surgery_date=SURGERY
        )
        factories.AtrsResponseFactory(
            patient=patient,
            date=SURGERY + dt.timedelta(days=day),
            **{f"item_{n}": total // 10 for n in range(1, 11)},
            total=total,
        )
    row = _row(clinic, Patient.Pathway.OPERATIVE)
    assert row.atrs[12] == (40.0, 2)
    assert row.atrs[26] == (None, 0)
    assert _row(clinic, Patient.Pathway.NON_OPERATIVE).atrs_rows[0][1:3] == (None, 0)
