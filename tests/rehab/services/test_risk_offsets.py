"""A clinic's risk-factor offsets (rehab.services.risk, clinical.md §7): set by its clinic
admins from the shipped defaults, kept in the team's history; raising one that would leave
exercises of plans in care early without a recorded reason lists them first, and is saved only
once they are confirmed, alerting each patient's physiotherapist."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clinic.models import Clinic, Clinician, Patient, TeamEvent
from rehab import guardrails, risk
from rehab.models import Alert, Plan, RiskOffsets
from rehab.selectors.builder import plan_builder
from rehab.services import library as library_services
from rehab.services import risk as risk_services
from tests import factories
from tests.rehab.clinical_loop import Scene, week3_non_operative

pytestmark = pytest.mark.django_db


def _fresh(clinic: Clinic) -> Clinic:
    return Clinic.objects.get(pk=clinic.pk)


def _set(clinic: Clinic, confirmed: set[int] | None = None, **weeks: int) -> list[Any]:
    return risk_services.risk_offsets_update(
        clinic=clinic, weeks=weeks, changed_by=None, confirmed=confirmed or set()
    )


def _listed(clinic: Clinic, **weeks: int) -> list[tuple[Plan, list[str]]]:
    return [
        (each.plan, [p.prescription.exercise.name for p in each.placements])
        for each in risk_services.risk_offsets_now_early(clinic=_fresh(clinic), weeks=weeks)
    ]


def _early_alerts() -> list[Alert]:
    return list(Alert.objects.filter(kind=Alert.Kind.EARLY_EXERCISE))


def test_a_clinic_starts_from_the_shipped_defaults_and_sets_its_own(
    clinician: Clinician, admin: Clinician, other_clinician: Clinician
) -> None:
    clinic = clinician.clinic
    assert risk.clinic_offsets(_fresh(clinic)) == risk.SHIPPED
    assert risk.SHIPPED["rerupture_or_revision"] == 2
    risk_services.risk_offsets_update(
        clinic=clinic,
        weeks={"rerupture_or_revision": 4, "diabetes": 1},
        changed_by=admin.user,
    )
    assert risk.clinic_offsets(_fresh(clinic)) == risk.SHIPPED | {
        "rerupture_or_revision": 4,
        "diabetes": 1,
    }
    # Every modifier's offset is now the clinic's own; another clinic keeps the defaults.
    assert RiskOffsets.objects.get(clinic=clinic).weeks == risk.clinic_offsets(_fresh(clinic))
    assert risk.clinic_offsets(_fresh(other_clinician.clinic)) == risk.SHIPPED
    # Kept in the team's history, as the clinic's other settings.
    event = TeamEvent.objects.get(clinic=clinic)
    assert event.action == TeamEvent.Action.SETTINGS_CHANGED
    assert event.actor == admin.user
    assert event.detail == (
        "Risk-factor offsets: Re-rupture or revision surgery +2 → +4 weeks; Diabetes +0 → +1 weeks"
    )
    # Nothing changed: nothing written.
    _set(clinic, rerupture_or_revision=4)
    assert TeamEvent.objects.filter(clinic=clinic).count() == 1


@pytest.mark.parametrize(
    "weeks",
    [{"diabetes": 13}, {"diabetes": -1}, {"diabetes": True}, {"diabetes": 1.5}, {"gout": 1}],
)
def test_only_whole_weeks_from_0_to_12_of_known_modifiers(
    clinician: Clinician, weeks: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        risk_services.risk_offsets_update(clinic=clinician.clinic, weeks=weeks, changed_by=None)
    assert "weeks" in caught.value.message_dict
    assert not RiskOffsets.objects.exists()
    assert not TeamEvent.objects.exists()


def test_the_guardrails_read_the_patients_clinic(clinician: Clinician) -> None:
    patient = factories.PatientFactory.create(clinic=clinician.clinic, risk_diabetes=True)
    bike = factories.ExerciseFactory.create(earliest_week_operative=6)
    assert risk.offset_weeks(patient) == (0, [])  # diabetes: caution only, by default
    assert guardrails.earliest_safe_week(bike, patient) == 6
    _set(clinician.clinic, diabetes=3)
    patient = Patient.objects.get(pk=patient.pk)
    weeks, modifiers = risk.offset_weeks(patient)
    assert (weeks, [m.code for m in modifiers]) == (3, ["diabetes"])
    assert guardrails.earliest_safe_week(bike, patient) == 9
    assert guardrails.risk_reasons(patient) == (
        "Diabetes: +3 weeks (local default, no published figure)",
    )
    # The largest offset applies: re-rupture's default (+2) is below the clinic's diabetes.
    patient.risk_rerupture_or_revision = True
    assert guardrails.earliest_safe_week(bike, patient) == 9
    # Another clinic's patient with the same modifier: the shipped default (0).
    elsewhere = factories.PatientFactory.create(risk_diabetes=True)
    assert guardrails.earliest_safe_week(bike, elsewhere) == 6


def test_the_guardrails_weigh_offsets_not_saved_yet(
    clinician: Clinician, django_assert_num_queries: Any
) -> None:
    """A change being confirmed is weighed as an argument (``offsets``), without a query and
    without touching the clinic's own."""
    patient = factories.PatientFactory.create(clinic=clinician.clinic, risk_diabetes=True)
    bike = factories.ExerciseFactory.create(earliest_week_operative=6)
    offsets = risk.SHIPPED | {"diabetes": 3}
    with django_assert_num_queries(0):
        assert guardrails.earliest_safe_week(bike, patient, offsets=offsets) == 9
        assert guardrails.risk_reasons(patient, offsets=offsets) == (
            "Diabetes: +3 weeks (local default, no published figure)",
        )
    assert guardrails.earliest_safe_week(bike, patient) == 6  # the clinic's: diabetes +0


