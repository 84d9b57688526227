"""Two voices: patient pages show the patient's text only, never a clinician's.

Every clinician-only field of everything a patient's pages draw on (the exercise, the plan
phase, the prescription, the template) holds a sentinel string; every patient-facing page is
rendered and must contain none of them, while the patient's own text is there. The patient's
export's data (JSON) is their copy of their record: it keeps the plan's clinician-side fields
(an exercise's and a phase's clinician name, the phase's goals) beside the patient's, but no
clinician's note about them (``rehab.export.CLINICIAN_NOTES``); its printable page is a page
they read, in their words (``test_the_printable_record_is_in_the_patients_words``).

The patient's JSON API answers are checked the same way: an app draws its patient's screens
from them, so they hold the patient's fields only (the clinician's are null).
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from core.ids import opaque
from rehab import clinical
from rehab.models import AtrsRequest, Exercise, Plan, PlanPhase, Prescription
from rehab.models.criteria import CriterionKind, PlanCriterion, ProposalDismissal
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# One sentinel per clinician-only field; none may reach a patient.
EXERCISE_CLINICIAN = {
    "name": "SENTINEL-exercise-name",
    "summary": "SENTINEL-exercise-summary",
    "source": "SENTINEL-exercise-source",
    "earliest_week_reason": "SENTINEL-exercise-earliest-week-reason",
    "earliest_week_source": "SENTINEL-exercise-earliest-week-source",
}
EXERCISE_CLINICIAN_LISTS = {"safety_notes": ["SENTINEL-exercise-safety-note"]}
PHASE_CLINICIAN = {
    "name": "SENTINEL-phase-name",
    "goals": "SENTINEL-phase-goals",
    "precautions": "SENTINEL-phase-precautions",
    "weight_bearing": "SENTINEL-phase-weight-bearing",
    "boot": "SENTINEL-phase-boot",
    "wedges": "SENTINEL-phase-wedges",
    "exit_criteria": "SENTINEL-phase-exit-criteria",
}
PRESCRIPTION_CLINICIAN = {"guardrail_reason": "SENTINEL-guardrail-reason (patient is a dancer)"}
SENTINELS = [
    *EXERCISE_CLINICIAN.values(),
    *EXERCISE_CLINICIAN_LISTS["safety_notes"],
    *PHASE_CLINICIAN.values(),
    *PRESCRIPTION_CLINICIAN.values(),
]
PATIENT_WORDS = {
    "exercise name": "Calf stretch with a towel",
    "exercise summary": "A gentle stretch for the back of your lower leg.",
    "exercise safety": "Stop if it hurts more than mild discomfort.",
    "phase name": "Walking in the boot",
    "phase summary": "You start putting weight on the leg in your boot.",
    "phase care": "Wear the boot for all walking.",
    "early": "Your physiotherapist chose to start this earlier than usual",
}
# The pages a patient opens (GET), by URL name. Their record's printable page: its own test.
PATIENT_PAGES = ("rehab:today", "rehab:my_plan", "rehab:progress", "rehab:checkin", "rehab:atrs")


@pytest.fixture
def early_rx(patient: Patient) -> Prescription:
    """A stretch the physiotherapist placed early, with a reason; logged today and before."""
    today = patient.local_today()
    patient.pathway = Patient.Pathway.NON_OPERATIVE
    patient.surgery_date = None
    patient.injury_date = today - dt.timedelta(weeks=10, days=1)
    patient.save()
    plan = factories.PlanFactory(patient=patient, pathway=patient.pathway)
    phase = factories.PlanPhaseFactory(
        plan=plan,
        start_week=9,
        end_week=16,
        patient_name=PATIENT_WORDS["phase name"],
        patient_summary=PATIENT_WORDS["phase summary"],
        patient_care=PATIENT_WORDS["phase care"],
        **PHASE_CLINICIAN,
    )
    plan.current_phase = phase
    plan.save()
    exercise = factories.ExerciseFactory(
        category=Exercise.Category.STRETCH,
        patient_name=PATIENT_WORDS["exercise name"],
        patient_summary=PATIENT_WORDS["exercise summary"],
        patient_safety_notes=[PATIENT_WORDS["exercise safety"]],
        earliest_week_operative=8,
        earliest_week_non_operative=16,
        **EXERCISE_CLINICIAN,
        **EXERCISE_CLINICIAN_LISTS,
    )
    rx = factories.PrescriptionFactory(
        phase=phase, exercise=exercise, hold_seconds=30, reps=None, **PRESCRIPTION_CLINICIAN
    )
    factories.ExerciseLogFactory(prescription=rx, date=today, pain=2)
    factories.ExerciseLogFactory(prescription=rx, date=today - dt.timedelta(days=1))
    AtrsRequest.objects.create(patient=patient)
    return rx


def _assert_patient_voice(html: str, where: str) -> None:
    leaked = [sentinel for sentinel in SENTINELS if sentinel in html]
    assert not leaked, f"{where} shows clinician-only text: {leaked}"
    assert "not before week" not in html.lower(), where


@pytest.mark.parametrize("name", PATIENT_PAGES)
def test_no_patient_page_renders_a_clinician_only_field(
    early_rx: Prescription, patient: Patient, name: str
) -> None:
    response = client_for(patient.user).get(reverse(name))
    assert response.status_code == 200
    _assert_patient_voice(response.content.decode(), name)


# The patient's API answers (GET) that hold their plan, its exercises, logs and advice.
PATIENT_API = (
    "/api/v1/me/today/",
    "/api/v1/me/plan/",
    "/api/v1/plans/{plan}/",
    "/api/v1/logs/",
    "/api/v1/checkins/",
)


@pytest.mark.parametrize("url", PATIENT_API)
def test_no_patient_api_answer_carries_a_clinician_only_field(
    early_rx: Prescription, patient: Patient, url: str
) -> None:
    """The same sentinels as the pages, and no red flag's source (a citation) in the advice;
    a clinician's answer keeps them (``test_the_clinicians_api_answer_keeps_them``)."""
    factories.CheckInFactory(patient=patient, date=patient.local_today(), flag_dvt=True)
    response = client_for(patient.user).get(url.format(plan=opaque(early_rx.phase.plan_id)))
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode()
    _assert_patient_voice(text, url)
    cited = [flag.source for flag in clinical.RED_FLAGS if flag.source in text]
    assert not cited, f"{url} shows the patient a citation: {cited}"


