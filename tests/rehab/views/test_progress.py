"""The patient's progress page (rehab/views/progress.py): its streak, history and charts, and
their measurements at home (issue 22): a small form on that page, the home measures only, in
plain words; one row per submit, marked as recorded at home, shown so on the clinician's pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.models import Measurement, Prescription
from rehab.services import outcomes as outcome_services
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = reverse("rehab:home_measurement")


@pytest.fixture
def patient(clinician: Clinician) -> Patient:
    """A patient in week 14, when every home test is allowed (single-leg heel raises and
    walking on the toes from week 12); the earlier weeks are tested below."""
    return factories.PatientFactory(
        clinic=clinician.clinic,
        injury_date=timezone.localdate() - dt.timedelta(weeks=14, days=3),
        surgery_date=timezone.localdate() - dt.timedelta(weeks=14, days=1),
    )


@pytest.fixture
def other_patient(clinician: Clinician) -> Patient:
    return factories.PatientFactory(
        clinic=clinician.clinic,
        injury_date=timezone.localdate() - dt.timedelta(weeks=14, days=3),
        surgery_date=timezone.localdate() - dt.timedelta(weeks=14, days=1),
    )


def _data(**values: Any) -> dict[str, Any]:
    return {"client_uuid": str(uuid.uuid4()), **values}


def _form_section(html: str) -> str:
    return html.split('id="home-measurements-heading"', 1)[1].split("</section>", 1)[0]


def test_the_progress_page_offers_the_home_measures_in_plain_words(patient: Patient) -> None:
    client = client_for(patient.user)
    # The form is a tap away (most visits only read the progress).
    page = _form_section(client.get(reverse("rehab:progress")).text)
    assert 'href="?measure=1#home-measurements-heading"' in page
    assert "heel_rise_reps_injured" not in page
    html = client.get(reverse("rehab:progress"), {"measure": "1"}).text
    form = _form_section(html)
    assert "Heel raises on your injured leg" in form
    assert "Around your injured lower leg (cm)" in form
    assert "walk 5 metres on your toes" in form
    assert "your physiotherapist has asked you" in form
    # Only the home measures, and no clinician's words.
    for name in ("atra_deg_injured", "heel_rise_height_cm_injured", "knee_to_wall_cm_injured"):
        assert name not in form
    words = re.sub(r"<[^>]*>", " ", form)  # what the patient reads, not the field names
    for jargon in ("LSI", "ATRA", "calf", "circumference", "dorsiflexion", "injured side"):
        assert jargon not in words


def test_the_patient_records_once_marked_as_at_home(clinician: Clinician, patient: Patient) -> None:
    client = client_for(patient.user)
    data = _data(
        heel_rise_reps_injured="12",
        heel_rise_reps_uninjured="25",
        calf_cm_injured="36.5",
        calf_cm_uninjured="38",
        toe_walk_5m="false",
        atra_deg_injured="-10",  # not a home measure: not taken from the patient
    )
    response = client.post(URL, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("rehab:progress"))
    assert client.post(URL, data).status_code == 302  # a retried submit: still one row
    (measurement,) = Measurement.objects.all()
    assert measurement.patient == patient
    assert measurement.at_home is True
    assert measurement.recorded_by == patient.user
    assert measurement.date == patient.local_today()
    assert (measurement.heel_rise_reps_injured, measurement.heel_rise_reps_uninjured) == (12, 25)
    assert measurement.calf_cm_injured == Decimal("36.5")
    assert measurement.toe_walk_5m is False
    assert measurement.atra_deg_injured is None
    # The clinician's page says where it was measured: the latest measurement and the timeline.
    page = reverse("rehab:patient_detail", args=[patient.pk])
    outcomes = client_for(clinician.user).get(page + "?tab=outcomes").text
    assert "recorded at home" in outcomes.split('id="session-measurements-heading"', 1)[1]
    timeline = client_for(clinician.user).get(page + "?timeline_page=1").text
    assert "recorded at home" in timeline.split('id="timeline"', 1)[1]


def test_a_session_measurement_is_not_marked_as_at_home(
    clinician: Clinician, patient: Patient
) -> None:
    outcome_services.measurement_record(
        patient=patient, recorded_by=clinician.user, client_uuid=uuid.uuid4(), atra_deg_injured=-5
    )
    page = reverse("rehab:patient_detail", args=[patient.pk])
    outcomes = client_for(clinician.user).get(page + "?tab=outcomes").text
    assert "recorded at home" not in outcomes


def test_only_home_measures_are_recorded_at_home(patient: Patient) -> None:
    with pytest.raises(TypeError):
        outcome_services.measurement_record(
            patient=patient,
            recorded_by=patient.user,
            client_uuid=uuid.uuid4(),
            at_home=True,
            atra_deg_injured=-5,
        )
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "Fill in at least one of the measurements."),
        # The range and its unit, as a patient reads them (Django's "Ensure this value is
        # greater than or equal to 10." named neither the measure's unit nor its other end).
        ({"heel_rise_reps_injured": "-1"}, "Write a number from 0 to 200 reps."),
        ({"calf_cm_injured": "0"}, "Write a number from 10 to 80 cm."),
        ({"calf_cm_injured": "350"}, "Write a number from 10 to 80 cm."),
        (
            {"heel_rise_reps_injured": "30", "heel_rise_reps_uninjured": "10"},
            "please check the two legs are not swapped",
        ),
    ],
)
def test_impossible_values_are_refused_in_plain_words(
    patient: Patient, values: dict[str, str], message: str
) -> None:
    response = client_for(patient.user).post(URL, _data(**values))
    assert response.status_code == 400
    assert message in _form_section(response.text)
    assert "LSI" not in _form_section(response.text)
    assert not Measurement.objects.exists()


def test_nothing_is_recorded_once_care_has_ended(patient: Patient) -> None:
    Patient.objects.filter(pk=patient.pk).update(status=Patient.Status.DISCHARGED)
    response = client_for(patient.user).post(URL, _data(heel_rise_reps_injured="5"))
    assert response.status_code == 400
    assert "Your care here has ended" in response.text
    assert not Measurement.objects.exists()


def test_another_patient_records_only_their_own(patient: Patient, other_patient: Patient) -> None:
    data = _data(heel_rise_reps_injured="5")
    assert client_for(patient.user).post(URL, data).status_code == 302
    # The same client id from another patient: refused, never the first patient's row.
    response = client_for(other_patient.user).post(URL, data)
    assert response.status_code == 400
    assert "The form had expired" in response.text
    assert list(Measurement.objects.values_list("patient_id", flat=True)) == [patient.pk]
    # Their own submit is their own row: the URL names no patient.
    assert client_for(other_patient.user).post(URL, _data(calf_cm_injured="35")).status_code == 302
    assert Measurement.objects.get(calf_cm_injured=35).patient == other_patient


def test_a_clinician_cannot_post_as_a_patient_and_anonymous_signs_in(
    clinician: Clinician, patient: Patient
) -> None:
    data = _data(heel_rise_reps_injured="5")
    assert client_for(clinician.user).post(URL, data).status_code == 404
    response = Client().post(URL, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_for(patient.user).get(URL).status_code == 405
    assert not Measurement.objects.exists()


def test_a_test_the_plan_does_not_allow_yet_is_not_asked_at_home(clinician: Clinician) -> None:
    # From review: ten days after the repair (no weight on the leg) the form told the patient
    # to stand on the injured leg only and rise onto the toes as many times as they can.
    # Single-leg heel raises and walking on the toes are asked from week 12 (clinical.md §2).
    today = timezone.localdate()
    early = factories.PatientFactory(
        clinic=clinician.clinic,
        injury_date=today - dt.timedelta(days=12),
        surgery_date=today - dt.timedelta(days=10),
    )
    client = client_for(early.user)
    form = _form_section(client.get(reverse("rehab:progress"), {"measure": "1"}).text)
    assert "Around your injured lower leg (cm)" in form
    for asked in ("heel_rise_reps_injured", "toe_walk_5m", "as many times as you can"):
        assert asked not in form
    assert "come later in your recovery" in form
    # A value sent for a test not asked is not stored.
    response = client.post(URL, _data(heel_rise_reps_injured="12", calf_cm_injured="35"))
    assert response.status_code == 302
    stored = Measurement.objects.get(patient=early)
    assert (stored.heel_rise_reps_injured, stored.calf_cm_injured) == (None, Decimal(35))


def test_home_single_leg_heel_rise_test_waits_for_the_risk_shifted_week(
    clinician: Clinician,
) -> None:
    """clinical.md §7: "a modifier adds a clinic-set offset to the earliest safe weeks (shipped
    default: +2 weeks for re-rupture/revision …)"; §2: single-leg heel raise, earliest week 12
    on both pathways.

    From review: the form asked for "Heel raises on your injured leg … standing on that leg
    only … as many times as you can" from week 12 for everyone, ignoring the risk modifiers
    every other guardrail applies (``guardrails.earliest_safe_week``): a patient after a
    re-rupture, whose earliest safe week for single-leg heel raises is 14, was asked for a
    to-fatigue single-leg test in week 12. The home test is not asked before the patient's own
    earliest safe week (12 + the risk offset), and a value sent for it is not stored."""
    patient = factories.PatientFactory(
        clinic=clinician.clinic,
        injury_date=timezone.localdate() - dt.timedelta(weeks=12, days=4),
        surgery_date=timezone.localdate() - dt.timedelta(weeks=12, days=2),
        risk_rerupture_or_revision=True,
    )
    assert patient.week_on(patient.local_today()) == 12
    client = client_for(patient.user)
    form = _form_section(client.get(reverse("rehab:progress"), {"measure": "1"}).text)
    assert "heel_rise_reps_injured" not in form
    assert "toe_walk_5m" not in form
    assert "come later in your recovery" in form
    response = client.post(URL, _data(heel_rise_reps_injured="12", calf_cm_injured="35"))
    assert response.status_code == 302
    stored = Measurement.objects.get(patient=patient)
    assert (stored.heel_rise_reps_injured, stored.calf_cm_injured) == (None, Decimal(35))


@pytest.mark.parametrize("plan", [True, False], ids=["plan paused", "no plan to pause"])
def test_no_loading_test_at_home_while_a_red_flag_holds_exercise(
    patient: Patient, plan: bool
) -> None:
    # (from review) After reporting a possible re-rupture (a pop, unable to rise on the toes)
    # the progress page still asked for "as many heel raises as you can" on the injured leg
    # and a walk on the toes, while the banner above said not to exercise.
    if plan:
        factories.PlanFactory(patient=patient)
    factories.red_flags_reported(patient, "rerupture")
    client = client_for(patient.user)
    form = _form_section(client.get(reverse("rehab:progress"), {"measure": "1"}).text)
    assert "Heel raises on your injured leg" not in form
    assert "walk 5 metres on your toes" not in form
    assert "Around your injured lower leg (cm)" in form  # the tape measure is no exercise
    client.post(URL, _data(heel_rise_reps_injured="12", calf_cm_injured="36"))
    stored = Measurement.objects.get(patient=patient)
    assert (stored.heel_rise_reps_injured, stored.calf_cm_injured) == (None, Decimal("36"))


class TestProgressPage:
    """The page itself, for the tests' usual patient (a month after the injury), not this
    module's patient in week 14."""

    @pytest.fixture
    def patient(self, clinician: Clinician) -> Patient:
        return factories.PatientFactory(clinic=clinician.clinic)

    @pytest.fixture
    def rx(self, patient: Patient) -> Prescription:
        _plan, (phase,) = factories.active_plan(patient)
        return factories.PrescriptionFactory(phase=phase, sets=3, reps=10)

    @pytest.fixture
    def me(self, patient: Patient) -> Client:
        return client_for(patient.user)

    def test_progress_shows_streak_history_and_charts(
        self, patient: Patient, me: Client, rx: Prescription
    ) -> None:
        day = patient.local_today()
        factories.ExerciseLogFactory(prescription=rx, date=day, pain=4)
        factories.ExerciseLogFactory(prescription=rx, date=day - dt.timedelta(days=1))
        factories.CheckInFactory(patient=patient, date=day, pain_at_rest=1)
        factories.AtrsResponseFactory(patient=patient, date=day)
        factories.MeasurementFactory(
            patient=patient,
            date=day,
            calf_cm_injured=Decimal("35.0"),
            calf_cm_uninjured=Decimal("37.5"),
        )
        response = me.get(reverse("rehab:progress"))
        html = response.content.decode()
        assert response.context["streak"] == 2
        assert html.count('role="img"') == 6  # 5 charts, and the recovery against the average
        assert html.count('<div class="visually-hidden">') == 6
        assert len(response.context["history"]) == 28
        assert "pain 4/10" in html
        assert rx.exercise.name in html
        # The week with today in it is counted so far (today: what was done, not the rest).
        assert "this week so far" in response.context["charts"]["adherence"].summary

    def test_progress_query_count_is_constant(
        self, patient: Patient, me: Client, django_assert_max_num_queries: Any
    ) -> None:
        _plan, (phase,) = factories.active_plan(patient)
        factories.grow_plan(patient, phase, 2)
        # session, user, patient; adherence (the plan's phase changes with the plan, the logs
        # counted with their pain, prescriptions, red flags' pauses); streak; history; pain
        # (check-ins: the logs are adherence's counts); ATRS; measurements; base.html's
        # user.clinician; +1 audit event; the recovery chart: reference points (it reuses the
        # page's ATRS)
        with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as small:
            me.get(reverse("rehab:progress"))
        factories.grow_plan(patient, phase, 20)
        for n in range(20):
            factories.CheckInFactory(patient=patient, date=patient.local_today() - dt.timedelta(n))
        with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as large:
            me.get(reverse("rehab:progress"))
        assert len(small) == len(large)