def test_a_reason_of_one_week_says_week(clinician: Clinician) -> None:
    patient = factories.PatientFactory.create(clinic=clinician.clinic, risk_diabetes=True)
    offsets = risk.SHIPPED | {"diabetes": 1}
    assert guardrails.risk_reasons(patient, offsets=offsets) == (
        "Diabetes: +1 week (local default, no published figure)",
    )


def test_listing_changes_nothing(clinician: Clinician) -> None:
    """Asking what a raise would list leaves the clinic and the plans' patients with the
    clinic's saved offsets."""
    scene = week3_non_operative(clinician, risk_diabetes=True)
    clinic = _fresh(clinician.clinic)
    [listed] = risk_services.risk_offsets_now_early(clinic=clinic, weeks={"diabetes": 2})
    assert listed.plan == scene.plan
    assert risk.clinic_offsets(clinic)["diabetes"] == 0
    assert risk.offset_weeks(listed.plan.patient) == (0, [])
    assert not RiskOffsets.objects.exists()


def test_raising_lists_the_plans_and_saves_only_once_confirmed(
    clinician: Clinician, admin: Clinician
) -> None:
    clinic = clinician.clinic
    scene = week3_non_operative(clinician, risk_diabetes=True)
    # The later phase starts in week 6: the bike (from week 6) would start in week 6 + 2.
    assert _listed(clinic, diabetes=2) == [(scene.plan, ["Two-leg bike"])]
    with pytest.raises(ValidationError) as caught:
        _set(clinic, diabetes=2)
    assert caught.value.code == "risk_offsets_now_early"
    (message,) = caught.value.messages
    assert "Noah" in message
    assert "Two-leg bike (not before week 8; the patient will be in week 6)" in message
    assert risk.clinic_offsets(_fresh(clinic))["diabetes"] == 0  # nothing saved
    assert not TeamEvent.objects.exists()
    # A confirmation of other placements is not one of these.
    with pytest.raises(ValidationError):
        _set(clinic, {scene.week4_rx.pk}, diabetes=2)
    assert _early_alerts() == []
    # Confirmed: saved, and the physiotherapist alerted.
    alerted = risk_services.risk_offsets_update(
        clinic=clinic, weeks={"diabetes": 2}, changed_by=admin.user, confirmed={scene.week6_rx.pk}
    )
    assert [each.plan for each in alerted] == [scene.plan]
    assert risk.clinic_offsets(_fresh(clinic))["diabetes"] == 2
    [alert] = _early_alerts()
    assert alert.patient == scene.patient
    assert alert.acknowledged_at is None
    assert "Changed in the clinic's settings (risk-factor offsets)" in alert.message
    assert "Two-leg bike (not before week 8; the patient will be in week 6)" in alert.message
    assert "Diabetes: +2 weeks (local default, no published figure)" in alert.message
    # The builder shows it as early, waiting for a reason, as any other early placement.
    plan = Plan.objects.select_related("patient__clinic").get(pk=scene.plan.pk)
    builder = plan_builder(plan)
    assert [item.prescription for item in builder.missing_reasons] == [scene.week6_rx]