def test_the_clinicians_api_answer_keeps_them(early_rx: Prescription, clinician: Clinician) -> None:
    text = (
        client_for(clinician.user)
        .get(f"/api/v1/plans/{opaque(early_rx.phase.plan_id)}/")
        .content.decode()
    )
    # (A plan's exercise has no earliest safe week: the library's entry has.)
    kept = [sentinel for sentinel in SENTINELS if "earliest-week" not in sentinel]
    assert [sentinel for sentinel in kept if sentinel not in text] == []


def test_the_printable_record_is_in_the_patients_words(
    early_rx: Prescription, patient: Patient
) -> None:
    """/me/export/: the exercises, logs and phases by their patient names, no clinician's
    note (a review found the logs and the alerts in the clinician's words)."""
    response = client_for(patient.user).get(reverse("rehab:my_export"))
    assert response.status_code == 200
    html = response.content.decode()
    _assert_patient_voice(html, "rehab:my_export")
    assert PATIENT_WORDS["exercise name"] in html
    assert PATIENT_WORDS["phase name"] in html


def test_the_printable_record_says_progression_decisions_without_the_clinicians_words(
    early_rx: Prescription, patient: Patient
) -> None:
    """A dismissed proposal of the next phase and a judged exit criterion reach the patient's
    record as what happened ("stay in … a while longer", "not ready to move on yet"); the note
    on why and the criterion's own text are the clinician's: not on the page, and the note is
    not in the data either (``rehab.export.CLINICIAN_NOTES``)."""
    phase = early_rx.phase
    PlanCriterion.objects.create(
        phase=phase,
        kind=CriterionKind.CLINICIAN,
        label="SENTINEL-criterion-label",
        judged_met=False,
        judged_at=timezone.now(),
    )
    ProposalDismissal.objects.create(phase=phase, note="SENTINEL-dismissal-note")
    me = client_for(patient.user)
    html = me.get(reverse("rehab:my_export")).content.decode()
    _assert_patient_voice(html, "rehab:my_export")
    for sentinel in ("SENTINEL-criterion-label", "SENTINEL-dismissal-note"):
        assert sentinel not in html, sentinel
    assert f"stay in {PATIENT_WORDS['phase name']} a while longer" in html
    assert "not ready to move on yet" in html
    assert "SENTINEL-dismissal-note" not in me.get(reverse("rehab:my_export_json")).content.decode()


