"""Risk modifiers (clinical.md §7): their effect on the earliest safe weeks, with reasons."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import Clinic, Clinician, Patient
from rehab import guardrails, risk
from rehab.models import Alert, RiskOffsets
from rehab.services import risk as risk_services
from tests import factories
from tests.conftest import client_for
from tests.rehab.clinical_loop import week3_non_operative

pytestmark = pytest.mark.django_db

NONE = dict.fromkeys(risk.FLAG_FIELDS, False)


def test_the_shipped_offsets_are_the_local_defaults_of_clinical_md() -> None:
    offsets = {m.code: m.default_weeks for m in risk.RISK_MODIFIERS}
    assert offsets == {
        "rerupture_or_revision": 2,
        "insertional_or_anchor": 2,
        "augmentation": 0,
        "diabetes": 0,
        "corticosteroids": 0,
        "fluoroquinolones": 0,
        "age": 0,
        "smoking": 0,
    }
    assert all(m.caution for m in risk.RISK_MODIFIERS)


def test_the_clinic_sets_the_risk_modifier_offsets(clinician: Clinician) -> None:
    """clinical.md §7: "a modifier adds a **clinic-set offset** to the earliest safe weeks
    (shipped default: +2 weeks for re-rupture/revision and for anchor or insertional repair, 0
    for the others, each marked 'local default, no published figure')".

    (From the clinical review, where the offsets were constants of ``rehab/risk.py``.) Each
    clinic has its own offsets per modifier (``RiskOffsets``, one row per clinic, read with
    the clinic), starting from the shipped defaults, and ``earliest_safe_week`` reads the
    patient's clinic's."""
    assert Clinic._meta.get_field("risk_offsets").related_model is RiskOffsets
    clinic = clinician.clinic
    assert risk.clinic_offsets(clinic) == {m.code: m.default_weeks for m in risk.RISK_MODIFIERS}
    patient = factories.PatientFactory.create(clinic=clinic, risk_rerupture_or_revision=True)
    heel_raise = factories.ExerciseFactory.create(earliest_week_operative=12)
    assert guardrails.earliest_safe_week(heel_raise, patient) == 14
    risk_services.risk_offsets_update(
        clinic=clinic, weeks={"rerupture_or_revision": 4, "diabetes": 1}, changed_by=None
    )
    patient = Patient.objects.select_related("clinic__risk_offsets").get(pk=patient.pk)
    assert guardrails.earliest_safe_week(heel_raise, patient) == 16  # +4 after a revision
    patient.risk_rerupture_or_revision, patient.risk_diabetes = False, True
    assert guardrails.earliest_safe_week(heel_raise, patient) == 13  # +1 for diabetes
    # Another clinic's patient: the shipped defaults.
    elsewhere = factories.PatientFactory.create(risk_rerupture_or_revision=True)
    assert guardrails.earliest_safe_week(heel_raise, elsewhere) == 14


def test_a_modifier_moves_the_earliest_safe_week_with_its_reason(clinician: Clinician) -> None:
    scene = week3_non_operative(clinician)
    exercise = scene.week4_rx.exercise
    assert guardrails.earliest_safe_week(exercise, scene.patient) == 4
    scene.patient.risk_diabetes = True  # caution only: no weeks
    assert guardrails.earliest_safe_week(exercise, scene.patient) == 4
    assert guardrails.risk_reasons(scene.patient) == ()
    scene.patient.risk_rerupture_or_revision = True
    assert guardrails.earliest_safe_week(exercise, scene.patient) == 6
    scene.patient.risk_insertional_or_anchor = True  # the largest offset, not the sum
    assert guardrails.earliest_safe_week(exercise, scene.patient) == 6
    reasons = guardrails.risk_reasons(scene.patient)
    assert reasons == (
        "Re-rupture or revision surgery: +2 weeks (local default, no published figure)",
        "Insertional or anchor repair: +2 weeks (local default, no published figure)",
    )
    # The guardrail of a phase the patient reaches in week 6 now warns, naming the modifiers.
    scene.later.plan.patient = scene.patient
    warning = guardrails.guardrail_warning(exercise=exercise, phase=scene.later, week=5)
    assert warning is not None
    assert warning.earliest_week == 6
    assert "Moved later by: Re-rupture or revision surgery: +2 weeks" in warning.message


def test_age_comes_from_the_date_of_birth() -> None:
    today = dt.date(2026, 12, 2)
    patient = Patient(date_of_birth=dt.date(1966, 12, 3))
    assert risk.modifiers_of(patient, today=today) == []
    patient.date_of_birth = dt.date(1966, 12, 2)
    assert [m.code for m in risk.modifiers_of(patient, today=today)] == ["age"]


def test_recording_a_modifier_is_refused_while_it_makes_a_placement_early_without_reason(
    clinician: Clinician,
) -> None:
    scene = week3_non_operative(clinician)
    # The current phase's exercise (earliest week 0) is safe; the later phase's week-6 bike
    # starts in week 6: with +2 weeks it would be early.
    with pytest.raises(ValidationError) as caught:
        risk_services.patient_risk_update(
            patient=scene.patient, values=NONE | {"risk_rerupture_or_revision": True}
        )
    assert "Two-leg bike" in " ".join(caught.value.messages)
    scene.patient.refresh_from_db()
    assert scene.patient.risk_rerupture_or_revision is False
    # A caution-only modifier changes no week: recorded.
    risk_services.patient_risk_update(patient=scene.patient, values=NONE | {"risk_smoking": True})
    scene.patient.refresh_from_db()
    assert scene.patient.risk_smoking is True
    # With a recorded reason the modifier is recorded.
    scene.week4_rx.guardrail_reason = "Surgeon agreed"
    scene.week4_rx.save()
    scene.week6_rx.guardrail_reason = "Surgeon agreed"
    scene.week6_rx.save()
    risk_services.patient_risk_update(
        patient=scene.patient,
        values=NONE | {"risk_smoking": True, "risk_rerupture_or_revision": True},
    )
    scene.patient.refresh_from_db()
    assert scene.patient.risk_rerupture_or_revision is True


def test_a_modifier_that_makes_a_reasoned_exercise_earlier_alerts_the_clinician(
    clinician: Clinician,
) -> None:
    """A reason was recorded for starting the week-4 exercise in week 3; after a re-rupture
    (+2 weeks) it starts three weeks early, not one: recorded, and the clinician alerted to
    look at the reason again."""
    scene = week3_non_operative(clinician)
    factories.PrescriptionFactory.create(
        phase=scene.early,
        exercise=factories.ExerciseFactory.create(
            name="Band ankle push", earliest_week_operative=4, earliest_week_non_operative=4
        ),
        order=3,
        guardrail_reason="Strong calf, one week early",
    )
    for early in (scene.week4_rx, scene.week6_rx):  # the later phase's, confirmed for now
        early.guardrail_reason = "Surgeon agreed"
        early.save()
    risk_services.patient_risk_update(
        patient=scene.patient, values=NONE | {"risk_rerupture_or_revision": True}
    )
    scene.patient.refresh_from_db()
    assert scene.patient.risk_rerupture_or_revision is True
    (message,) = Alert.objects.filter(
        patient=scene.patient, kind=Alert.Kind.EARLY_EXERCISE
    ).values_list("message", flat=True)
    assert "Band ankle push" in message
    assert "Two-leg bike" in message  # not early before: its reason was for another start


def test_the_patient_page_shows_and_records_the_modifiers(
    clinician: Clinician, colleague: Clinician, other_clinician: Clinician
) -> None:
    patient = factories.PatientFactory.create(clinic=clinician.clinic)
    url = reverse("rehab:risk_update", args=[patient.pk])
    data = {"risk-risk_insertional_or_anchor": "on", "risk-risk_diabetes": "on"}
    assert client_for(other_clinician.user).post(url, data).status_code == 404
    assert client_for(patient.user).post(url, data).status_code == 404
    assert client_for(colleague.user).post(url, data).status_code == 302
    patient.refresh_from_db()
    assert patient.risk_insertional_or_anchor
    assert patient.risk_diabetes
    assert not patient.risk_smoking
    html = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    text = html.content.decode()
    assert "Insertional or anchor repair: +2 weeks (local default, no published figure)" in text
    assert "No change to the earliest safe weeks" in text  # diabetes: caution only
    # The clinic's own offsets, once it sets them.
    risk_services.risk_offsets_update(
        clinic=patient.clinic, weeks={"diabetes": 1, "insertional_or_anchor": 3}, changed_by=None
    )
    text = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk])).text
    assert "Insertional or anchor repair: +3 weeks (local default, no published figure)" in text
    assert re.search(r"Diabetes</span>:[^<]*Earliest safe weeks \+1 week\b(?!s)", text)
    assert "Earliest safe weeks +3 weeks" in text