def test_what_a_raise_does_not_list(clinician: Clinician) -> None:
    clinic = clinician.clinic
    flagged = week3_non_operative(clinician, risk_diabetes=True)
    # With a recorded reason: kept.
    flagged.week6_rx.guardrail_reason = "Surgeon agreed"
    flagged.week6_rx.save()
    # Without the modifier, in a draft or a completed plan, or in another clinic: not concerned.
    week3_non_operative(clinician)
    for status in (Plan.Status.DRAFT, Plan.Status.COMPLETED):
        other = week3_non_operative(clinician, risk_diabetes=True)
        Plan.objects.filter(pk=other.plan.pk).update(status=status)
    week3_non_operative(factories.ClinicianFactory.create(), risk_diabetes=True)
    assert _listed(clinic, diabetes=2) == []
    # +3: the heel raise (from week 4) would start in week 7, and it has no reason.
    assert _listed(clinic, diabetes=3) == [(flagged.plan, ["Seated heel raise"])]
    # Lowering never lists anything, and is saved at once.
    assert _listed(clinic, rerupture_or_revision=0, insertional_or_anchor=0) == []
    _set(clinic, rerupture_or_revision=0)
    assert risk.clinic_offsets(_fresh(clinic))["rerupture_or_revision"] == 0


def test_a_placement_early_already_is_not_listed_again(clinician: Clinician) -> None:
    """Re-rupture's shipped +2 already puts the bike (from week 6) after the later phase's
    start (week 6): raising it to +3 lists only the heel raise it makes early."""
    scene: Scene = week3_non_operative(clinician, risk_rerupture_or_revision=True)
    assert _listed(clinician.clinic, rerupture_or_revision=3) == [
        (scene.plan, ["Seated heel raise"])
    ]


def test_a_raise_that_makes_reasoned_placements_earlier_alerts_without_asking(
    clinician: Clinician,
) -> None:
    """With re-rupture's +2 the later phase (from week 6) starts the heel raise (from week 4)
    on time and the bike (from week 6) two weeks early, with reasons recorded. Raised to +3,
    the bike is three weeks early and the heel raise one: not listed for a confirmation (each
    has a reason), saved, and the physiotherapist alerted to look at the reasons again: they
    were given for a later start."""
    scene: Scene = week3_non_operative(clinician, risk_rerupture_or_revision=True)
    for rx in (scene.week4_rx, scene.week6_rx):
        rx.guardrail_reason = "Surgeon agreed"
        rx.save()
    assert _listed(clinician.clinic, rerupture_or_revision=3) == []
    _set(clinician.clinic, rerupture_or_revision=3)
    [alert] = _early_alerts()
    assert alert.patient == scene.patient
    assert "Seated heel raise (not before week 7; the patient will be in week 6)" in alert.message
    assert "Two-leg bike (not before week 9; the patient will be in week 6)" in alert.message


def test_listing_reads_the_same_whatever_the_number_of_plans(
    clinician: Clinician, django_assert_max_num_queries: Any
) -> None:
    """The clinic's offsets (1), the plans in care with their patients (1), their phases (1)
    and live prescriptions with exercises (1)."""
    for plans in (1, 10):
        while Plan.objects.count() < plans:
            week3_non_operative(clinician, risk_diabetes=True)
        clinic = _fresh(clinician.clinic)
        with django_assert_max_num_queries(4):
            found = risk_services.risk_offsets_now_early(clinic=clinic, weeks={"diabetes": 2})
        assert len(found) == plans


def test_an_exercise_raised_in_the_library_is_checked_with_the_clinics_offsets(
    clinician: Clinician,
) -> None:
    """The library's alert (rehab.services.alerts.alert_now_early) asks the same guardrail:
    the patient's clinic's offset, read with the patient."""
    _set(clinician.clinic, diabetes=2)
    scene = week3_non_operative(clinician, risk_diabetes=True)
    exercise = factories.ExerciseFactory.create(
        clinic=clinician.clinic, name="Single-leg balance", earliest_week_non_operative=0
    )
    factories.PrescriptionFactory.create(phase=scene.early, exercise=exercise, order=9)
    # Week 3 now; from week 2 + 2 = 4 for this patient: early.
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=2)
    [alert] = _early_alerts()
    assert "Single-leg balance is usually not started before week 4" in alert.message
    assert "Diabetes: +2 weeks" in alert.message