def test_today_and_the_plan_show_the_patients_words(
    early_rx: Prescription, patient: Patient
) -> None:
    me = client_for(patient.user)
    today = me.get(reverse("rehab:today")).content.decode()
    for key in ("exercise name", "exercise summary", "exercise safety", "phase name", "early"):
        assert PATIENT_WORDS[key] in today, key
    assert f"<li>{PATIENT_WORDS['phase care']}</li>" in today
    plan = me.get(reverse("rehab:my_plan")).content.decode()
    for key in ("exercise name", "phase name", "phase summary", "phase care", "early"):
        assert PATIENT_WORDS[key] in plan, key
    progress = me.get(reverse("rehab:progress")).content.decode()
    assert PATIENT_WORDS["exercise name"] in progress


def test_the_handout_is_in_the_patients_words(
    early_rx: Prescription, patient: Patient, clinician: Clinician
) -> None:
    plan = early_rx.phase.plan
    response = client_for(clinician.user).get(reverse("rehab:plan_handout", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # The clinician's phase picker above the page (not printed) may name the phase.
    printed = html.split('<article class="handout">', 1)[1]
    _assert_patient_voice(printed, "the handout")
    for key in ("exercise name", "exercise summary", "exercise safety", "phase name", "early"):
        assert PATIENT_WORDS[key] in printed, key


def test_a_prescription_placed_early_never_shows_its_reason(early_rx: Prescription) -> None:
    assert early_rx.placed_early
    early_rx.guardrail_reason = "  "
    assert not early_rx.placed_early


def test_patient_text_falls_back_to_the_name_only() -> None:
    exercise = factories.ExerciseFactory.build(
        name="Heel raise", patient_name="", patient_summary="", patient_safety_notes=[]
    )
    text = exercise.patient_text
    assert text.name == "Heel raise"
    assert text.summary == ""
    assert text.safety_notes == []
    phase = PlanPhase(name="Phase 2", patient_name="", patient_care="a\n\n b ")
    assert phase.patient_text.name == "Phase 2"
    assert phase.patient_text.care == ["a", "b"]


def test_no_template_names_an_internal_file() -> None:
    """No page, patient's or clinician's, prints a file name such as "shared/clinical.md §2"."""
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b[\w/-]+\.md\b", text), path


def test_the_guardrail_panel_cites_sources_not_files(
    seeded: None, clinician: Clinician, patient: Patient
) -> None:
    plan = factories.PlanFactory(patient=patient, status="draft")
    phase = factories.PlanPhaseFactory(plan=plan, start_week=2, end_week=6)
    factories.PrescriptionFactory(
        phase=phase,
        exercise=Exercise.objects.get(slug="towel-calf-stretch"),
        guardrail_reason="Cleared by the surgeon",
    )
    html = client_for(clinician.user).get(reverse("rehab:plan_builder", args=[plan.pk]))
    text = html.content.decode()
    assert "Before its earliest safe week." in text
    assert "fernandoaranmd.com" in text  # a readable, published source
    assert "clinical.md" not in text
    assert "shared/" not in text


def test_the_clinicians_library_page_keeps_the_sources(seeded: None, clinician: Clinician) -> None:
    exercise = Exercise.objects.get(slug="towel-calf-stretch")
    html = client_for(clinician.user).get(reverse("rehab:library_detail", args=[exercise.pk]))
    text = html.content.decode()
    assert "Barfod" in text
    assert "clinical.md" not in text


def test_the_patients_menu_links_the_atrs_and_marks_it_due(
    patient: Patient, early_rx: Prescription
) -> None:
    me: Client = client_for(patient.user)
    html = me.get(reverse("rehab:my_plan")).content.decode()
    assert f'href="{reverse("rehab:atrs")}"' in html
    assert ">due<" in html.replace(" ", "").replace("\n", "")


def test_the_progress_page_links_the_atrs(patient: Patient) -> None:
    html = client_for(patient.user).get(reverse("rehab:progress")).content.decode()
    assert "Answer the Achilles questionnaire" in html


def test_the_atrs_asks_about_now_and_suggests_no_answer(patient: Patient) -> None:
    # The ATRS user manual: answer for the limitation you have now, no number suggested (a
    # suggested "low number" would bias items 8 to 10, and the total compared with cohorts).
    html = client_for(patient.user).get(reverse("rehab:atrs")).content.decode()
    assert "Answer for how limited you are in them now." in html
    assert "low number" not in html
    assert "if you tried" not in html


def test_the_progress_charts_speak_plainly(patient: Patient) -> None:
    factories.MeasurementFactory(
        patient=patient,
        heel_rise_reps_injured=10,
        heel_rise_reps_uninjured=20,
        calf_cm_injured=34,
        calf_cm_uninjured=36,
    )
    html = client_for(patient.user).get(reverse("rehab:progress")).content.decode()
    assert "your injured leg compared with the other" in html
    # As a word: a random token on the page (CSRF, an opaque id) may hold the letters.
    assert not re.search(r"\bLSI\b", html)
    assert "limb symmetry" not in html.lower()
    # The calf's girth in the home form's words (from review: "Calf circumference").
    assert "Around your lower legs (cm)" in html
    assert "circumference" not in html.lower()


def test_the_patient_never_meets_the_abbreviation_atrs(patient: Patient) -> None:
    # The clinician's "ATRS" is "the Achilles questionnaire" to the patient: on its page (title,
    # heading, chart, the offline message's words), on Today and the plan (menu, offer), and on
    # the progress page (its link and chart), with an answer to draw.
    factories.AtrsResponseFactory(patient=patient)
    me = client_for(patient.user)
    for name in ("rehab:atrs", "rehab:progress", "rehab:today", "rehab:my_plan"):
        html = me.get(reverse(name)).content.decode()
        assert not re.search(r"\bATRS\b", html), name  # a word, not a token's letters
    assert "Achilles questionnaire" in me.get(reverse("rehab:atrs")).content.decode()


def test_the_achilles_is_said_in_plain_words_where_the_patient_meets_it(patient: Patient) -> None:
    me = client_for(patient.user)
    for name in ("rehab:atrs", "rehab:progress"):
        html = me.get(reverse(name)).content.decode()
        assert "the cord above your heel" in html, name


def test_the_check_in_asks_about_the_calf_in_plain_words(patient: Patient) -> None:
    # clinical.md §8: "the back of your lower leg" for the calf. The clot question is the one a
    # patient must not misread.
    html = client_for(patient.user).get(reverse("rehab:checkin")).content.decode()
    assert "the back of your lower leg" in html


def test_the_torn_again_question_says_which_tendon_in_plain_words(patient: Patient) -> None:
    """The check-in asked about "a gap you can feel in the tendon", and Messages' list of what
    not to wait with said "The tendon may have torn again": on neither page had the patient
    been told which tendon. clinical.md §8: "the cord above your heel" the first time."""
    me = client_for(patient.user)
    for name in ("rehab:checkin", "rehab:my_messages"):
        html = unescape(me.get(reverse(name)).content.decode())
        assert "a gap you can feel in the cord above your heel" in html, name
        assert "in the tendon," not in html, name
    html = unescape(me.get(reverse("rehab:my_messages")).content.decode())
    assert "The cord above your heel (your Achilles tendon) may have torn again" in html


@pytest.mark.parametrize(
    "name",
    [
        "rehab:today",
        "rehab:my_plan",
        "rehab:progress",
        "rehab:checkin",
        "rehab:atrs",
        "rehab:my_messages",
        "notify:reminders",
        "clinic:account",
    ],
)
def test_every_patient_page_says_call_emergency_services(patient: Patient, name: str) -> None:
    # clinical.md §4: breathlessness or chest pain is always "call emergency services now", on
    # every page (it was only in a paused plan's banner), with the number the clinic sets.
    patient.clinic.emergency_number = "112"
    patient.clinic.save()
    html = client_for(patient.user).get(reverse(name)).content.decode()
    assert "call emergency services now" in html, name
    assert 'href="tel:112"' in html, name


def test_no_clinician_page_carries_the_patients_emergency_line(clinician: Clinician) -> None:
    html = client_for(clinician.user).get(reverse("rehab:dashboard")).content.decode()
    assert "rehab-emergency-line" not in html


TEMPLATE_NAME = "Achilles tendon rupture, non-operative (functional) treatment (Barfod 2016)"


def test_a_plan_named_after_its_template_reads_in_plain_words(
    early_rx: Prescription, patient: Patient, clinician: Clinician
) -> None:
    """A plan made from a template is named after it (``plan_from_protocol``): a clinical
    name, with its jargon and its source. "My plan" showed it to the patient, and the
    patient's API gave it as the plan's name. The patient reads a plain name; the clinician
    keeps the template's."""
    plan = early_rx.phase.plan
    plan.protocol = factories.ProtocolFactory.create(name=TEMPLATE_NAME, pathway=plan.pathway)
    plan.name = TEMPLATE_NAME
    plan.save()
    me = client_for(patient.user)
    for name in PATIENT_PAGES:
        assert TEMPLATE_NAME not in me.get(reverse(name)).content.decode(), name
    assert "Your recovery plan" in me.get(reverse("rehab:my_plan")).content.decode()
    for url in PATIENT_API:
        text = me.get(url.format(plan=plan.pk)).content.decode()
        assert TEMPLATE_NAME not in text, url
    assert me.get("/api/v1/me/plan/").json()["patient_name"] == "Your recovery plan"
    assert me.get("/api/v1/me/today/").json()["plan"]["patient_name"] == "Your recovery plan"
    kept = client_for(clinician.user).get(f"/api/v1/plans/{opaque(plan.pk)}/").json()
    assert kept["name"] == TEMPLATE_NAME


def test_a_plan_the_clinician_named_keeps_its_name_for_the_patient(
    early_rx: Prescription, patient: Patient
) -> None:
    plan = early_rx.phase.plan
    plan.protocol = factories.ProtocolFactory.create(name=TEMPLATE_NAME, pathway=plan.pathway)
    plan.name = "Back to football"
    plan.save()
    me = client_for(patient.user)
    assert "Back to football" in me.get(reverse("rehab:my_plan")).content.decode()
    assert me.get("/api/v1/me/plan/").json()["patient_name"] == "Back to football"


def test_patient_pages_say_seconds_not_s(
    early_rx: Prescription, patient: Patient, clinician: Clinician
) -> None:
    """From the phone review: the patient's pages wrote a hold as "3 × 30 s hold". A patient
    reads "seconds" (clinical.md §8, plain words): on Today, My plan, their record and the
    printed handout. The clinician's pages keep the short "30 s"."""
    me = client_for(patient.user)
    for name in ("rehab:today", "rehab:my_plan", "rehab:my_export"):
        html = me.get(reverse(name)).content.decode()
        assert "30 s hold" not in html, name
        assert "3 holds of 30 seconds" in html, name
    physio = client_for(clinician.user)
    plan = early_rx.phase.plan
    printed = physio.get(reverse("rehab:plan_handout", args=[plan.pk])).content.decode()
    printed = printed.split('<article class="handout">', 1)[1]
    assert "30 s hold" not in printed
    assert "3 holds of 30 seconds" in printed
    builder = physio.get(reverse("rehab:plan_builder", args=[plan.pk])).content.decode()
    assert "3 × 30 s hold" in builder


def test_a_held_dose_counts_its_sets_in_words_as_the_others_do(
    early_rx: Prescription, patient: Patient
) -> None:
    """From the look review (360×740): My plan said "2 sets × 10 reps" of one exercise and
    "2 × 10 reps, hold each for 5 seconds" of the next; a patient reads sets in words in both
    (one set goes unsaid, as "10 reps" does)."""
    factories.PrescriptionFactory(phase=early_rx.phase, sets=2, reps=10, hold_seconds=5)
    factories.PrescriptionFactory(phase=early_rx.phase, sets=1, reps=8, hold_seconds=3)
    html = client_for(patient.user).get(reverse("rehab:my_plan")).content.decode()
    assert "2 sets × 10 reps, hold each for 5 seconds" in html
    assert "8 reps, hold each for 3 seconds" in html
    assert "× 8 reps" not in html
    assert not re.search(r"\b\d+ × \d+ reps", html)


def test_my_record_names_the_plan_and_its_pause_in_plain_words(
    early_rx: Prescription, patient: Patient, clinician: Clinician
) -> None:
    """From the phone review: the patient's copy of their record ("everything we hold about
    you") titled the plan with its template's name (a clinical name with its source) and its
    status "Paused (red flag)". It reads the plan's name as My plan does ("Your recovery
    plan") and the pause in plain words; the clinic's export keeps both as stored."""
    plan = early_rx.phase.plan
    plan.protocol = factories.ProtocolFactory.create(name=TEMPLATE_NAME, pathway=plan.pathway)
    plan.name = TEMPLATE_NAME
    plan.status = Plan.Status.PAUSED
    plan.save()
    html = unescape(client_for(patient.user).get(reverse("rehab:my_export")).content.decode())
    assert TEMPLATE_NAME not in html
    assert "Your recovery plan" in html
    assert "red flag" not in html.lower()
    assert "Paused until your physiotherapist has checked what you told us" in html
    admin = factories.ClinicAdminFactory(clinic=patient.clinic)
    kept = unescape(
        client_for(admin.user)
        .get(reverse("rehab:patient_export", args=[patient.pk]))
        .content.decode()
    )
    assert TEMPLATE_NAME in kept
    assert "Paused (red flag)" in kept


def test_my_records_check_ins_say_what_i_reported_not_red_flags(
    patient: Patient, clinician: Clinician
) -> None:
    """Walking the record at 360 px after the fix above: its check-in table's column still
    said "Red flags", the clinic's word. The patient's copy says "Signs you reported"; the
    clinic's export keeps "Red flags"."""
    factories.red_flags_reported(patient, "dvt")
    html = unescape(client_for(patient.user).get(reverse("rehab:my_export")).content.decode())
    assert "red flag" not in html.lower()
    assert "Signs you reported" in html
    admin = factories.ClinicAdminFactory(clinic=patient.clinic)
    kept = client_for(admin.user).get(reverse("rehab:patient_export", args=[patient.pk]))
    assert "Red flags" in kept.content.decode()


# Every page and API answer a patient reads, by URL name or path.
PATIENT_PAGES_ALL = (*PATIENT_PAGES, "rehab:my_messages", "rehab:my_export", "notify:reminders")
PATIENT_API_ADVICE = ("/api/v1/me/today/", "/api/v1/checkins/")
# The clinician's names for the clots: the patient reads "a blood clot in the leg" and "a
# blood clot in the lungs" (clinical.md §8, plain words; §4 the red flags). Case matters for
# "DVT": a form's field posts the flag's code, "dvt".
CLOT_JARGON = (r"\bDVT\b", r"(?i:pulmonary embolism)", r"(?i:deep vein)")


def _clot_jargon(text: str) -> list[str]:
    return [term for term in CLOT_JARGON if re.search(term, text)]


def test_a_red_flag_pause_is_said_without_the_clinicians_names_for_a_clot(
    early_rx: Prescription, patient: Patient, clinician: Clinician
) -> None:
    """From review: the paused banner of Today and My plan said "This could be a blood clot
    (DVT)". With both clot signs reported and the plan paused, no page, answer or message the
    patient reads names a clot as the clinician does; the advice is in plain words. The
    clinician's alerts keep the terms."""
    factories.red_flags_reported(patient, "dvt", "pe")
    early_rx.phase.plan.refresh_from_db()
    assert early_rx.phase.plan.status == Plan.Status.PAUSED
    me = client_for(patient.user)
    for name in PATIENT_PAGES_ALL:
        response = me.get(reverse(name))
        assert response.status_code == 200, name
        assert _clot_jargon(unescape(response.content.decode())) == [], name
    for url in PATIENT_API_ADVICE:
        response = me.get(url)
        assert response.status_code == 200, url
        assert _clot_jargon(response.content.decode()) == [], url
    today = unescape(me.get(reverse("rehab:today")).content.decode())
    assert "This could be a blood clot in the leg." in today
    assert "This could be a blood clot in the lungs." in today
    dashboard = unescape(
        client_for(clinician.user).get(reverse("rehab:dashboard")).content.decode()
    )
    assert "Suspected DVT" in dashboard


def test_the_checkin_answer_to_a_clot_sign_is_in_plain_words(patient: Patient) -> None:
    """The check-in's own answer (the page after it is sent, and the API's) gives the same
    plain advice as the banner."""
    html = unescape(client_for(patient.user).get(reverse("rehab:checkin")).content.decode())
    assert _clot_jargon(html) == []
    for flag in clinical.RED_FLAGS:
        assert _clot_jargon(str(flag.advice)) == [], flag.code
        assert _clot_jargon(str(flag.question)) == [], flag.code


# Not "page": that name is pytest-playwright's fixture, and its browser parameter would make
# pytest move this test among the browser tests, whose flushes empty the shipped tables.
@pytest.mark.parametrize("url_name", ["rehab:my_plan", "clinic:account"])
def test_the_download_of_the_patients_data_is_said_without_a_file_format(
    url_name: str, early_rx: Prescription, patient: Patient
) -> None:
    """From walking through as a patient: "download it (JSON)" names a file format most
    patients do not know. The link says what the file is for."""
    html = client_for(patient.user).get(reverse(url_name)).content.decode()
    assert reverse("rehab:my_export_json") in html
    assert "JSON" not in unescape(re.sub(r"<script.*?</script>", "", html, flags=re.S))
