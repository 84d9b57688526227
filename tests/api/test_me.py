"""/me/ and /me/today/: who is signed in, and the patient's Today page as data."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from clinic.services import patients as patient_services
from core.ids import opaque
from rehab import clinical
from rehab.models import Alert, CheckIn, PlanHold
from rehab.services import holds
from tests import factories
from tests.api.conftest import World, assert_matrix, body

CITATION = "Barfod 2016, Trials, PMC5127004"
CLINICIAN_SUMMARY = "Eccentric gastrocnemius-soleus loading, dorsiflexion to neutral only."
CLINICIAN_SAFETY = "Avoid dorsiflexion past neutral before week 8 (Willits 2010 Table E-1)."
# The patient's answers that hold their plan's exercises and phases.
PATIENT_URLS = ("/api/v1/me/today/", "/api/v1/me/plan/", "/api/v1/plans/{plan}/")


def test_me_for_each_role(world: World) -> None:
    roles = {
        who: body(world.client(who).get("/api/v1/me/"))["role"]
        for who in ("patient", "clinician", "staff")
    }
    assert roles == {"patient": "patient", "clinician": "clinician", "staff": "staff"}
    assert world.client("anonymous").get("/api/v1/me/").status_code == 401


def test_today_matrix(world: World) -> None:
    assert_matrix(
        world,
        "get",
        "/api/v1/me/today/",
        {"anonymous": 401, "patient": 200, "other_patient": 200, "clinician": 403, "staff": 403},
    )


def test_today_lists_the_phase_exercises_with_todays_logs(world: World) -> None:
    factories.ExerciseLogFactory(prescription=world.prescription, date=world.patient.local_today())
    data = body(world.client("patient").get("/api/v1/me/today/"))
    assert data["plan"]["id"] == opaque(world.plan.pk)
    assert data["phase"]["id"] == opaque(world.phase.pk)
    [item] = data["items"]
    assert item["prescription"]["exercise"]["steps"] == world.exercise.steps
    assert item["sessions_done"] == 1
    assert len(item["logs"]) == 1
    assert data["disclaimer"]


def test_today_without_a_plan(world: World) -> None:
    data = body(world.client("other_patient").get("/api/v1/me/today/"))
    assert (data["plan"], data["phase"], data["items"]) == (None, None, [])


# --- The patient's words in the patient's answers (from review) -----------------------------


def test_the_clinicians_reason_for_an_early_exercise_stays_with_the_clinician(
    world: World,
) -> None:
    # Why an exercise was placed before its earliest safe week is a clinician's note: the
    # patient's pages never show it, and neither do the patient's API answers.
    reason = "Consultant agreed early loading; re-rupture risk discussed"
    world.prescription.guardrail_reason = reason
    world.prescription.save()
    patient = world.client("patient")
    for url in ("/api/v1/me/today/", "/api/v1/me/plan/", f"/api/v1/plans/{opaque(world.plan.pk)}/"):
        response = patient.get(url)
        assert response.status_code == 200, url
        assert reason not in response.content.decode(), url
    phases = body(world.client("clinician").get(f"/api/v1/plans/{opaque(world.plan.pk)}/"))[
        "phases"
    ]
    assert phases[0]["prescriptions"][0]["guardrail_reason"] == reason


def test_a_log_names_its_exercise_in_its_readers_words(world: World) -> None:
    world.exercise.name = "Standing gastrocnemius stretch"
    world.exercise.patient_name = "Standing calf stretch"
    world.exercise.save()
    # Of the patient's today, which Today shows (the factory's default is the server's, UTC:
    # from 23:00 to midnight in British Summer Time the day before the patient's).
    factories.ExerciseLogFactory(
        prescription=world.prescription, patient=world.patient, date=world.patient.local_today()
    )
    mine = body(world.client("patient").get("/api/v1/logs/"))["results"]
    assert [log["exercise_name"] for log in mine] == ["Standing calf stretch"]
    today = body(world.client("patient").get("/api/v1/me/today/"))
    assert today["items"][0]["logs"][0]["exercise_name"] == "Standing calf stretch"
    theirs = body(world.client("clinician").get("/api/v1/logs/"))["results"]
    assert [log["exercise_name"] for log in theirs] == ["Standing gastrocnemius stretch"]


@pytest.mark.parametrize("url", PATIENT_URLS)
def test_patient_answers_carry_no_exercise_citation_or_clinician_text(
    world: World, url: str
) -> None:
    # An exercise's ``source`` (a citation), its clinician ``summary`` and its clinician
    # ``safety_notes`` were in every reader's /me/today/, /me/plan/ and /plans/{id}/. Patients
    # never see citations or clinician text (design.md "Patients read plain words", clinical.md
    # §8): a patient's answer has them null, as it has ``guardrail_reason``.
    world.exercise.source = CITATION
    world.exercise.summary = CLINICIAN_SUMMARY
    world.exercise.safety_notes = [CLINICIAN_SAFETY]
    world.exercise.save()
    response = world.client("patient").get(url.format(plan=opaque(world.plan.pk)))
    assert response.status_code == 200
    text = response.content.decode()
    leaked = [t for t in (CITATION, CLINICIAN_SUMMARY, CLINICIAN_SAFETY) if t in text]
    assert leaked == [], f"{url} shows the patient clinician text: {leaked}"


@pytest.mark.parametrize("url", PATIENT_URLS)
def test_patient_answers_carry_no_clinician_phase_text(world: World, url: str) -> None:
    # A phase's ``goals``, ``precautions``, ``weight_bearing``, ``boot``, ``wedges`` and
    # ``exit_criteria`` are the clinician's ("patients never see them", PhaseFields): a
    # patient's answer holds the phase's patient fields (and its dates) only.
    world.phase.goals = "Restore dorsiflexion ROM to neutral; gastrocnemius activation"
    world.phase.precautions = "No dorsiflexion beyond neutral (Table E-1, fernandoaranmd.com)"
    world.phase.exit_criteria = "LSI heel-rise reps >= 90% (Silbernagel 2010)"
    world.phase.save()
    response = world.client("patient").get(url.format(plan=opaque(world.plan.pk)))
    assert response.status_code == 200
    text = response.content.decode()
    leaked = [
        t
        for t in (world.phase.goals, world.phase.precautions, world.phase.exit_criteria)
        if t in text
    ]
    assert leaked == [], f"{url} shows the patient the clinician's phase text: {leaked}"


def test_a_patient_reads_the_exercise_and_the_phase_by_their_patient_names(
    world: World,
) -> None:
    # The clinician's names keep the exact terms; the patient's are the patient's (the
    # clinician's name only where no patient name is written, as on the patient's pages).
    world.exercise.name = "Standing gastrocnemius stretch"
    world.exercise.patient_name = "Standing calf stretch"
    world.exercise.save()
    world.phase.name = "Protected weight-bearing, dorsiflexion to neutral"
    world.phase.patient_name = ""
    world.phase.save()
    today = body(world.client("patient").get("/api/v1/me/today/"))
    exercise = today["items"][0]["prescription"]["exercise"]
    assert (exercise["name"], exercise["patient_name"]) == (None, "Standing calf stretch")
    assert (today["phase"]["name"], today["phase"]["patient_name"]) == (None, world.phase.name)
    plan = body(world.client("clinician").get(f"/api/v1/plans/{opaque(world.plan.pk)}/"))
    assert plan["phases"][0]["name"] == world.phase.name
    exercise = plan["phases"][0]["prescriptions"][0]["exercise"]
    assert exercise["name"] == "Standing gastrocnemius stretch"


def test_the_clinicians_answer_keeps_the_clinicians_text(world: World) -> None:
    world.exercise.source = CITATION
    world.exercise.summary = CLINICIAN_SUMMARY
    world.exercise.safety_notes = [CLINICIAN_SAFETY]
    world.exercise.save()
    world.phase.goals = "Restore dorsiflexion ROM to neutral"
    world.phase.exit_criteria = "LSI heel-rise reps >= 90% (Silbernagel 2010)"
    world.phase.save()
    [phase] = body(world.client("clinician").get(f"/api/v1/plans/{opaque(world.plan.pk)}/"))[
        "phases"
    ]
    assert phase["goals"] == world.phase.goals
    assert phase["exit_criteria"] == [world.phase.exit_criteria]
    exercise = phase["prescriptions"][0]["exercise"]
    assert (exercise["source"], exercise["summary"], exercise["safety_notes"]) == (
        CITATION,
        CLINICIAN_SUMMARY,
        [CLINICIAN_SAFETY],
    )
    # The template's exercises too (a clinician's page of the API).
    [protocol_phase] = body(
        world.client("clinician").get(f"/api/v1/protocols/{opaque(world.protocol.pk)}/")
    )["phases"]
    assert protocol_phase["items"][0]["exercise"]["source"] == CITATION


@pytest.mark.parametrize("url", PATIENT_URLS)
def test_a_patient_reads_the_dose_in_the_patients_words(world: World, url: str) -> None:
    # ``dose_text`` was the clinician's wording ("3 × 30 s hold") in the patient's answers too;
    # the patient's pages say "3 holds of 30 seconds" (``DoseFields.patient_dose_text``), and
    # so does the patient's API now. A clinician reading the same plan keeps theirs.
    world.prescription.sets, world.prescription.reps = 3, None
    world.prescription.hold_seconds, world.prescription.duration_minutes = 30, None
    world.prescription.save()
    patient_words = world.prescription.patient_dose_text()
    clinician_words = world.prescription.dose_text()
    assert patient_words != clinician_words
    data = body(world.client("patient").get(url.format(plan=opaque(world.plan.pk))))
    [prescription] = (
        [item["prescription"] for item in data["items"]]
        if "items" in data
        else [rx for phase in data["phases"] for rx in phase["prescriptions"]]
    )
    assert prescription["dose_text"] == patient_words
    assert clinician_words not in str(data)
    plan = body(world.client("clinician").get(f"/api/v1/plans/{opaque(world.plan.pk)}/"))
    assert plan["phases"][0]["prescriptions"][0]["dose_text"] == clinician_words
    # The template's exercises are a clinician's page of the API: the clinician's words.
    [phase] = body(
        world.client("clinician").get(f"/api/v1/protocols/{opaque(world.protocol.pk)}/")
    )["phases"]
    item = world.protocol.phases.get().items.get()
    assert phase["items"][0]["dose_text"] == item.dose_text()


# --- A red flag's advice in /me/today/, as on the Today page (from review) -------------------
# /me/today/ said only ``paused``: the phone app had none of the words Today shows while a red
# flag waits for a clinician (what to do now, whom to call). ``hold`` carries them.


def _numbers(world: World) -> None:
    clinic = world.patient.clinic
    clinic.phone, clinic.out_of_hours_phone, clinic.emergency_number = "020 7946 0000", "111", "999"
    clinic.save()


def test_today_has_no_hold_without_a_red_flag(world: World) -> None:
    assert body(world.client("patient").get("/api/v1/me/today/"))["hold"] is None


def test_a_paused_plans_hold_carries_todays_words(world: World) -> None:
    _numbers(world)
    factories.red_flags_reported(world.patient, "dvt", "pe")
    data = body(world.client("patient").get("/api/v1/me/today/"))
    assert (data["paused"], data["can_log"]) == (True, False)
    hold = data["hold"]
    assert hold["kind"] == "paused"
    assert hold["title"] == "Your exercises are paused"
    assert hold["message"] == (
        "Do not do your exercises until your physiotherapist has looked at what you told us "
        "and says you can start again."
    )
    dvt, pe = (clinical.RED_FLAGS_BY_CODE[code] for code in ("dvt", "pe"))
    assert hold["red_flags"] == [
        {
            "code": "dvt",
            "question": str(dvt.question),
            "advice": str(dvt.advice),
            "when_closed": str(dvt.when_closed),
            "source": None,
        },
        {
            "code": "pe",
            "question": str(pe.question),
            "advice": str(pe.advice),
            "when_closed": None,
            "source": None,
        },
    ]
    assert (hold["clinic_phone"], hold["out_of_hours_phone"], hold["emergency_number"]) == (
        "020 7946 0000",
        "111",
        "999",
    )
    assert hold["reported_at"] is None
    # The advice's sources are the clinician's (citations), never the patient's.
    assert dvt.source not in str(data)


def test_without_a_plan_in_care_the_hold_says_what_waits_for_review(world: World) -> None:
    factories.red_flags_reported(world.other_patient, "circulation")
    hold = body(world.client("other_patient").get("/api/v1/me/today/"))["hold"]
    assert hold["kind"] == "waiting"
    assert hold["title"] == "What you told us needs checking"
    assert hold["message"].startswith("Your clinic has been alerted.")
    assert [flag["code"] for flag in hold["red_flags"]] == ["circulation"]
    assert hold["clinic_phone"] == world.other_patient.clinic.phone


def test_after_a_review_the_hold_says_so_without_the_clinicians_note(world: World) -> None:
    factories.red_flags_reported(world.patient, "dvt")
    note = "Calf soft, Homans negative; no DVT suspected"
    alerts = list(Alert.objects.values_list("pk", flat=True))
    holds.plan_resume(plan=world.plan, by=world.clinician.user, note=note, reviewed=alerts)
    response = world.client("patient").get("/api/v1/me/today/")
    hold = body(response)["hold"]
    assert hold["kind"] == "reviewed"
    assert hold["title"] is None
    assert hold["message"].startswith("Your physiotherapist has reviewed what you reported on ")
    assert hold["red_flags"] == []
    assert hold["reported_at"] is not None
    assert note not in response.content.decode()


def test_the_review_names_the_day_of_the_report_in_the_patients_time_zone(world: World) -> None:
    # The phone signs in with a token, not a session: the day is still the patient's own.
    world.patient.timezone = "America/Los_Angeles"
    world.patient.save(update_fields=["timezone"])
    factories.red_flags_reported(world.patient, "dvt")
    alerts = list(Alert.objects.values_list("pk", flat=True))
    holds.plan_resume(plan=world.plan, by=world.clinician.user, note="Seen", reviewed=alerts)
    # Reported at 04:00 UTC yesterday: the evening before in Los Angeles.
    reported = (timezone.now() - dt.timedelta(days=1)).replace(hour=4, minute=0)
    CheckIn.objects.filter(patient=world.patient).update(created_at=reported)
    PlanHold.objects.filter(plan=world.plan).update(started_at=reported)
    local = reported.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    hold = body(world.client("patient").get("/api/v1/me/today/"))["hold"]
    assert hold["message"].startswith(
        f"Your physiotherapist has reviewed what you reported on {local.day} {local:%B}."
    )


def test_a_discharged_patients_hold_says_to_contact_the_clinic_or_a_doctor(world: World) -> None:
    # Discharge completes the paused plan; the red flag still waits for a clinician, and no
    # go-ahead will come here (tests/rehab/views/test_patient.py says why).
    factories.red_flags_reported(world.patient, "rerupture")
    patient_services.patient_discharge(patient=world.patient)
    hold = body(world.client("patient").get("/api/v1/me/today/"))["hold"]
    assert hold["kind"] == "waiting"
    assert "contact your clinic or your doctor" in hold["message"]
    assert "says you can" not in hold["message"]
    assert [flag["code"] for flag in hold["red_flags"]] == ["rerupture"]
