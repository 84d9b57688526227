"""Exporting a patient's whole record (their own; the clinic admin's) and erasing it."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from html import unescape
from typing import Any
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from audit.models import AccessEvent
from clinic.models import Clinician, Invitation, Message, Patient, UserSession
from rehab.models import (
    AtrsRequest,
    AtrsResponse,
    CheckIn,
    Exercise,
    ExerciseLog,
    Measurement,
    PrescriptionMedia,
)
from rehab.models.alerts import Alert, PlanHold
from rehab.models.criteria import (
    CriterionJudgement,
    CriterionKind,
    PlanCriterion,
    ProposalDismissal,
)
from rehab.models.plans import PhaseChange, PlanEdit, Prescription
from rehab.services import patient_erase
from rehab.services.logbook import checkins as checkin_services
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CLINIC_ROUTES = ("rehab:patient_export", "rehab:patient_export_json", "rehab:patient_erase")
MY_ROUTES = ("rehab:my_export", "rehab:my_export_json")


@pytest.fixture
def record(patient: Patient) -> dict[str, Any]:
    """A patient with a bit of everything, with notes that identify them."""
    log = factories.ExerciseLogFactory(
        prescription__phase__plan__patient=patient, note="Sore after the walk to Mum's"
    )
    checkin = factories.CheckInFactory(patient=patient, note="Swollen at work")
    atrs = factories.AtrsResponseFactory(patient=patient)
    measurement = factories.MeasurementFactory(patient=patient, note="Measured by J.")
    alert = factories.AlertFactory(patient=patient)
    message = factories.MessageFactory(patient=patient, body="Hi, this is Jo Bloggs")
    return {
        "log": log,
        "checkin": checkin,
        "atrs": atrs,
        "measurement": measurement,
        "alert": alert,
        "message": message,
    }


def _url(name: str, patient: Patient) -> str:
    return reverse(name, args=[patient.pk])


def _discharged(patient: Patient) -> Patient:
    Patient.objects.filter(pk=patient.pk).update(status=Patient.Status.DISCHARGED)
    patient.refresh_from_db()
    return patient


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLINIC_ROUTES)
def test_clinic_admin_of_the_clinic_may_open(name: str, admin: Clinician, patient: Patient) -> None:
    assert client_for(admin.user).get(_url(name, patient)).status_code == 200


@pytest.mark.parametrize("name", CLINIC_ROUTES)
def test_colleague_clinic_admin_may_open(name: str, admin: Clinician, patient: Patient) -> None:
    colleague_admin = factories.ClinicAdminFactory(clinic=admin.clinic)
    assert client_for(colleague_admin.user).get(_url(name, patient)).status_code == 200


@pytest.mark.parametrize("name", CLINIC_ROUTES)
def test_others_get_404_on_clinic_routes(
    name: str, clinician: Clinician, patient: Patient, other_patient: Patient
) -> None:
    other_admin = factories.ClinicAdminFactory()  # another clinic
    for user in (clinician.user, other_admin.user, patient.user, other_patient.user):
        assert client_for(user).get(_url(name, patient)).status_code == 404
        assert client_for(user).post(_url(name, patient)).status_code in (404, 405)


@pytest.mark.parametrize("name", CLINIC_ROUTES + MY_ROUTES)
def test_anonymous_is_sent_to_sign_in(name: str, patient: Patient) -> None:
    url = _url(name, patient) if name in CLINIC_ROUTES else reverse(name)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", MY_ROUTES)
def test_my_export_is_for_patients_only(name: str, clinician: Clinician, admin: Clinician) -> None:
    for user in (clinician.user, admin.user):
        assert client_for(user).get(reverse(name)).status_code == 404


# --- Content ---------------------------------------------------------------------------------


def test_my_export_json_holds_my_record_and_nothing_of_another_patient(
    patient: Patient, other_patient: Patient, record: dict[str, Any]
) -> None:
    # A surname no generated name shares (two random patients were both "Evans" once).
    other_patient.last_name = "Quillfeather-Oyelaran"
    other_patient.save(update_fields=["last_name"])
    theirs = factories.ExerciseLogFactory(
        prescription__phase__plan__patient=other_patient, note="OTHERS-NOTE"
    )
    factories.MessageFactory(patient=other_patient, body="OTHERS-MESSAGE")

    response = client_for(patient.user).get(reverse("rehab:my_export_json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    # The day where the patient is (the page's time zone is theirs; the server's is UTC).
    assert disposition == (
        f'attachment; filename="rehab-export-{patient.local_today().isoformat()}.json"'
    )
    assert patient.last_name not in disposition
    data = json.loads(response.content)
    assert data["profile"]["id"] == str(patient.pk)
    assert data["profile"]["last_name"] == patient.last_name
    assert [log["id"] for log in data["logs"]] == [str(record["log"].pk)]
    assert data["logs"][0]["date"] == record["log"].date.isoformat()
    assert data["logs"][0]["note"] == "Sore after the walk to Mum's"
    assert [c["id"] for c in data["check_ins"]] == [str(record["checkin"].pk)]
    assert [a["total"] for a in data["atrs"]] == [50]
    assert [m["id"] for m in data["measurements"]] == [str(record["measurement"].pk)]
    assert [a["id"] for a in data["alerts"]] == [str(record["alert"].pk)]
    assert [m["body"] for m in data["messages"]] == ["Hi, this is Jo Bloggs"]
    plan = data["plans"][0]
    assert plan["phases"][0]["prescriptions"][0]["id"] == str(record["log"].prescription_id)
    text = response.content.decode()
    assert str(theirs.pk) not in {log["id"] for log in data["logs"]}
    assert "OTHERS-NOTE" not in text
    assert "OTHERS-MESSAGE" not in text
    assert other_patient.last_name not in text


def test_my_export_page_is_the_callers_own(
    patient: Patient, other_patient: Patient, record: dict[str, Any]
) -> None:
    # A surname no generated name shares (a random "Miller" also named someone else's therapist).
    patient.last_name = "Quillfeather-Oyelaran"
    patient.save(update_fields=["last_name"])
    response = client_for(other_patient.user).get(reverse("rehab:my_export"))
    assert response.status_code == 200
    assert other_patient.last_name in response.content.decode()
    assert "Hi, this is Jo Bloggs" not in response.content.decode()
    assert patient.last_name not in response.content.decode()

    mine = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    assert "Hi, this is Jo Bloggs" in mine
    assert "Sore after the walk" in mine


def test_the_export_page_names_red_flags_in_plain_words(patient: Patient) -> None:
    factories.CheckInFactory(patient=patient, flag_pe=True, flag_rerupture=True)
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    assert "breathlessness, chest pain or coughing blood" in html
    assert "pop or snap, a gap, unable to rise on toes" in html
    assert "calf pain, swelling, warmth or discolouration" not in html


def test_patient_export_leaves_out_draft_plans_the_clinic_export_has_them(
    admin: Clinician, patient: Patient
) -> None:
    factories.PlanFactory(patient=patient, status="draft", name="Draft plan")
    mine = json.loads(client_for(patient.user).get(reverse("rehab:my_export_json")).content)
    clinic = json.loads(
        client_for(admin.user).get(_url("rehab:patient_export_json", patient)).content
    )
    assert mine["plans"] == []
    assert [p["name"] for p in clinic["plans"]] == ["Draft plan"]


def test_clinic_export_json(admin: Clinician, patient: Patient, record: dict[str, Any]) -> None:
    response = client_for(admin.user).get(_url("rehab:patient_export_json", patient))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="rehab-export-')
    data = json.loads(response.content)
    assert [log["id"] for log in data["logs"]] == [str(record["log"].pk)]


def test_links_to_the_exports(admin: Clinician, clinician: Clinician, patient: Patient) -> None:
    page = client_for(admin.user).get(_url("rehab:patient_detail", patient)).content.decode()
    assert _url("rehab:patient_export", patient) in page
    assert _url("rehab:patient_erase", patient) in page
    page = client_for(clinician.user).get(_url("rehab:patient_detail", patient)).content.decode()
    assert _url("rehab:patient_erase", patient) not in page
    page = client_for(patient.user).get(reverse("rehab:my_plan")).content.decode()
    assert reverse("rehab:my_export_json") in page


def _grow(patient: Patient, n: int, *, admin_user: Any = None) -> None:
    """``n`` more of every kind of row the export reads, in a plan with another phase; the
    acts a row records done by ``admin_user`` (none: by nobody stored)."""
    plan = factories.PlanFactory(patient=patient, status="completed")
    start = CheckIn.objects.filter(patient=patient).count()
    for order in range(start, start + n):
        day = timezone.localdate() - dt.timedelta(days=order + 1)  # one check-in a day
        phase = factories.PlanPhaseFactory(plan=plan, order=order)
        rx = factories.PrescriptionFactory(phase=phase)
        log = factories.ExerciseLogFactory(prescription=rx, date=day)
        checkin = factories.CheckInFactory(patient=patient, date=day)
        factories.AlertFactory(patient=patient, log=log, checkin=checkin)
        factories.MeasurementFactory(patient=patient, date=day)
        factories.AtrsResponseFactory(patient=patient, date=day)
        factories.MessageFactory(patient=patient, read_at=timezone.now(), read_by=admin_user)
        # A change made in the plan builder, by someone (named in the clinic's export).
        PlanEdit.objects.create(
            plan=plan,
            version=order + 1,
            action=PlanEdit.Action.RX_ADD,
            phase=phase,
            phase_name=phase.name,
            exercise_name=rx.exercise.name,
            by=admin_user,
        )
        # A resumed pause (one open pause a plan at most), a phase change, an ATRS request.
        PlanHold.objects.create(
            plan=plan, flags=["dvt"], resumed_at=timezone.now(), resume_note="Reviewed"
        )
        PhaseChange.objects.create(plan=plan, to_phase=phase, effective_on=day)
        AtrsRequest.objects.create(patient=patient)
        # An earlier dose, a video filmed for the exercise, a judged exit criterion, a
        # dismissed proposal of the next phase.
        Prescription.objects.filter(pk=rx.pk).update(
            earlier_doses=[{"until": day.isoformat(), "times_per_day": 2, "days_per_week": 5}]
        )
        factories.PrescriptionMediaFactory(prescription=rx, kind="video", description="Side")
        criterion = PlanCriterion.objects.create(
            phase=phase, kind=CriterionKind.CLINICIAN, judged_met=True, judged_at=timezone.now()
        )
        CriterionJudgement.objects.create(
            plan=plan, criterion=criterion, criterion_text="Gait", met=True, by=admin_user
        )
        ProposalDismissal.objects.create(phase=phase, note="Not yet")


@pytest.mark.parametrize("name", CLINIC_ROUTES[:2] + MY_ROUTES)
def test_the_export_query_count_is_constant(
    name: str, admin: Clinician, patient: Patient, django_assert_max_num_queries: Any
) -> None:
    client = client_for(patient.user if name in MY_ROUTES else admin.user)
    url = reverse(name) if name in MY_ROUTES else _url(name, patient)
    Patient.objects.filter(pk=patient.pk).update(therapist=admin)
    _grow(patient, 1, admin_user=admin.user)
    # session, user (+ the clinician or patient), the clinic's name; plans, their phases, their
    # exercises; logs, check-ins, ATRS, measurements, alerts, messages; +1 audit event.
    # (The clinic admin's export: +1 the patient, +1 the admin's clinic.)
    # +3 (a review found them missing): the plans' pauses (PlanHold), their phase changes
    # (PhaseChange), the ATRS requests: one query each, whatever their number.
    # +4 (found missing too): the exercises' photos and videos, the phases' exit criteria, the
    # dismissed proposals of the next phase, the patient's physiotherapist's name.
    # +1 (found missing too): the plans' changes made in the plan builder (PlanEdit). Who made
    # each, and who read each message, are joined in their rows' query: no query more.
    # +1: the judgements given of the exit criteria, each kept (CriterionJudgement).
    # (At most: the plans' query says which kinds they have; a kind none has is not read.)
    with django_assert_max_num_queries(24), CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(patient, 6, admin_user=admin.user)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)


def test_the_export_reads_only_the_kinds_of_rows_a_plan_has(
    admin: Clinician, patient: Patient
) -> None:
    """A plan with phases and exercises only (most plans: no pause, no exit criterion, no
    photo, no change, …) costs the plans' and their phases' and exercises' queries only: the
    plans' query says which kinds each has. Beside a plan with every kind, it gets none."""
    client = client_for(admin.user)
    url = _url("rehab:patient_export_json", patient)
    bare = factories.PlanFactory(patient=patient, status="active")
    factories.PrescriptionFactory(phase=factories.PlanPhaseFactory(plan=bare, order=1))
    with CaptureQueriesContext(connection) as plain:
        assert client.get(url).status_code == 200
    _grow(patient, 1, admin_user=admin.user)
    with CaptureQueriesContext(connection) as grown:
        data = json.loads(client.get(url).content)
    # media, exit criteria, pauses, phase changes, builder changes, judgements, dismissals
    assert len(grown) - len(plain) == 7
    kinds = ("holds", "phase_changes", "edits", "criterion_judgements", "proposal_dismissals")
    by_id = {plan["id"]: plan for plan in data["plans"]}
    bare_plan = by_id.pop(str(bare.pk))
    (other,) = by_id.values()
    assert all(bare_plan[kind] == [] for kind in kinds)
    assert all(other[kind] for kind in kinds)
    (bare_phase,) = bare_plan["phases"]
    assert bare_phase["criteria"] == []
    assert bare_phase["prescriptions"][0]["media"] == []
    assert all(phase["criteria"] for phase in other["phases"])
    assert all(rx["media"] for phase in other["phases"] for rx in phase["prescriptions"])


