"""The measurements' definitions: ranges, computed LSI and differences, refusals."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rehab import measures
from rehab.models import CriterionKind, Measurement, PlanCriterion
from rehab.selectors.criteria import MET, NOT_MET, PatientData, evaluate
from rehab.services import outcomes as outcome_services
from tests import factories


def _errors(values: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        measures.validate(values)
    return caught.value.message_dict


def test_every_value_field_has_a_definition_with_unit_and_range() -> None:
    for name in measures.VALUE_FIELDS:
        m = measures.FIELD_MEASURE[name]
        assert m.definition
        assert m.label
        assert m.low <= m.high
    home = {m.code for m in measures.MEASURES if m.home}
    assert home == {"heel_rise_reps", "calf_cm", "toe_walk_5m"}


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"heel_rise_reps_injured": -1}, "heel_rise_reps_injured", "between 0 and 200"),
        ({"atra_deg_injured": -91}, "atra_deg_injured", "between -90 and 90"),
        ({"atra_deg_uninjured": 91}, "atra_deg_uninjured", "between -90 and 90"),
        ({"calf_cm_injured": Decimal(0)}, "calf_cm_injured", "between 10 and 80"),
        ({"knee_to_wall_cm_injured": Decimal("30.5")}, "knee_to_wall_cm_injured", "30"),
        (
            {"heel_rise_reps_injured": 41, "heel_rise_reps_uninjured": 20},
            "heel_rise_reps_injured",
            "LSI 205.0 %",
        ),
        (
            {"heel_rise_height_cm_injured": Decimal(9), "heel_rise_height_cm_uninjured": 4},
            "heel_rise_height_cm_injured",
            "check the sides",
        ),
    ],
)
def test_impossible_values_are_refused_with_a_clear_message(
    values: dict[str, Any], field: str, words: str
) -> None:
    errors = _errors(values)
    assert words in " ".join(errors[field])


def test_the_boundaries_are_accepted() -> None:
    measures.validate(
        {
            "heel_rise_reps_injured": 40,
            "heel_rise_reps_uninjured": 20,  # LSI exactly 200 %
            "atra_deg_injured": -90,
            "atra_deg_uninjured": 90,
            "calf_cm_injured": Decimal(10),
            "calf_cm_uninjured": Decimal(80),
            "knee_to_wall_cm_injured": Decimal(0),
        }
    )


def test_lsi_and_differences_are_computed() -> None:
    m = Measurement(
        heel_rise_reps_injured=9,
        heel_rise_reps_uninjured=10,
        heel_rise_height_cm_injured=Decimal("9.0"),
        heel_rise_height_cm_uninjured=Decimal("12.0"),
        atra_deg_injured=-20,
        atra_deg_uninjured=-8,
        knee_to_wall_cm_injured=Decimal("8.0"),
        knee_to_wall_cm_uninjured=Decimal("11.5"),
        calf_cm_injured=Decimal("35.0"),
        calf_cm_uninjured=Decimal("37.5"),
        toe_walk_5m=True,
    )
    assert m.heel_rise_lsi == 90.0
    assert m.heel_rise_height_lsi == 75.0
    assert m.relative_atra == 12.0
    assert m.knee_to_wall_difference == 3.5
    assert m.calf_difference == 2.5
    assert m.derived("heel_rise_height_lsi") == 75.0
    assert m.derived("toe_walk_5m") == 1.0
    assert Measurement(heel_rise_reps_injured=3).heel_rise_lsi is None
    assert Measurement(heel_rise_reps_injured=3, heel_rise_reps_uninjured=0).heel_rise_lsi is None
    assert Measurement(toe_walk_5m=None).derived("toe_walk_5m") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"atra_deg_injured": 95},
        {"heel_rise_height_cm_injured": Decimal(10), "heel_rise_height_cm_uninjured": Decimal(4)},
        {"heel_rise_reps_injured": 50, "heel_rise_reps_uninjured": 10},
        {},
    ],
)
def test_the_database_refuses_impossible_rows(values: dict[str, Any]) -> None:
    patient = factories.PatientFactory.create()
    base = dict.fromkeys(measures.VALUE_FIELDS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.create(patient=patient, date=patient.local_today(), **base | values)


def test_a_swapped_or_zero_other_side_is_refused_in_words_not_by_a_constraint_name(
    db: None,
) -> None:
    """measures.validate skips the LSI check when the uninjured side is 0, the database's
    check constraint then refuses the row, and the person sees
    'Constraint “rehab_measurement_heel_rise_reps_lsi_max” is violated.'"""
    patient = factories.PatientFactory()
    with pytest.raises(ValidationError) as refused:
        outcome_services.measurement_record(
            patient=patient,
            recorded_by=None,
            client_uuid=uuid.uuid4(),
            heel_rise_reps_injured=5,
            heel_rise_reps_uninjured=0,
        )
    text = " ".join(refused.value.messages)
    assert "rehab_measurement" not in text, text


def test_relative_atra_criterion_is_met_at_or_above_its_threshold() -> None:
    """clinical.md §3: "report relative ATRA = uninjured − injured (**negative = the injured
    ankle rests more dorsiflexed, a longer tendon**)"; §6: after rupture −12.5°, after repair
    +7°, 3 months −6.5°.

    A more negative relative ATRA is a longer tendon, i.e. worse: it is not a "smaller is
    better" value (``measures.DERIVED_AT_MOST``). A relative-ATRA criterion is met at or above
    its threshold: a tendon resting 15° longer (−15°) fails "not more than 5° longer" (−5°),
    one at −2° meets it. (From the clinical review: it was read the other way round.)"""
    criterion = PlanCriterion(
        kind=CriterionKind.MEASUREMENT, threshold=Decimal(-5), measure="relative_atra"
    )
    elongated = Measurement(
        date=dt.date(2026, 11, 1), atra_deg_injured=-35, atra_deg_uninjured=-50
    )  # rests 15° more dorsiflexed
    assert elongated.relative_atra == -15
    near_normal = Measurement(
        date=dt.date(2026, 11, 1), atra_deg_injured=-48, atra_deg_uninjured=-50
    )
    assert near_normal.relative_atra == -2
    assert evaluate(criterion, PatientData(week=20, measurements=[elongated])).status == NOT_MET
    assert evaluate(criterion, PatientData(week=20, measurements=[near_normal])).status == MET
    assert "relative_atra" not in measures.DERIVED_AT_MOST


def test_lsi_rounds_a_half_up() -> None:
    """337 of 400 is 84.25 %: it reads 84.3, as people round (not 84.2, the float's half to
    even)."""
    assert measures.lsi(337, 400) == 84.3
    assert measures.lsi(Decimal("33.7"), Decimal("40")) == 84.3
    assert measures.difference(Decimal("10.25"), Decimal("20.5")) == 10.3
