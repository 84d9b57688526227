"""Exit criteria as tests: every kind met, not met and unknown, at the boundaries."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import Patient
from rehab.models import (
    CriterionKind,
    Measurement,
    Plan,
    PlanCriterion,
    Protocol,
    ProtocolCriterion,
)
from rehab.selectors import criteria as criteria_selectors
from rehab.selectors.adherence import judged_adherence_for_patient
from rehab.selectors.criteria import MET, NOT_MET, UNKNOWN, PatientData, evaluate, evaluate_phases
from rehab.services import criteria as criteria_services
from rehab.services import plans as plan_services
from tests import factories
from tests.rehab.clinical_loop import daily_plan

K = CriterionKind


def _criterion(kind: str, threshold: Any = None, measure: str = "", **extra: Any) -> PlanCriterion:
    return PlanCriterion(
        kind=kind,
        threshold=None if threshold is None else Decimal(str(threshold)),
        measure=measure,
        **extra,
    )


def _status(criterion: PlanCriterion, **data: Any) -> str:
    return evaluate(criterion, PatientData(**{"week": 10, **data})).status


@pytest.mark.parametrize(
    ("week", "n", "status"), [(11, 12, NOT_MET), (12, 12, MET), (13, 12, MET), (None, 12, UNKNOWN)]
)
def test_minimum_week(week: int | None, n: int, status: str) -> None:
    assert _status(_criterion(K.MIN_WEEK, n), week=week) == status


@pytest.mark.parametrize("kind", [K.REST_PAIN, K.EXERCISE_PAIN])
@pytest.mark.parametrize(
    ("pain", "status"), [((2, 5), MET), ((3, 5), MET), ((4, 5), NOT_MET), (None, UNKNOWN)]
)
def test_pain_at_most_n(kind: str, pain: tuple[int, int] | None, status: str) -> None:
    field = "rest_pain" if kind == K.REST_PAIN else "exercise_pain"
    assert _status(_criterion(kind, 3), **{field: pain}) == status


@pytest.mark.parametrize(
    ("percent", "status"), [(79, NOT_MET), (80, MET), (100, MET), (None, UNKNOWN)]
)
def test_adherence_at_least_n(percent: int | None, status: str) -> None:
    assert _status(_criterion(K.ADHERENCE, 80), adherence=percent) == status


@pytest.mark.parametrize(("total", "status"), [(59, NOT_MET), (60, MET), (None, UNKNOWN)])
def test_atrs_at_least_n(total: int | None, status: str) -> None:
    atrs = None if total is None else factories.AtrsResponseFactory.build(total=total)
    assert _status(_criterion(K.ATRS, 60), atrs=atrs) == status


def _m(day: int, **values: Any) -> Measurement:
    return Measurement(date=dt.date(2026, 11, day), **values)


@pytest.mark.parametrize(
    ("measurements", "status"),
    [
        ([_m(2, heel_rise_height_cm_injured=Decimal(9), heel_rise_height_cm_uninjured=10)], MET),
        (
            [_m(2, heel_rise_height_cm_injured=Decimal("8.9"), heel_rise_height_cm_uninjured=10)],
            NOT_MET,
        ),
        # Only one side: no LSI, so unknown, never met.
        ([_m(2, heel_rise_height_cm_injured=Decimal(12))], UNKNOWN),
        ([_m(2, heel_rise_reps_injured=20, heel_rise_reps_uninjured=20)], UNKNOWN),
        ([], UNKNOWN),
        # The latest record that has the value counts (newest first).
        (
            [
                _m(3, atra_deg_injured=-10),
                _m(2, heel_rise_height_cm_injured=Decimal(7), heel_rise_height_cm_uninjured=10),
                _m(1, heel_rise_height_cm_injured=Decimal(10), heel_rise_height_cm_uninjured=10),
            ],
            NOT_MET,
        ),
    ],
)
def test_measurement_threshold(measurements: list[Measurement], status: str) -> None:
    criterion = _criterion(K.MEASUREMENT, 90, "heel_rise_height_lsi")
    assert _status(criterion, measurements=measurements) == status


@pytest.mark.parametrize(("toe_walk", "status"), [(True, MET), (False, NOT_MET), (None, UNKNOWN)])
def test_toe_walk_yes_no(toe_walk: bool | None, status: str) -> None:
    criterion = _criterion(K.MEASUREMENT, 1, "toe_walk_5m")
    measurements = [] if toe_walk is None else [_m(1, toe_walk_5m=toe_walk)]
    assert _status(criterion, measurements=measurements) == status


@pytest.mark.parametrize(
    ("deficit", "status"), [(Decimal(1), MET), (Decimal(2), MET), (3, NOT_MET)]
)
def test_a_smaller_is_better_measure_is_met_at_or_below_n(deficit: Decimal, status: str) -> None:
    criterion = _criterion(K.MEASUREMENT, 2, "knee_to_wall_difference")
    m = _m(1, knee_to_wall_cm_injured=10 - deficit, knee_to_wall_cm_uninjured=Decimal(10))
    assert _status(criterion, measurements=[m]) == status


@pytest.mark.parametrize(("relative", "status"), [(-6, NOT_MET), (-5, MET), (3, MET)])
def test_a_relative_atra_criterion_is_met_at_or_above_n(relative: int, status: str) -> None:
    """Relative ATRA = uninjured − injured; negative: the injured ankle rests more dorsiflexed,
    a longer tendon (clinical.md §3). "Not more than 5° longer" is −5°: −6° does not meet it."""
    criterion = _criterion(K.MEASUREMENT, -5, "relative_atra")
    m = _m(1, atra_deg_injured=-40 - relative, atra_deg_uninjured=-40)
    assert m.relative_atra == relative
    assert _status(criterion, measurements=[m]) == status
    assert criterion.description == "Relative ATRA (uninjured − injured) ≥ -5 °"


@pytest.mark.parametrize(("judged", "status"), [(True, MET), (False, NOT_MET), (None, UNKNOWN)])
def test_clinician_yes_no(judged: bool | None, status: str) -> None:
    criterion = _criterion(K.CLINICIAN, judged_met=judged, judged_at=timezone.now())
    evaluation = evaluate(criterion, PatientData(week=3))
    assert evaluation.status == status
    assert evaluation.evidence


def test_the_evidence_names_the_data() -> None:
    criterion = _criterion(K.MEASUREMENT, 90, "heel_rise_height_lsi")
    m = _m(2, heel_rise_height_cm_injured=Decimal(9), heel_rise_height_cm_uninjured=10)
    evaluation = evaluate(criterion, PatientData(week=12, measurements=[m]))
    assert evaluation.evidence == "Heel-rise height LSI 90 % on 2026-11-02."
    assert criterion.description == "Heel-rise height LSI ≥ 90 %"
    assert _criterion(K.REST_PAIN, 2).description.startswith("Pain at rest at most 2")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": K.REST_PAIN}, "threshold"),
        ({"kind": K.REST_PAIN, "threshold": 11}, "threshold"),
        ({"kind": K.ADHERENCE, "threshold": 101}, "threshold"),
        ({"kind": K.CLINICIAN, "threshold": 1}, "threshold"),
        ({"kind": K.MEASUREMENT, "threshold": 90}, "measure"),
        ({"kind": K.ATRS, "threshold": 60, "measure": "toe_walk_5m"}, "measure"),
    ],
)
def test_an_impossible_criterion_is_refused(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PlanCriterion(**values).clean()
    assert field in caught.value.message_dict


# --- from the database ----------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_data_reads_the_last_7_days_and_keeps_queries_constant() -> None:
    def make(n: int) -> list[Patient]:
        made = []
        for _ in range(n):
            patient = factories.PatientFactory.create()
            _plan, (phase,) = factories.active_plan(patient)
            rx = factories.PrescriptionFactory.create(phase=phase)
            today = patient.local_today()
            factories.CheckInFactory.create(patient=patient, date=today, pain_at_rest=2)
            factories.CheckInFactory.create(
                patient=patient, date=today - dt.timedelta(days=8), pain_at_rest=9
            )  # older than 7 days: not counted
            factories.ExerciseLogFactory.create(
                prescription=rx, patient=patient, date=today, pain=4
            )
            factories.MeasurementFactory.create(patient=patient, date=today)
            made.append(patient)
        return made

    few = make(1)
    with CaptureQueriesContext(connection) as one:
        data = criteria_selectors.patient_data(few)
    assert data[few[0].pk].rest_pain == (2, 1)
    assert data[few[0].pk].exercise_pain == (4, 1)
    assert data[few[0].pk].measurements
    many = few + make(9)
    with CaptureQueriesContext(connection) as ten:
        criteria_selectors.patient_data(many)
    # Constant: the same number of queries for 1 patient and for 10 (10× the rows).
    assert len(ten) == len(one)


@pytest.mark.django_db
def test_a_plan_made_from_a_template_copies_its_criteria(seeded: None) -> None:
    protocol = Protocol.objects.get(slug="achilles-operative")
    shipped = ProtocolCriterion.objects.filter(phase__protocol=protocol)
    lsi = shipped.get(phase__order=5, order=1)
    assert (lsi.kind, lsi.measure, lsi.threshold) == (K.MEASUREMENT, "heel_rise_height_lsi", 90)
    assert lsi.label.startswith("5 single-leg heel rises at about 90 %")
    clinician = factories.ClinicianFactory.create()
    patient = factories.PatientFactory.create(clinic=clinician.clinic)
    plan = plan_services.plan_from_protocol(
        patient=patient, protocol=protocol, created_by=clinician.user
    )
    copied = PlanCriterion.objects.filter(phase__plan=plan)
    assert copied.count() == shipped.count()
    assert set(copied.values_list("label", flat=True)) == set(
        shipped.values_list("label", flat=True)
    )


def test_the_data_migration_reads_the_shipped_text() -> None:
    migration = importlib.import_module("rehab.migrations.0010_exit_criteria_from_text")
    lsi = migration.criterion_of(
        "5 single-leg heel rises at about 90 % of the other side's height, before running"
    )
    assert lsi == {
        "kind": "measurement",
        "measure": "heel_rise_height_lsi",
        "threshold": Decimal(90),
    }
    toe = migration.criterion_of("Walks 5 m on the toes without the heel dropping")
    assert (toe["measure"], toe["threshold"]) == ("toe_walk_5m", Decimal(1))
    assert migration.criterion_of("20 or more heel rises, about grade 5/5")["threshold"] == 20
    assert migration.criterion_of("A single-limb heel rise, before high-impact")["threshold"] == 1
    # Anything else is the clinician's yes/no (calf strength is not a heel-rise count).
    assert migration.criterion_of("Calf strength 90 % or more of the other side")["kind"] == (
        "clinician"
    )
    assert migration.criterion_of("Walks in shoes without a limp")["kind"] == "clinician"


# --- Found in review -----------------------------------------------------------------------


def test_the_adherence_criterion_does_not_count_today_before_it_is_over(db: None) -> None:
    _clinician, patient, plan, phase, rx, today = daily_plan(started_days_ago=20)
    for back in range(1, 14):  # every day of the window but today, which is not over yet
        factories.ExerciseLogFactory.create(prescription=rx, date=today - dt.timedelta(days=back))
    PlanCriterion.objects.create(
        phase=phase, order=1, kind=CriterionKind.ADHERENCE, threshold=Decimal(100)
    )
    # The patient's progress page and the dashboard: 100 % (nothing missed yet).
    assert judged_adherence_for_patient(patient, today=today, days=14, plan=plan).percent == 100
    (evaluation,) = evaluate_phases([(patient, plan, phase)])
    (criterion,) = evaluation.evaluations
    assert criterion.met, criterion.evidence


def test_a_completed_plans_exit_criteria_cannot_be_added_or_removed(db: None) -> None:
    plan = factories.PlanFactory.create(status=Plan.Status.COMPLETED)
    phase = factories.PlanPhaseFactory.create(plan=plan, order=1, start_week=0, end_week=6)
    kept = PlanCriterion.objects.create(
        phase=phase, order=1, kind=CriterionKind.MIN_WEEK, threshold=Decimal(6)
    )
    with pytest.raises(ValidationError):
        criteria_services.criterion_add(phase=phase, kind=CriterionKind.ATRS, threshold=Decimal(40))
    with pytest.raises(ValidationError):
        criteria_services.criterion_remove(criterion=kept)