def test_the_export_holds_each_rows_values_plainly(patient: Patient) -> None:
    plan = factories.PlanFactory(patient=patient, status="active", name="Plan A")
    phase = factories.PlanPhaseFactory(plan=plan, order=1, name="Phase 1")
    rx = factories.PrescriptionFactory(phase=phase, sets=3, reps=12, note="slowly")
    log = factories.ExerciseLogFactory(prescription=rx, pain=None, effort=6)
    checkin = factories.CheckInFactory(patient=patient, flag_wound=True)
    factories.AlertFactory(patient=patient, checkin=checkin, log=log)
    factories.MeasurementFactory(patient=patient, calf_cm_injured="35.5")

    data = json.loads(client_for(patient.user).get(reverse("rehab:my_export_json")).content)

    (exported_plan,) = data["plans"]
    assert exported_plan["name"] == "Plan A"
    assert exported_plan["current_phase"] == _id_or_none(plan.current_phase_id)
    ((exported_phase),) = exported_plan["phases"]
    assert (exported_phase["id"], exported_phase["name"]) == (str(phase.pk), "Phase 1")
    (exported_rx,) = exported_phase["prescriptions"]
    assert exported_rx["exercise"] == rx.exercise.name
    assert (exported_rx["sets"], exported_rx["reps"], exported_rx["note"]) == (3, 12, "slowly")
    (exported_log,) = data["logs"]
    assert exported_log["prescription"] == str(rx.pk)
    assert (exported_log["pain"], exported_log["effort"]) == (None, 6)  # unanswered stays null
    assert exported_log["created_at"] == log.created_at.isoformat()
    assert data["check_ins"][0]["flag_wound"] is True
    assert (data["alerts"][0]["check_in"], data["alerts"][0]["log"]) == (
        str(checkin.pk),
        str(log.pk),
    )
    (measurement,) = data["measurements"]
    assert (measurement["calf_cm_injured"], measurement["heel_rise_lsi"]) == (35.5, 40.0)
    assert data["profile"]["clinic"] == patient.clinic.name


def _id_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)


@pytest.mark.parametrize("name", ["rehab:my_export_json", "rehab:patient_export_json"])
def test_each_log_names_its_exercise_whichever_plan_it_was_in(
    name: str, admin: Clinician, patient: Patient
) -> None:
    """A log's exercise names are taken from the plans' exercises the export holds; a log of
    an exercise it does not hold (here a plan back in draft: not in the patient's own copy)
    still names it, read in one query more, whatever the number of such logs."""
    given = factories.PrescriptionFactory(
        phase__plan__patient=patient, exercise__name="Calf raise", exercise__patient_name="Rises"
    )
    draft = factories.PrescriptionFactory(
        phase__plan=factories.PlanFactory(patient=patient, status="draft"),
        exercise__name="Seated heel raise",
        exercise__patient_name="",
    )
    client = client_for(patient.user if name == "rehab:my_export_json" else admin.user)
    url = reverse(name) if name == "rehab:my_export_json" else _url(name, patient)
    day = timezone.localdate()
    factories.ExerciseLogFactory(prescription=given, date=day)
    factories.ExerciseLogFactory(prescription=draft, date=day - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as one:
        data = json.loads(client.get(url).content)
    assert [(log["exercise"], log["exercise_for_patient"]) for log in data["logs"]] == [
        ("Seated heel raise", ""),
        ("Calf raise", "Rises"),
    ]
    for days in (2, 3):
        factories.ExerciseLogFactory(prescription=draft, date=day - dt.timedelta(days=days))
    with CaptureQueriesContext(connection) as three:
        data = json.loads(client.get(url).content)
    assert [log["exercise"] for log in data["logs"]] == ["Seated heel raise"] * 3 + ["Calf raise"]
    assert len(three) == len(one)


def test_the_export_page_escapes_what_people_wrote_and_dashes_what_they_did_not(
    patient: Patient,
) -> None:
    factories.ExerciseLogFactory(
        prescription__phase__plan__patient=patient, note="<b>sore</b>", pain=None, reps=None
    )
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    assert "&lt;b&gt;sore&lt;/b&gt;" in html
    assert "<b>sore</b>" not in html
    assert "<td>–</td>" in html


# --- What each export holds, and in whose words (a review's findings) -----------------------


@pytest.fixture
def clinical_history(patient: Patient) -> dict[str, Any]:
    """A patient with risk factors, an exercise placed early with the clinician's reason, a
    red flag's pause resumed with the clinician's review note, a phase change and an ATRS
    request."""
    Patient.objects.filter(pk=patient.pk).update(
        risk_diabetes=True, risk_smoking=True, risk_corticosteroids=True
    )
    patient.refresh_from_db()
    plan, (phase,) = factories.active_plan(patient)
    rx = factories.PrescriptionFactory(
        phase=phase, guardrail_reason="GUARDRAIL-NOTE: returning dancer, surgeon agreed"
    )
    hold = PlanHold.objects.create(
        plan=plan,
        flags=["dvt"],
        resumed_at=timezone.now(),
        resume_note="RESUME-NOTE: scan negative for DVT",
    )
    request = AtrsRequest.objects.create(patient=patient)
    return {"plan": plan, "phase": phase, "rx": rx, "hold": hold, "request": request}


def test_admin_export_holds_the_patients_risk_modifiers(admin: Clinician) -> None:
    """The clinic admin's export is everything stored about the patient: it left out the risk
    modifiers (diabetes, smoking, corticosteroids, …), health data that the patient page
    records and that move the earliest safe weeks. (From the review's failing test.)"""
    patient = factories.PatientFactory(
        clinic=admin.clinic, risk_diabetes=True, risk_smoking=True, risk_corticosteroids=True
    )
    response = client_for(admin.user).get(_url("rehab:patient_export_json", patient))
    assert response.status_code == 200
    text = response.content.decode()
    for word in ("diabetes", "smoking", "corticosteroids"):
        assert word in text, f"{word} is not in the export"
    profile = json.loads(text)["profile"]
    assert (profile["risk_diabetes"], profile["risk_augmentation"]) == (True, False)


def test_clinic_export_holds_pauses_phase_changes_atrs_requests_and_clinician_notes(
    admin: Clinician, patient: Patient, clinical_history: dict[str, Any]
) -> None:
    """The clinic admin's JSON holds the plan's pauses (with the review note that resumed
    them), its phase changes, the ATRS requests and why each exercise was placed early."""
    data = json.loads(
        client_for(admin.user).get(_url("rehab:patient_export_json", patient)).content
    )
    (plan,) = data["plans"]
    ((hold),) = plan["holds"]
    assert hold["id"] == str(clinical_history["hold"].pk)
    assert hold["flags"] == ["dvt"]
    assert hold["resume_note"] == "RESUME-NOTE: scan negative for DVT"
    assert hold["resumed_at"] == clinical_history["hold"].resumed_at.isoformat()
    ((change),) = plan["phase_changes"]
    assert change["to_phase"] == str(clinical_history["phase"].pk)
    (rx,) = plan["phases"][0]["prescriptions"]
    assert rx["guardrail_reason"] == "GUARDRAIL-NOTE: returning dancer, surgeon agreed"
    assert data["atrs_requests"] == [
        {
            "id": str(clinical_history["request"].pk),
            "requested_at": clinical_history["request"].requested_at.isoformat(),
            "response": None,
            "requested_by": None,  # nobody stored as asking: nobody named
            "requested_by_name": None,
        }
    ]
    assert data["profile"]["risk_smoking"] is True


def test_clinic_export_page_shows_them_too(
    admin: Clinician, patient: Patient, clinical_history: dict[str, Any]
) -> None:
    html = client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode()
    for text in (
        "Diabetes",
        "Smoking",
        "Systemic or local corticosteroids",
        "GUARDRAIL-NOTE: returning dancer",
        "RESUME-NOTE: scan negative for DVT",
        "Suspected DVT",  # the pause's red flag, in the clinician's words
        "Phase changes",
        "Requests from the clinic to fill it in",
    ):
        assert text in html, text


def test_my_export_holds_my_risk_factors_pauses_and_phase_changes_but_no_clinician_note(
    patient: Patient, clinical_history: dict[str, Any]
) -> None:
    """The patient's own JSON is their copy of their data: their risk factors, their plan's
    pauses and phase changes, the ATRS requests. The clinicians' notes about them (why an
    exercise was placed early, the review note that resumed a pause) are clinician text,
    which design.md keeps off what a patient reads and their API does not give: not there
    (the key is absent, not null: null would say the note is empty)."""
    response = client_for(patient.user).get(reverse("rehab:my_export_json"))
    data = json.loads(response.content)
    assert (data["profile"]["risk_diabetes"], data["profile"]["risk_smoking"]) == (True, True)
    (plan,) = data["plans"]
    ((hold),) = plan["holds"]
    assert (hold["flags"], hold["resumed_at"] is not None) == (["dvt"], True)
    assert "resume_note" not in hold
    assert [c["to_phase"] for c in plan["phase_changes"]] == [str(clinical_history["phase"].pk)]
    (rx,) = plan["phases"][0]["prescriptions"]
    assert "guardrail_reason" not in rx
    assert [r["id"] for r in data["atrs_requests"]] == [str(clinical_history["request"].pk)]
    text = response.content.decode()
    assert "GUARDRAIL-NOTE" not in text
    assert "RESUME-NOTE" not in text


def test_my_export_page_shows_my_risk_factors_and_pauses_in_plain_words(
    patient: Patient, clinical_history: dict[str, Any]
) -> None:
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    for text in ("Diabetes", "Smoking", "Pauses", "Phase changes"):
        assert text in html, text
    # The risk factors in the patient's words, not the clinician's "corticosteroids".
    assert "Steroid medicines or steroid injections" in html
    assert "corticosteroids" not in html.lower()
    plans = _section(html, "plans-heading")
    assert "calf pain, swelling, warmth or discolouration" in plans  # the pause's red flag
    for clinician_text in ("GUARDRAIL-NOTE", "RESUME-NOTE", "Suspected DVT"):
        assert clinician_text not in html, clinician_text


def _section(html: str, heading_id: str) -> str:
    """The <section> whose heading has ``heading_id``."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    assert match, heading_id
    return match.group(0)


# --- Dismissed proposals, judged criteria, media, earlier doses, the physiotherapist ----------

DISMISSAL_NOTE = "DISMISS-NOTE: limping after her fall at work"
CRITERION_LABEL = "CRITERION-LABEL: 20 single-leg heel raises, surgeon's sign-off"
THERAPIST_NAME = "Ngozi Quillfeather-Arbuthnot"


@pytest.fixture
def progression_history(patient: Patient, clinician: Clinician) -> dict[str, Any]:
    """A patient looked after by ``clinician``, in an active plan whose phase has an exercise
    whose dose changed once, with a video filmed for it, two exit criteria (one a clinician's
    judgement, judged not met; one tested from data) and a dismissed proposal of the next
    phase, with the clinician's note why."""
    clinician.user.full_name = THERAPIST_NAME
    clinician.user.save(update_fields=["full_name"])
    Patient.objects.filter(pk=patient.pk).update(therapist=clinician)
    patient.refresh_from_db()
    plan, (phase,) = factories.active_plan(patient)
    rx = factories.PrescriptionFactory(
        phase=phase,
        times_per_day=3,
        days_per_week=7,
        earlier_doses=[{"until": "2026-11-20", "times_per_day": 2, "days_per_week": 5}],
    )
    media = factories.PrescriptionMediaFactory(
        prescription=rx,
        kind="video",
        content_type="video/mp4",
        duration_seconds=12,
        description="Heel raise on the step, side view",
    )
    judged = PlanCriterion.objects.create(
        phase=phase,
        order=1,
        kind=CriterionKind.CLINICIAN,
        label=CRITERION_LABEL,
        judged_met=False,
        judged_at=timezone.now(),
    )
    tested = PlanCriterion.objects.create(
        phase=phase, order=2, kind=CriterionKind.REST_PAIN, threshold=2
    )
    dismissal = ProposalDismissal.objects.create(phase=phase, note=DISMISSAL_NOTE)
    return {
        "plan": plan,
        "phase": phase,
        "rx": rx,
        "media": media,
        "judged": judged,
        "tested": tested,
        "dismissal": dismissal,
    }


def test_clinic_export_json_holds_dismissals_judgements_media_doses_and_therapist(
    admin: Clinician, patient: Patient, progression_history: dict[str, Any]
) -> None:
    """The clinic admin's export left out the dismissed proposals of the next phase (with the
    clinician's note why), the clinicians' judgements of exit criteria, what the photos and
    videos filmed for the patient show, the exercises' earlier doses and the patient's
    physiotherapist: all stored about the patient, all there now."""
    history = progression_history
    text = client_for(admin.user).get(_url("rehab:patient_export_json", patient)).content.decode()
    data = json.loads(text)
    (plan,) = data["plans"]
    assert plan["proposal_dismissals"] == [
        {
            "id": str(history["dismissal"].pk),
            "phase": str(history["phase"].pk),
            "dismissed_at": history["dismissal"].dismissed_at.isoformat(),
            "note": DISMISSAL_NOTE,
            "dismissed_by": None,
            "dismissed_by_name": None,
        }
    ]
    (phase,) = plan["phases"]
    judged, tested = phase["criteria"]
    assert judged == {
        "id": str(history["judged"].pk),
        "order": 1,
        "kind": "clinician",
        "label": CRITERION_LABEL,
        "threshold": None,
        "measure": "",
        "judged_met": False,
        "judged_at": history["judged"].judged_at.isoformat(),
        "judged_by": None,
        "judged_by_name": None,
    }
    assert (tested["kind"], tested["threshold"], tested["judged_met"]) == ("rest_pain", 2.0, None)
    (rx,) = phase["prescriptions"]
    assert rx["earlier_doses"] == [{"until": "2026-11-20", "times_per_day": 2, "days_per_week": 5}]
    assert (rx["times_per_day"], rx["days_per_week"]) == (3, 7)
    (media,) = rx["media"]
    assert media == {
        "id": str(history["media"].pk),
        "kind": "video",
        "description": "Heel raise on the step, side view",
        "content_type": "video/mp4",
        "size": 1000,
        "width": 40,
        "height": 30,
        "duration_seconds": 12,
        "created_at": history["media"].created_at.isoformat(),
        "uploaded_by": None,
        "uploaded_by_name": None,
    }
    assert history["media"].file.name not in text  # what it shows, not the file or its path
    profile = data["profile"]
    assert (profile["therapist"], profile["therapist_name"]) == (
        str(patient.therapist_id),
        THERAPIST_NAME,
    )


def test_clinic_export_page_shows_dismissals_judgements_media_doses_and_therapist(
    admin: Clinician, patient: Patient, progression_history: dict[str, Any]
) -> None:
    html = client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode()
    plans = unescape(_section(html, "plans-heading"))
    for text in (
        "Next-phase proposals dismissed",
        "Not moved on from Stage 0",
        DISMISSAL_NOTE,
        "Exit criteria",
        CRITERION_LABEL,
        "judged not met",
        "Pain at rest at most 2 over the last 7 days",  # the criterion tested from data
        "Filmed for the patient:",
        "Video – Heel raise on the step, side view",
        "3 times a day, 7/7",  # the dose now, beside the earlier one
        "Earlier dose, before 20 Nov 2026: 2 times a day, 5/7",
    ):
        assert text in plans, text
    profile = _section(html, "profile-heading")
    assert "Physiotherapist" in profile
    assert THERAPIST_NAME in profile


def test_an_earlier_dose_on_the_export_page_says_its_sets_when_they_were_kept(
    admin: Clinician, patient: Patient
) -> None:
    """A change of sets alone keeps an earlier dose of the same daily dose: its sets tell it
    from the dose now. An entry kept before the sets were kept reads as it did."""
    _plan, (phase,) = factories.active_plan(patient)
    factories.PrescriptionFactory(
        phase=phase,
        sets=3,
        times_per_day=1,
        days_per_week=7,
        earlier_doses=[
            {"until": "2026-11-20", "times_per_day": 2, "days_per_week": 5},
            {"until": "2026-12-01", "times_per_day": 1, "days_per_week": 7, "sets": 2},
        ],
    )
    html = client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode()
    plans = " ".join(unescape(_section(html, "plans-heading")).split())
    assert "Earlier dose, before 20 Nov 2026: 2 times a day, 5/7" in plans
    assert "Earlier dose, before 1 Dec 2026: 2 sets, 1 time a day, 7/7" in plans


def test_advice_on_the_export_says_so_not_a_dose(patient: Patient) -> None:
    """An education item is advice to read, with no dose for the patient: the patient's record
    read "Keep your boot on, at night too: 1 × 1, 1 time a day, 1/7". The page says it is
    advice; the data keeps the stored dose and says it is advice too."""
    _plan, (phase,) = factories.active_plan(patient)
    boot = factories.ExerciseFactory(
        category=Exercise.Category.EDUCATION,
        patient_name="Keep your boot on, at night too",
        default_sets=1,
        default_reps=1,
        default_days_per_week=1,
    )
    factories.PrescriptionFactory(phase=phase, exercise=boot, sets=1, reps=1, days_per_week=1)
    factories.PrescriptionFactory(phase=phase, sets=2, reps=10)  # an exercise
    client = client_for(patient.user)
    html = client.get(reverse("rehab:my_export")).content.decode()
    plans = " ".join(unescape(_section(html, "plans-heading")).split())
    assert "Keep your boot on, at night too: Advice to read" in plans
    assert "1 × 1" not in plans
    assert "2 sets × 10 reps" in plans  # its dose, as My plan says it
    data = client.get(reverse("rehab:my_export_json")).json()
    (rows,) = [phase["prescriptions"] for plan in data["plans"] for phase in plan["phases"]]
    assert [(row["advice"], row["sets"]) for row in rows] == [(True, 1), (False, 2)]


def test_my_export_json_holds_them_but_not_the_clinicians_note_why(
    patient: Patient, progression_history: dict[str, Any]
) -> None:
    """The patient's copy holds the dismissal (that they were kept in the phase, and when),
    the judgements, the media's descriptions, the earlier doses and their physiotherapist;
    the note the clinician wrote on why they were not moved on is clinician text: its key is
    absent (not null: null would say the note is empty), as for the other clinician notes."""
    history = progression_history
    response = client_for(patient.user).get(reverse("rehab:my_export_json"))
    data = json.loads(response.content)
    (plan,) = data["plans"]
    (dismissal,) = plan["proposal_dismissals"]
    assert dismissal == {
        "id": str(history["dismissal"].pk),
        "phase": str(history["phase"].pk),
        "dismissed_at": history["dismissal"].dismissed_at.isoformat(),
    }
    (phase,) = plan["phases"]
    assert [c["judged_met"] for c in phase["criteria"]] == [False, None]
    (rx,) = phase["prescriptions"]
    assert [dose["until"] for dose in rx["earlier_doses"]] == ["2026-11-20"]
    assert [m["description"] for m in rx["media"]] == ["Heel raise on the step, side view"]
    assert data["profile"]["therapist_name"] == THERAPIST_NAME
    assert "DISMISS-NOTE" not in response.content.decode()


def test_my_export_page_says_them_in_plain_words_without_the_clinicians_note(
    patient: Patient, progression_history: dict[str, Any]
) -> None:
    html = unescape(client_for(patient.user).get(reverse("rehab:my_export")).content.decode())
    plans = _section(html, "plans-heading")
    for text in (
        "Your physiotherapist decided you should stay in Stage 0 a while longer",
        "Your physiotherapist's checks before you move on",
        "not ready to move on yet",
        "Filmed for you by your physiotherapist:",
        "Video – Heel raise on the step, side view",
        "Earlier dose, before 20 Nov 2026: 2 times a day, 5 days a week",
    ):
        assert text in plans, text
    profile = _section(html, "profile-heading")
    assert "Your physiotherapist" in profile
    assert THERAPIST_NAME in profile
    # The clinician's words: their note why, the criteria's own text, the clinic's headings.
    for clinician_text in (
        "DISMISS-NOTE",
        "CRITERION-LABEL",
        "Pain at rest at most",
        "Exit criteria",
        "judged not met",
        "proposals dismissed",
    ):
        assert clinician_text not in html, clinician_text


def test_the_clinic_export_page_names_a_measurement_it_no_longer_knows_by_its_code(
    admin: Clinician, patient: Patient
) -> None:
    """A criterion on a measurement this version no longer has (renamed, removed) is shown by
    its stored code, not a server error."""
    _plan, (phase,) = factories.active_plan(patient)
    PlanCriterion.objects.bulk_create(
        [
            PlanCriterion(
                phase=phase, kind=CriterionKind.MEASUREMENT, threshold=80, measure="old_lsi"
            )
        ]
    )
    response = client_for(admin.user).get(_url("rehab:patient_export", patient))
    assert response.status_code == 200
    assert "old_lsi 80" in _section(response.content.decode(), "plans-heading")


def test_the_export_says_when_no_physiotherapist_is_assigned(
    admin: Clinician, patient: Patient
) -> None:
    assert patient.therapist_id is None
    data = json.loads(client_for(patient.user).get(reverse("rehab:my_export_json")).content)
    assert (data["profile"]["therapist"], data["profile"]["therapist_name"]) == (None, None)
    for html in (
        client_for(patient.user).get(reverse("rehab:my_export")).content.decode(),
        client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode(),
    ):
        assert "Not assigned" in _section(html, "profile-heading")


def test_export_page_alerts_are_not_the_clinicians_jargon(patient: Patient) -> None:
    """A patient who reported breathlessness reads their record: the alerts section showed
    the alert's message, the clinician's label ("Suspected pulmonary embolism: …, pleuritic
    chest pain or haemoptysis"); it is now the red flag's question, the patient's words."""
    factories.active_plan(patient)
    checkin_services.checkin_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        pain_at_rest=None,
        swelling="none",
        red_flags=["pe"],
    )
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    alerts = _section(html, "alerts-heading")
    for jargon in ("haemoptysis", "pleuritic", "Suspected pulmonary embolism"):
        assert jargon not in alerts
    assert "coughing up blood" in alerts


def test_the_clinic_export_page_keeps_the_alerts_clinical_label(
    admin: Clinician, patient: Patient
) -> None:
    factories.active_plan(patient)
    checkin_services.checkin_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        pain_at_rest=None,
        swelling="none",
        red_flags=["pe"],
    )
    html = client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode()
    assert "Suspected pulmonary embolism" in _section(html, "alerts-heading")


def test_export_page_high_pain_alert_names_the_exercise_as_the_patient_reads_it(
    patient: Patient,
) -> None:
    """The high-pain alert's message names the exercise by its clinician name."""
    _plan, (phase,) = factories.active_plan(patient)
    exercise = factories.ExerciseFactory(
        name="Standing gastrocnemius stretch", patient_name="Standing calf stretch"
    )
    rx = factories.PrescriptionFactory(phase=phase, exercise=exercise)
    log = factories.ExerciseLogFactory(prescription=rx, date=patient.local_today(), pain=8)
    factories.AlertFactory(
        patient=patient, kind="high_pain", log=log, message="Pain 8/10 on gastrocnemius"
    )
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    alerts = _section(html, "alerts-heading")
    assert "gastrocnemius" not in alerts
    assert "Standing calf stretch" in alerts


def test_export_page_names_logged_exercises_as_the_patient_reads_them(patient: Patient) -> None:
    """The plan section of the same page said "Standing calf stretch"; the log table said
    "Standing gastrocnemius stretch" (the clinician's name). Both are the patient's now."""
    _plan, (phase,) = factories.active_plan(patient)
    exercise = factories.ExerciseFactory(
        name="Standing gastrocnemius stretch", patient_name="Standing calf stretch"
    )
    rx = factories.PrescriptionFactory(phase=phase, exercise=exercise)
    factories.ExerciseLogFactory(prescription=rx, date=patient.local_today())
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    logs = _section(html, "logs-heading")
    assert "Standing calf stretch" in logs
    assert "gastrocnemius" not in logs


def test_export_page_shows_message_times_in_the_patients_time_zone(
    clinician: Clinician,
) -> None:
    """A patient in Los Angeles wrote at 19:30 on 27 November (their time); their printable
    record dated it "2026-11-28T03:30:00+00:00" (UTC, ISO). It is now their local time, as
    people write it."""
    patient = factories.PatientFactory(clinic=clinician.clinic, timezone="America/Los_Angeles")
    message = factories.MessageFactory(patient=patient, body="Evening question")
    sent = dt.datetime(2026, 11, 28, 3, 30, tzinfo=dt.UTC)  # 27 Nov 19:30 in Los Angeles
    Message.objects.filter(pk=message.pk).update(created_at=sent)
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    messages = _section(html, "messages-heading")
    assert "Evening question" in messages
    assert "2026-11-28" not in messages
    assert "03:30" not in messages
    assert "27" in messages  # the local day
    assert "America/Los_Angeles" in html  # the page says which time zone its times are in


def test_export_page_shows_alert_and_export_times_in_the_patients_time_zone(
    clinician: Clinician,
) -> None:
    patient = factories.PatientFactory(clinic=clinician.clinic, timezone="America/Los_Angeles")
    alert = factories.AlertFactory(patient=patient)
    raised = dt.datetime(2026, 11, 28, 3, 30, tzinfo=dt.UTC)
    Alert.objects.filter(pk=alert.pk).update(created_at=raised)
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    alerts = _section(html, "alerts-heading")
    assert "2026-11-28" not in alerts
    assert "03:30" not in alerts
    assert "+00:00" not in html  # no raw ISO time anywhere on the page (exported at too)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", html)


def test_json_export_keeps_iso_times_with_their_offset(patient: Patient) -> None:
    message = factories.MessageFactory(patient=patient)
    sent = dt.datetime(2026, 11, 28, 3, 30, tzinfo=dt.UTC)
    Message.objects.filter(pk=message.pk).update(created_at=sent)
    data = json.loads(client_for(patient.user).get(reverse("rehab:my_export_json")).content)
    assert data["messages"][0]["created_at"] == "2026-11-28T03:30:00+00:00"


# --- Audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MY_ROUTES)
def test_my_export_is_audited_as_export(name: str, patient: Patient) -> None:
    assert client_for(patient.user).get(reverse(name)).status_code == 200
    events = list(AccessEvent.objects.filter(patient=patient))
    assert [(e.action, e.actor_id, e.what) for e in events] == [
        ("export", patient.user.pk, f"rehab:{name.split(':')[1]}")
    ]


@pytest.mark.parametrize("name", ["rehab:patient_export", "rehab:patient_export_json"])
def test_clinic_export_is_audited_as_export(name: str, admin: Clinician, patient: Patient) -> None:
    assert client_for(admin.user).get(_url(name, patient)).status_code == 200
    events = list(AccessEvent.objects.filter(patient_ref=patient.pk))
    assert [(e.action, e.actor_id, e.actor_role, e.patient_id) for e in events] == [
        ("export", admin.user.pk, "clinician:admin", patient.pk)
    ]


def test_refused_export_is_not_audited(clinician: Clinician, patient: Patient) -> None:
    client_for(clinician.user).get(_url("rehab:patient_export_json", patient))
    assert not AccessEvent.objects.filter(action="export").exists()


# --- Erasure ---------------------------------------------------------------------------------


def _counts(patient: Patient) -> dict[str, int]:
    return {
        "logs": ExerciseLog.objects.filter(patient=patient).count(),
        "checkins": CheckIn.objects.filter(patient=patient).count(),
        "atrs": AtrsResponse.objects.filter(patient=patient).count(),
        "measurements": Measurement.objects.filter(patient=patient).count(),
        "messages": Message.objects.filter(patient=patient).count(),
    }


def _snapshot(patient: Patient) -> tuple[Any, ...]:
    patient.refresh_from_db()
    user = patient.user
    assert user is not None
    user.refresh_from_db()
    return (
        patient.first_name,
        patient.last_name,
        patient.email,
        patient.status,
        user.email,
        user.is_active,
        user.password,
        tuple(Message.objects.filter(patient=patient).values_list("body", flat=True)),
        tuple(ExerciseLog.objects.filter(patient=patient).values_list("note", flat=True)),
    )


def test_erase_refuses_a_patient_not_discharged(
    admin: Clinician, patient: Patient, record: dict[str, Any]
) -> None:
    before = _snapshot(patient)
    response = client_for(admin.user).post(
        _url("rehab:patient_erase", patient), {"confirmation": "ERASE"}
    )
    assert response.status_code == 400
    assert "Only a discharged patient can be erased" in response.content.decode()
    assert _snapshot(patient) == before
    assert not AccessEvent.objects.filter(action="erase").exists()


@pytest.mark.parametrize("typed", ["", "erase", "ERASED", "yes"])
def test_erase_refuses_a_wrong_confirmation(
    typed: str, admin: Clinician, patient: Patient, record: dict[str, Any]
) -> None:
    _discharged(patient)
    before = _snapshot(patient)
    response = client_for(admin.user).post(
        _url("rehab:patient_erase", patient), {"confirmation": typed}
    )
    assert response.status_code == 400
    assert "Type the word ERASE" in response.content.decode()
    assert _snapshot(patient) == before
    assert not AccessEvent.objects.filter(action="erase").exists()


def test_erase_page_of_a_patient_in_care_links_to_where_they_are_discharged(
    admin: Clinician, patient: Patient
) -> None:
    """The words "Discharge the patient first" were a dead end: they link to the details page,
    where the Discharge button is."""
    page = client_for(admin.user).get(_url("rehab:patient_erase", patient)).content.decode()
    assert "Only a discharged patient can be erased" in page
    assert f'href="{_url("clinic:patient_edit", patient)}"' in page


def test_erase_page_says_what_to_type(admin: Clinician, patient: Patient) -> None:
    _discharged(patient)
    page = client_for(admin.user).get(_url("rehab:patient_erase", patient)).content.decode()
    assert "<strong>ERASE</strong>" in page
    assert 'name="confirmation"' in page


def test_erase_anonymises_and_keeps_the_clinical_rows(
    admin: Clinician, patient: Patient, record: dict[str, Any]
) -> None:
    _discharged(patient)
    Patient.objects.filter(pk=patient.pk).update(date_of_birth="1980-01-02")
    user = patient.user
    assert user is not None
    AuthToken.objects.create(user=user)
    Invitation.objects.create(
        patient=patient, token_hash="x" * 64, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    counts = _counts(patient)
    patient_client = client_for(user)
    old_email = user.email
    assert Client().login(email=old_email, password=factories.PASSWORD)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    AccessAttempt.objects.create(
        username=old_email, ip_address="192.0.2.1", user_agent="x", failures_since_start=1
    )
    AccessLog.objects.create(username=old_email, ip_address="192.0.2.1", user_agent="x")
    assert UserSession.objects.filter(user=user).exists()

    response = client_for(admin.user).post(
        _url("rehab:patient_erase", patient), {"confirmation": " ERASE "}
    )

    assert response.status_code == 302
    assert response["Location"] == _url("rehab:patient_detail", patient)
    patient.refresh_from_db()
    user.refresh_from_db()
    assert patient.first_name == "Erased"
    assert patient.last_name == f"patient {patient.pk}"
    assert patient.email == ""
    assert patient.date_of_birth is None
    assert patient.status == Patient.Status.ARCHIVED
    assert user.email == f"erased-{patient.pk}@invalid"
    assert user.full_name == ""
    assert not user.is_active
    assert not user.has_usable_password()
    assert not AuthToken.objects.filter(user=user).exists()
    assert not Invitation.objects.filter(patient=patient).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not AccessAttempt.objects.filter(username__iexact=old_email).exists()
    assert not AccessLog.objects.filter(username__iexact=old_email).exists()
    assert _counts(patient) == counts
    assert set(Message.objects.filter(patient=patient).values_list("body", flat=True)) == {
        "[erased]"
    }
    for model in (ExerciseLog, CheckIn, Measurement):
        assert set(model.objects.filter(patient=patient).values_list("note", flat=True)) == {""}
    assert AtrsResponse.objects.get(pk=record["atrs"].pk).total == 50

    # The patient can no longer sign in, and their open session has ended.
    assert not Client().login(email=user.email, password=factories.PASSWORD)
    assert not Client().login(email=old_email, password=factories.PASSWORD)
    assert patient_client.get(reverse("rehab:today")).status_code == 302

    # The export shows nothing that identifies them.
    data = json.loads(
        client_for(admin.user).get(_url("rehab:patient_export_json", patient)).content
    )
    assert "Jo Bloggs" not in json.dumps(data)
    assert len(data["logs"]) == counts["logs"]


def test_erase_is_audited_as_erase(admin: Clinician, patient: Patient) -> None:
    _discharged(patient)
    client_for(admin.user).post(_url("rehab:patient_erase", patient), {"confirmation": "ERASE"})
    events = list(AccessEvent.objects.filter(patient_ref=patient.pk))
    assert [(e.action, e.actor_id, e.method, e.patient_id) for e in events] == [
        ("erase", admin.user.pk, "POST", patient.pk)
    ]


def test_erase_service_checks_the_actor_and_the_status(
    admin: Clinician, clinician: Clinician, patient: Patient
) -> None:
    with pytest.raises(ValidationError):
        patient_erase(patient=patient, by=admin.user)  # not discharged
    _discharged(patient)
    with pytest.raises(ValidationError):
        patient_erase(patient=patient, by=clinician.user)  # not an admin
    with pytest.raises(ValidationError):
        patient_erase(patient=patient, by=factories.ClinicAdminFactory().user)  # other clinic
    patient.refresh_from_db()
    assert patient.status == Patient.Status.DISCHARGED
    erased = patient_erase(patient=patient, by=admin.user)
    assert erased.full_name == f"Erased patient {patient.pk}"


# --- What erasure leaves of the person (a review's findings) ---------------------------------


def _erase(admin: Clinician, patient: Patient) -> None:
    _discharged(patient)
    response = client_for(admin.user).post(
        reverse("rehab:patient_erase", args=[patient.pk]), {"confirmation": "ERASE"}
    )
    assert response.status_code == 302


def test_erase_removes_the_patients_own_photos_and_videos(
    admin: Clinician, patient: Patient, django_capture_on_commit_callbacks: Any
) -> None:
    """A photo or video made for the patient's prescription ("filmed in the session") shows
    the person: erasure must not keep it (nor its description, nor the stored files)."""
    media = factories.PrescriptionMediaFactory(
        prescription__phase__plan__patient=patient, description="Jo Bloggs, filmed in clinic"
    )
    storage, names = media.file.storage, [media.file.name, media.thumbnail.name]
    assert all(storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        _erase(admin, patient)

    assert not PrescriptionMedia.objects.filter(prescription__phase__plan__patient=patient).exists()
    assert not any(storage.exists(name) for name in names)


@pytest.mark.django_db(transaction=True)  # the files go at the real commit, in the request
def test_erase_with_the_storage_failing_is_answered_and_audited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The files of the patient's photos and videos are deleted once the erasure is
    committed; a storage failing then (S3 unreachable) turned the committed erasure into a
    500, with no ``erase`` row in the audit trail and a retry refused ("only a discharged
    patient"). The failure is logged and the erasure answered and audited as usual."""
    clinic = factories.ClinicFactory()
    admin = factories.ClinicAdminFactory(clinic=clinic)
    patient = factories.PatientFactory(clinic=clinic, status=Patient.Status.DISCHARGED)
    media = factories.PrescriptionMediaFactory(prescription__phase__plan__patient=patient)
    storage = storages["default"]  # the storage behind ``media.file.storage``
    names = [media.file.name, media.thumbnail.name]
    client = client_for(admin.user)
    client.raise_request_exception = False

    with mock.patch.object(
        type(storage), "delete", autospec=True, side_effect=OSError("storage unreachable")
    ) as delete:
        response = client.post(
            reverse("rehab:patient_erase", args=[patient.pk]), {"confirmation": "ERASE"}
        )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.full_name == f"Erased patient {patient.pk}"
    assert list(AccessEvent.objects.values_list("action", "patient_ref")) == [("erase", patient.pk)]
    assert sorted(call.args[1] for call in delete.call_args_list) == sorted(names)
    assert all(name in caplog.text for name in names)
    for name in names:  # what the storage would have deleted
        storage.delete(name)


def test_erase_clears_the_clinicians_free_text_about_the_patient(
    admin: Clinician, patient: Patient
) -> None:
    """Erasure clears the notes on logs, check-ins, measurements and prescriptions, but not the
    other free text clinicians wrote about the person: the review note of a red-flag hold, the
    reason for not progressing, the reason for an exercise before its safe week."""
    plan, (phase,) = factories.active_plan(patient)
    prescription = factories.PrescriptionFactory(
        phase=phase, guardrail_reason="Jo Bloggs insisted, marathon on 3 May"
    )
    hold = PlanHold.objects.create(
        plan=plan,
        flags=["calf_pain"],
        resumed_at=timezone.now(),
        resume_note="Phoned Jo Bloggs; DVT ruled out at St Mary's",
    )
    dismissal = ProposalDismissal.objects.create(
        phase=phase, note="Jo Bloggs still limping after her fall at work"
    )

    _erase(admin, patient)

    texts = [
        Prescription.objects.get(pk=prescription.pk).guardrail_reason,
        PlanHold.objects.get(pk=hold.pk).resume_note,
        ProposalDismissal.objects.get(pk=dismissal.pk).note,
    ]
    assert not [text for text in texts if "Jo Bloggs" in text]


def test_erased_patients_access_history_no_longer_names_them(
    admin: Clinician, patient: Patient
) -> None:
    """The audit trail is append-only: a patient's own reads keep no name or address of
    theirs, which would outlive the erasure (the row's patient says who)."""
    user = patient.user
    assert user is not None
    old_email, old_name = user.email, user.full_name
    assert client_for(user).get(reverse("rehab:my_plan")).status_code in (200, 302)
    event = AccessEvent.objects.get(patient_ref=patient.pk)
    assert (event.actor_id, event.actor_role, event.actor_email, event.actor_name) == (
        user.pk,
        "patient",
        "",
        "",
    )
    page = client_for(admin.user).get(reverse("audit:patient_history", args=[patient.pk]))
    assert "The patient" in page.content.decode()

    _erase(admin, patient)

    page = client_for(admin.user).get(reverse("audit:patient_history", args=[patient.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert old_email not in body
    assert old_name not in body


def test_erase_leaves_no_name_in_the_admins_change_log(
    admin: Clinician, patient: Patient, staff_client: Client
) -> None:
    """Site staff corrected the patient's email in the Django admin: its change log
    (``LogEntry.object_repr``, shown under "Recent actions" and the object's history) keeps
    the patient's full name after erasure."""
    old_name = patient.full_name
    url = reverse("admin:clinic_patient_change", args=[patient.pk])
    response = staff_client.post(
        url,
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": "",
            "email": "corrected@example.org",
            "user": patient.user_id,
            "timezone": patient.timezone,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert LogEntry.objects.filter(object_id=str(patient.pk), object_repr=old_name).exists()

    _erase(admin, patient)

    assert not LogEntry.objects.filter(object_repr=old_name).exists()
    assert LogEntry.objects.filter(object_id=str(patient.pk)).get().object_repr.startswith("Erased")


def test_erase_leaves_no_name_or_address_in_the_admins_change_log_of_the_account(
    admin: Clinician, patient: Patient, staff_client: Client
) -> None:
    """Site staff corrected the patient's sign-in address in the Django admin: the account's
    change log (``LogEntry.object_repr`` is ``str(user)``, the full name or else the email)
    kept the patient's name after erasure; only the patient's own change log was renamed."""
    user = patient.user
    assert user is not None
    old_name = user.full_name
    response = staff_client.post(
        reverse("admin:clinic_user_change", args=[user.pk]),
        {"email": "corrected@example.org", "full_name": old_name, "is_active": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert LogEntry.objects.filter(object_id=str(user.pk), object_repr=old_name).exists()

    _erase(admin, patient)

    assert not LogEntry.objects.filter(object_repr__icontains=old_name).exists()
    assert not LogEntry.objects.filter(object_repr__icontains="corrected@").exists()
    assert not LogEntry.objects.filter(change_message__icontains="corrected@").exists()


def test_erase_marks_the_patients_messages_read(admin: Clinician, patient: Patient) -> None:
    """Nothing is left to answer: the clinic's unread lists and digests no longer list it."""
    factories.MessageFactory(patient=patient, from_patient=True, body="Jo here, my calf hurts")
    _erase(admin, patient)
    assert not Message.objects.filter(patient=patient, read_at__isnull=True).exists()


def test_my_printable_record_shows_words_and_dates_not_codes(patient: Patient) -> None:
    # The printable record showed the stored codes ("left", "operative", "active", "mild") and
    # ISO dates ("2026-11-04"), and headed the questionnaire "ATRS scores": the patient reads
    # the choices' labels, dates as the language writes them, and no abbreviation.
    Patient.objects.filter(pk=patient.pk).update(
        injured_side=Patient.Side.LEFT, injury_date=dt.date(2026, 11, 4)
    )
    factories.active_plan(patient)
    factories.CheckInFactory(patient=patient, swelling="mild", date=patient.local_today())
    factories.AtrsResponseFactory(patient=patient)
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert "4 Nov 2026" in text
    assert "2026-11-04" not in text
    for label in (Patient.Side.LEFT.label, Patient.Pathway.OPERATIVE.label, "Mild"):
        assert str(label) in text, label
    for code in (">left<", ">operative<", ">mild<", ">active<"):
        assert code not in html.replace(" ", "").replace("\n", ""), code
    assert not re.search(r"\bATRS\b", text)  # a word, not a random token's letters
    assert "Achilles questionnaire scores" in text


# --- Who did what: the clinic's export names the person beside each "when" -------------------

WHO_NAME = "Ifeoma Lindqvist-Obi"


@pytest.fixture
def deeds(patient: Patient, clinician: Clinician) -> dict[str, Any]:
    """Each row the export holds that records a person's act, done by ``clinician`` (named
    WHO_NAME): the plan made, the phase change, the pause resumed, the exit criterion judged,
    the proposal dismissed, the video uploaded, the alert acknowledged, the ATRS asked for,
    the measurement recorded, a message written; and one alert nobody has acknowledged yet
    (nobody is named: nobody is invented)."""
    user = clinician.user
    user.full_name = WHO_NAME
    user.save(update_fields=["full_name"])
    now = timezone.now()
    plan, (phase,) = factories.active_plan(patient, created_by=user)
    PhaseChange.objects.filter(plan=plan).update(changed_by=user)
    rx = factories.PrescriptionFactory(phase=phase)
    media = factories.PrescriptionMediaFactory(prescription=rx, uploaded_by=user)
    alerts = [
        factories.AlertFactory(patient=patient, acknowledged_at=now, acknowledged_by=user),
        factories.AlertFactory(patient=patient),
    ]
    return {
        "user": user,
        "plan": plan,
        "media": media,
        "alerts": alerts,
        "hold": PlanHold.objects.create(
            plan=plan, flags=["dvt"], resumed_at=now, resumed_by=user, resume_note="Reviewed"
        ),
        "criterion": PlanCriterion.objects.create(
            phase=phase,
            kind=CriterionKind.CLINICIAN,
            label="Walks without the boot",
            judged_met=True,
            judged_at=now,
            judged_by=user,
        ),
        "dismissal": ProposalDismissal.objects.create(
            phase=phase, note="Not yet", dismissed_by=user
        ),
        "request": AtrsRequest.objects.create(patient=patient, requested_by=user),
        "measurement": factories.MeasurementFactory(patient=patient, recorded_by=user),
        "message": factories.MessageFactory(patient=patient, author=user, from_patient=False),
        "read": factories.MessageFactory(
            patient=patient, from_patient=True, read_at=now, read_by=user
        ),
        "edit": PlanEdit.objects.create(
            plan=plan,
            version=plan.version + 1,
            action=PlanEdit.Action.PHASE_EDIT,
            phase=phase,
            phase_name=phase.name,
            by=user,
        ),
    }


def test_clinic_export_json_says_who_did_each_thing(
    admin: Clinician, patient: Patient, deeds: dict[str, Any]
) -> None:
    """The clinic admin's export said when an alert was acknowledged, a criterion judged, a
    video uploaded (and a pause resumed, a proposal dismissed, …) but not by whom, though
    each row stores it: now each has ``<act>_by`` (the account's id, an opaque string like
    the export's other ids) and ``<act>_by_name`` (the name the account shows)."""
    data = json.loads(
        client_for(admin.user).get(_url("rehab:patient_export_json", patient)).content
    )
    who = {"id": str(deeds["user"].pk), "name": WHO_NAME}

    def by(row: dict[str, Any], act: str) -> dict[str, Any]:
        return {"id": row[f"{act}_by"], "name": row[f"{act}_by_name"]}

    (plan,) = data["plans"]
    assert by(plan, "created") == who
    (change,) = plan["phase_changes"]
    assert by(change, "changed") == who
    (hold,) = plan["holds"]
    assert by(hold, "resumed") == who
    assert hold["resumed_at"] == deeds["hold"].resumed_at.isoformat()
    (dismissal,) = plan["proposal_dismissals"]
    assert by(dismissal, "dismissed") == who
    (phase,) = plan["phases"]
    (criterion,) = phase["criteria"]
    assert by(criterion, "judged") == who
    assert criterion["judged_at"] == deeds["criterion"].judged_at.isoformat()
    (rx,) = phase["prescriptions"]
    (media,) = rx["media"]
    assert by(media, "uploaded") == who
    assert media["created_at"] == deeds["media"].created_at.isoformat()
    acknowledged, still_open = data["alerts"]
    assert by(acknowledged, "acknowledged") == who
    assert acknowledged["acknowledged_at"] == deeds["alerts"][0].acknowledged_at.isoformat()
    assert by(still_open, "acknowledged") == {"id": None, "name": None}
    (request,) = data["atrs_requests"]
    assert by(request, "requested") == who
    (measurement,) = data["measurements"]
    assert by(measurement, "recorded") == who
    message, read = data["messages"]
    assert {"id": message["author"], "name": message["author_name"]} == who
    assert by(message, "read") == {"id": None, "name": None}  # the patient has not read it
    assert by(read, "read") == who
    assert read["read_at"] == deeds["read"].read_at.isoformat()
    (edit,) = plan["edits"]
    assert {"id": edit["by"], "name": edit["by_name"]} == who
    assert edit["at"] == deeds["edit"].at.isoformat()


def test_my_export_leaves_out_who_at_the_clinic_did_each_thing(
    patient: Patient, deeds: dict[str, Any]
) -> None:
    """The patient's own copy keeps the clinic's staff out, as before: no ``…_by`` keys (nor
    the ``by`` of a change made in the plan builder)."""
    response = client_for(patient.user).get(reverse("rehab:my_export_json"))
    assert response.status_code == 200
    assert "_by" not in response.content.decode()
    (plan,) = json.loads(response.content)["plans"]
    assert [set(edit) & {"by", "by_name"} for edit in plan["edits"]] == [set()]
    assert WHO_NAME not in response.content.decode()


def test_clinic_export_page_says_who_did_each_thing(
    admin: Clinician, patient: Patient, deeds: dict[str, Any]
) -> None:
    html = unescape(
        client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode()
    )
    alerts = _section(html, "alerts-heading")
    assert re.search(rf"\(seen [^)]* by {WHO_NAME}\)", alerts)
    plans = _section(html, "plans-heading")
    for act in ("judged met", "resumed", "Not moved on from", "added", "version"):
        assert re.search(rf"{act}[^<]* by {WHO_NAME}", plans), act
    messages = _section(html, "messages-heading")
    assert re.search(rf"\(read [^)]* by {WHO_NAME}\)", messages)
    mine = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    assert WHO_NAME not in unescape(mine)


# --- The plan's change log: each change made in the plan builder (a review's finding) --------

BUILDER_NAME = "Oluwaseun Haraldsdottir-Pike"


@pytest.fixture
def plan_edits(patient: Patient, clinician: Clinician) -> dict[str, Any]:
    """An active plan with two changes made in the plan builder by ``clinician`` (named
    BUILDER_NAME): an exercise added to its phase, then a phase removed (the edit keeps the
    phase's name; its phase is null); and a draft plan with a change of its own."""
    user = clinician.user
    user.full_name = BUILDER_NAME
    user.save(update_fields=["full_name"])
    plan, (phase,) = factories.active_plan(patient)
    exercise = factories.ExerciseFactory(
        name="Standing gastrocnemius stretch", patient_name="Standing calf stretch"
    )
    added = PlanEdit.objects.create(
        plan=plan,
        version=2,
        action=PlanEdit.Action.RX_ADD,
        phase=phase,
        phase_name=phase.name,
        exercise_name=exercise.name,
        by=user,
    )
    removed = PlanEdit.objects.create(
        plan=plan,
        version=3,
        action=PlanEdit.Action.PHASE_REMOVE,
        phase=None,
        phase_name="Stage 9",
        by=None,  # nobody stored: nobody named
    )
    draft = factories.PlanFactory(patient=patient, status="draft", name="Draft plan")
    PlanEdit.objects.create(plan=draft, version=2, action=PlanEdit.Action.RENAME, by=user)
    return {"plan": plan, "phase": phase, "added": added, "removed": removed}


def test_clinic_export_json_holds_the_plans_change_log_and_who_made_each_change(
    admin: Clinician, patient: Patient, plan_edits: dict[str, Any]
) -> None:
    """The plan builder records each change (``PlanEdit``: the version it made, what, the
    phase and exercise as they were named then, who, when); neither export held them."""
    data = json.loads(
        client_for(admin.user).get(_url("rehab:patient_export_json", patient)).content
    )
    plan, draft = data["plans"]
    assert plan["edits"] == [
        {
            "id": str(plan_edits["added"].pk),
            "version": 2,
            "action": "rx_add",  # stored codes, as the export's other choices
            "phase": str(plan_edits["phase"].pk),
            "phase_name": "Stage 0",
            "exercise_name": "Standing gastrocnemius stretch",
            "at": plan_edits["added"].at.isoformat(),
            "by": str(plan_edits["added"].by_id),
            "by_name": BUILDER_NAME,
        },
        {
            "id": str(plan_edits["removed"].pk),
            "version": 3,
            "action": "phase_remove",
            "phase": None,
            "phase_name": "Stage 9",
            "exercise_name": "",
            "at": plan_edits["removed"].at.isoformat(),
            "by": None,
            "by_name": None,
        },
    ]
    assert [edit["action"] for edit in draft["edits"]] == ["rename"]


def test_my_export_json_holds_my_plans_change_log_without_who(
    patient: Patient, plan_edits: dict[str, Any]
) -> None:
    """The patient's copy: what was changed in their plan, and when; not who at the clinic
    (as for the other acts), nor the changes of a draft they were never given."""
    response = client_for(patient.user).get(reverse("rehab:my_export_json"))
    (plan,) = json.loads(response.content)["plans"]
    assert plan["edits"] == [
        {
            "id": str(plan_edits["added"].pk),
            "version": 2,
            "action": "rx_add",
            "phase": str(plan_edits["phase"].pk),
            "phase_name": "Stage 0",
            "exercise_name": "Standing gastrocnemius stretch",
            "at": plan_edits["added"].at.isoformat(),
        },
        {
            "id": str(plan_edits["removed"].pk),
            "version": 3,
            "action": "phase_remove",
            "phase": None,
            "phase_name": "Stage 9",
            "exercise_name": "",
            "at": plan_edits["removed"].at.isoformat(),
        },
    ]
    assert BUILDER_NAME not in response.content.decode()


def test_clinic_export_page_lists_the_plans_changes_and_who_made_them(
    admin: Clinician, patient: Patient, plan_edits: dict[str, Any]
) -> None:
    html = client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode()
    plans = unescape(_section(html, "plans-heading"))
    assert "Changes made in the plan builder" in plans
    assert re.search(
        rf"Exercise added – Standing gastrocnemius stretch, in Stage 0 \(version 2, [^)]+ by "
        rf"{BUILDER_NAME}\)",
        plans,
    )
    assert re.search(r"Phase removed – Stage 9 \(version 3, [^)]+\)", plans)


def test_my_export_page_lists_my_plans_changes_in_plain_words(
    patient: Patient, plan_edits: dict[str, Any]
) -> None:
    """The patient reads what changed and when, their phase by its patient name when it is
    still in the plan; not who at the clinic, nor the clinician's name of an exercise."""
    phase = plan_edits["phase"]
    phase.patient_name = "First weeks in the boot"
    phase.save(update_fields=["patient_name"])
    html = unescape(client_for(patient.user).get(reverse("rehab:my_export")).content.decode())
    plans = _section(html, "plans-heading")
    assert "Changes to your plan" in plans
    assert re.search(r"Exercise added, in First weeks in the boot \([^)]+\)", plans)
    assert "Phase removed" in plans
    for clinic_text in (BUILDER_NAME, "gastrocnemius", "version 2", "plan builder"):
        assert clinic_text not in html, clinic_text


def test_my_export_page_says_each_dose_as_my_plan_does(patient: Patient) -> None:
    """The patient's copy read "Standing on one leg: 3 × –, 30 s, 3 times a day, 7/7" and
    "Earlier dose, before …: 2 times a day, 5/7": a dash for no reps and the clinic's "7/7"
    shorthand. It says each dose as My plan does now ("3 holds of 30 seconds, 3 times a day"), and an
    earlier one's days in words."""
    _plan, (phase,) = factories.active_plan(patient)
    factories.PrescriptionFactory(
        phase=phase,
        sets=3,
        reps=None,
        hold_seconds=30,
        times_per_day=3,
        days_per_week=7,
        earlier_doses=[{"until": "2026-11-20", "times_per_day": 2, "days_per_week": 5}],
    )
    factories.PrescriptionFactory(phase=phase, sets=2, reps=10, times_per_day=1, days_per_week=7)
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    plans = " ".join(unescape(_section(html, "plans-heading")).split())
    assert "3 holds of 30 seconds, 3 times a day" in plans
    assert "2 sets × 10 reps" in plans
    assert "Earlier dose, before 20 Nov 2026: 2 times a day, 5 days a week" in plans
    for shorthand in ("/7", "× –", "1 time a day", "30 s hold"):
        assert shorthand not in plans, shorthand


def test_the_export_keeps_each_judgement_of_a_criterion_after_it_was_cleared(
    admin: Clinician, clinician: Clinician, patient: Patient
) -> None:
    """A criterion judged met, then set back to "Not judged": the export said nothing of the
    judgement any more. Both copies keep each judgement now (the clinic's names who gave it;
    the patient's, as their pages, says "your physiotherapist"), the page too."""
    clinician.user.full_name = THERAPIST_NAME
    clinician.user.save(update_fields=["full_name"])
    _plan, (phase,) = factories.active_plan(patient)
    criterion = PlanCriterion.objects.create(
        phase=phase, kind=CriterionKind.CLINICIAN, label=CRITERION_LABEL
    )
    url = reverse("rehab:criterion_judge", args=[criterion.pk])
    client_for(clinician.user).post(url, {"met": "yes"})
    client_for(clinician.user).post(url, {"met": "clear"})

    clinic = client_for(admin.user).get(_url("rehab:patient_export_json", patient)).json()
    (plan,) = clinic["plans"]
    met, cleared = plan["criterion_judgements"]
    assert (met["met"], met["by_name"], met["criterion_text"]) == (
        True,
        THERAPIST_NAME,
        CRITERION_LABEL,
    )
    assert (cleared["met"], cleared["by_name"]) == (None, THERAPIST_NAME)
    mine = client_for(patient.user).get(reverse("rehab:my_export_json")).json()
    (plan,) = mine["plans"]
    assert [j["met"] for j in plan["criterion_judgements"]] == [True, None]
    assert "by_name" not in plan["criterion_judgements"][0]
    assert THERAPIST_NAME not in json.dumps(mine)

    html = client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode()
    plans = " ".join(unescape(_section(html, "plans-heading")).split())
    assert "Exit criteria judged" in plans
    assert f"{CRITERION_LABEL}: judged met" in plans
    assert f"by {THERAPIST_NAME}" in plans
    assert f"{CRITERION_LABEL}: judgement withdrawn" in plans
    html = client_for(patient.user).get(reverse("rehab:my_export")).content.decode()
    plans = " ".join(unescape(_section(html, "plans-heading")).split())
    assert "ready to move on" in plans
    assert THERAPIST_NAME not in plans


def test_a_check_in_question_left_unanswered_reads_as_a_dash_not_none(
    admin: Clinician, patient: Patient
) -> None:
    """Pain at rest is optional (stored as null when not answered): the record's check-in table
    showed the word "None" for it, on the patient's page and the clinic's. It reads "–", as an
    unanswered value does in the log table."""
    factories.active_plan(patient)
    checkin_services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=None, swelling="none"
    )
    for html in (
        client_for(patient.user).get(reverse("rehab:my_export")).content.decode(),
        client_for(admin.user).get(_url("rehab:patient_export", patient)).content.decode(),
    ):
        row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", _section(html, "checkins-heading"), re.S)
        assert row, "no check-in row"
        cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
        assert cells[1] == "–"  # pain at rest (the swelling's answer "None" is a real answer)
