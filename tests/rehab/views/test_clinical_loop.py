"""Issue 16 part A, pages: the phase-change confirmation, the paused Today and its review, the
report in front of the therapist, unanswered scores, the check-in by pathway, discharged
patients. Each view: it works, a colleague can, another clinic cannot (404), a patient cannot,
anonymous goes to sign in."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from core.ids import opaque
from rehab import clinical
from rehab.models import Alert, CheckIn, ExerciseLog, PhaseChange, Plan, PlanHold
from rehab.services import holds as hold_services
from tests import factories
from tests.conftest import client_for
from tests.rehab.clinical_loop import Scene, from_week_2_now, week3_non_operative

pytestmark = pytest.mark.django_db


def _said(response: Any) -> str:
    """The messages of the page a form was sent back to, one a line."""
    return "\n".join(str(message) for message in response.context["messages"])


@pytest.fixture
def scene(clinician: Clinician) -> Scene:
    scene = week3_non_operative(clinician)
    clinic = clinician.clinic
    clinic.phone = "+44 20 7946 0000"
    clinic.out_of_hours_phone = "111"
    clinic.emergency_number = "999"
    clinic.save()
    return scene


@pytest.fixture
def physio(clinician: Clinician) -> Client:
    return client_for(clinician.user)


@pytest.fixture
def noah(scene: Scene) -> Client:
    return client_for(scene.patient.user)


def _others(clinician: Clinician, scene: Scene) -> dict[str, Client]:
    return {
        "other clinic": client_for(factories.ClinicianFactory.create().user),
        "patient": client_for(scene.patient.user),
    }


def _advance(client: Client, scene: Scene) -> Any:
    return client.post(
        reverse("rehab:plan_advance", args=[scene.plan.pk]), {"version": scene.plan.version}
    )


# --- Problem 1: advancing early shows the list before it commits -------------------------


def test_advancing_early_goes_to_the_confirmation_page_and_moves_nothing(
    physio: Client, scene: Scene
) -> None:
    response = _advance(physio, scene)
    confirm = reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, scene.later.pk])
    assert response.status_code == 302
    assert response["Location"].startswith(confirm)
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.early.pk
    page = physio.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Seated heel raise" in html
    assert "Two-leg bike" in html
    assert "Hip bridges" not in html
    assert f'name="reason_{scene.week4_rx.pk}"' in html
    assert f'name="reason_{scene.week6_rx.pk}"' in html


def test_confirming_without_reasons_is_refused_with_the_list(physio: Client, scene: Scene) -> None:
    url = reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, scene.later.pk])
    response = physio.post(
        url, {"version": scene.plan.version, f"reason_{scene.week4_rx.pk}": "Strong"}
    )
    assert response.status_code == 400
    assert "Give a reason to start this exercise now." in response.content.decode()
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.early.pk
    assert PhaseChange.objects.filter(plan=scene.plan).count() == 1


def test_confirming_with_reasons_moves_the_plan(physio: Client, scene: Scene) -> None:
    url = reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, scene.later.pk])
    response = physio.post(
        url,
        {
            "version": scene.plan.version,
            f"reason_{scene.week4_rx.pk}": "Strong, cleared by the surgeon",
            f"reason_{scene.week6_rx.pk}": "One leg only",
        },
    )
    assert response.status_code == 302
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.later.pk
    scene.week6_rx.refresh_from_db()
    assert scene.week6_rx.guardrail_reason == "One leg only"


def test_a_stale_advance_from_the_opened_progression_part_is_refused_first(
    physio: Client, scene: Scene
) -> None:
    """Two tabs: the builder's progression part (read when opened) offers "Advance to Weeks
    6–9"; the other tab has moved the plan there already. The first tab's button is refused as
    out of date, back on the builder, before anything else: it is not sent on to confirm the
    reasons to start a third phase nobody chose (its exercise early for the patient's week)."""
    third = factories.PlanPhaseFactory.create(
        plan=scene.plan, order=3, name="Weeks 9–12", start_week=9, end_week=12
    )
    factories.PrescriptionFactory.create(
        phase=third,
        exercise=factories.ExerciseFactory.create(
            name="Single-leg heel raise", earliest_week_non_operative=10
        ),
    )
    builder = reverse("rehab:plan_builder", args=[scene.plan.pk])
    part = physio.get(
        builder + "?open=progression",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="progression-body",
    ).content.decode()
    assert "Advance to next phase (Weeks 6–9)" in part
    version = re.search(r'name="version" value="(\d+)"', part)
    assert version is not None
    moved = physio.post(  # the other tab, with its reasons
        reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, scene.later.pk]),
        {
            "version": version[1],
            f"reason_{scene.week4_rx.pk}": "Strong",
            f"reason_{scene.week6_rx.pk}": "One leg only",
        },
    )
    assert moved.status_code == 302
    response = physio.post(
        reverse("rehab:plan_advance", args=[scene.plan.pk]), {"version": version[1]}
    )
    assert response.status_code == 302
    assert response["Location"] == builder + "#progression"
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.later.pk
    assert "Someone else changed this plan" in _said(physio.get(response["Location"]))


def test_the_confirmation_page_of_an_outdated_page_sends_back_to_the_builder(
    physio: Client, scene: Scene
) -> None:
    """The reasons page opened from a builder that is out of date (its version is older: the
    other tab has moved the plan since) says so and goes back to the builder, instead of
    asking for reasons that its submit would then refuse."""
    version = scene.plan.version
    moved = physio.post(  # the other tab, with its reasons
        reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, scene.later.pk]),
        {
            "version": version,
            f"reason_{scene.week4_rx.pk}": "Strong",
            f"reason_{scene.week6_rx.pk}": "One leg only",
        },
    )
    assert moved.status_code == 302
    confirm = reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, scene.later.pk])
    response = physio.get(confirm, {"version": version})
    builder = reverse("rehab:plan_builder", args=[scene.plan.pk])
    assert response.status_code == 302
    assert response["Location"] == builder + "#progression"
    assert "Someone else changed this plan" in _said(physio.get(response["Location"]))


def test_the_confirmation_page_access(
    clinician: Clinician, physio: Client, scene: Scene, client: Client
) -> None:
    url = reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, scene.later.pk])
    colleague = client_for(factories.ClinicianFactory.create(clinic=clinician.clinic).user)
    assert colleague.get(url).status_code == 200
    for who, other in _others(clinician, scene).items():
        assert other.get(url).status_code == 404, who
        assert other.post(url, {"version": 1}).status_code == 404, who
    assert client.get(url).status_code == 302
    other_plan_phase = factories.PlanPhaseFactory.create()
    wrong = reverse("rehab:plan_phase_confirm", args=[scene.plan.pk, other_plan_phase.pk])
    assert physio.get(wrong).status_code == 404


# --- Problem 2: a red flag pauses Today; the therapist reviews and resumes ------------------


def _red_flag(noah: Client, **flags: str) -> Any:
    data = {"client_uuid": str(uuid.uuid4()), "swelling": "moderate", "note": "Calf hot", **flags}
    return noah.post(reverse("rehab:checkin"), data, follow=True)


def _tick(noah: Client, scene: Scene, *, follow: bool = False, **answers: object) -> Any:
    """Noah ticks a set of the current exercise with the form (Today without JavaScript)."""
    data = {
        "client_uuid": str(uuid.uuid4()),
        "prescription": opaque(scene.current_rx.pk),
        "sets_done": 1,
        **answers,
    }
    return noah.post(reverse("rehab:log_create"), data, follow=follow)


def test_a_red_flag_pauses_today_with_a_banner_and_no_ticks(noah: Client, scene: Scene) -> None:
    before = noah.get(reverse("rehab:today")).content.decode()
    assert 'data-role="tick"' in before
    _red_flag(noah, flag_dvt="on")
    html = noah.get(reverse("rehab:today")).content.decode()
    assert "Your exercises are paused" in html
    assert str(clinical.RED_FLAGS_BY_CODE["dvt"].advice) in html
    assert 'href="tel:+442079460000"' in html
    assert 'href="tel:111"' in html
    assert 'href="tel:999"' in html
    assert 'data-role="tick"' not in html
    assert "Toe curls" not in html.split("Your exercises are paused")[1]


def test_the_plan_page_says_exercise_is_paused_too(noah: Client, scene: Scene) -> None:
    assert "Your exercises are paused" not in noah.get(reverse("rehab:my_plan")).content.decode()
    _red_flag(noah, flag_dvt="on")
    html = noah.get(reverse("rehab:my_plan")).content.decode()
    assert "Your exercises are paused" in html
    assert str(clinical.RED_FLAGS_BY_CODE["dvt"].advice) in html


def _paused_by_a_red_flag(noah: Client, scene: Scene) -> None:
    _red_flag(noah, flag_rerupture="on")


def _discharged(noah: Client, scene: Scene) -> None:
    Patient.objects.filter(pk=scene.patient.pk).update(status=Patient.Status.DISCHARGED)


@pytest.mark.parametrize(
    ("stop", "why"),
    [
        (_paused_by_a_red_flag, "Your exercises are paused"),
        (_discharged, "Your care here has ended"),
    ],
    ids=["paused plan", "discharged patient"],
)
def test_the_server_refuses_a_tick(
    noah: Client, scene: Scene, stop: Callable[[Client, Scene], None], why: str
) -> None:
    """The form path (the Today page's script ticks through the API: tests/api)."""
    stop(noah, scene)
    response = _tick(noah, scene, follow=True)
    assert response.redirect_chain == [(reverse("rehab:today"), 302)]
    assert f"Not saved: {why}" in _said(response)
    assert not ExerciseLog.objects.exists()


def test_the_server_refuses_more_sets_on_an_earlier_tick_of_a_paused_plan(
    noah: Client, scene: Scene
) -> None:
    _tick(noah, scene)
    log = ExerciseLog.objects.get()
    _red_flag(noah, flag_dvt="on")
    response = noah.post(reverse("rehab:log_update", args=[log.pk]), {"sets_done": 3}, follow=True)
    assert "Not saved: Your exercises are paused" in _said(response)
    response = noah.post(reverse("rehab:log_undo", args=[log.pk]), follow=True)
    assert "Not saved: Your exercises are paused" in _said(response)
    assert list(ExerciseLog.objects.values_list("sets_done", flat=True)) == [1]


def test_a_red_flag_reported_today_is_shown_fixed_and_kept(noah: Client, scene: Scene) -> None:
    _red_flag(noah, flag_dvt="on", pain_at_rest="6")
    html = noah.get(reverse("rehab:checkin")).content.decode()
    dvt = re.search(r'<input[^>]*name="flag_dvt"[^>]*>', html)
    assert dvt
    assert "checked" in dvt.group(0)
    assert "disabled" in dvt.group(0)
    assert "Reported: your physiotherapist will look at it." in html
    # Sent again without it (a disabled box is not sent): still reported.
    noah.post(reverse("rehab:checkin"), {"client_uuid": str(uuid.uuid4()), "swelling": "mild"})
    checkin = CheckIn.objects.get()
    assert (checkin.flag_dvt, checkin.pain_at_rest, checkin.swelling) == (True, 6, "mild")
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG).count() == 1


def test_once_reviewed_a_red_flag_can_be_reported_again_and_pauses_again(
    physio: Client, noah: Client, scene: Scene
) -> None:
    _red_flag(noah, flag_dvt="on")
    url = reverse("rehab:plan_resume", args=[scene.patient.pk])
    physio.post(url, {"note": "Scan clear", "reviewed": _reviewed(physio.get(url))})
    html = noah.get(reverse("rehab:checkin")).content.decode()
    dvt = re.search(r'<input[^>]*name="flag_dvt"[^>]*>', html)
    assert dvt
    assert "disabled" not in dvt.group(0)  # reviewed: the question is asked again
    _red_flag(noah, flag_dvt="on")  # the same day, worse
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG, acknowledged_at__isnull=True).count() == 1
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED


def test_the_therapist_sees_the_checkins_answers_on_the_dashboard(
    physio: Client, noah: Client, scene: Scene
) -> None:
    _red_flag(noah, flag_dvt="on")
    html = physio.get(reverse("rehab:dashboard")).content.decode()
    assert "Suspected DVT" in html
    assert "Calf hot" in html
    assert "Moderate" in html
    assert "not answered" in html  # pain at rest was left unanswered
    assert reverse("rehab:plan_resume", args=[scene.patient.pk]) in html


def test_review_and_resume(
    physio: Client, noah: Client, scene: Scene, clinician: Clinician
) -> None:
    _red_flag(noah, flag_dvt="on")
    url = reverse("rehab:plan_resume", args=[scene.patient.pk])
    page = physio.get(url)
    assert page.status_code == 200
    assert "Calf hot" in page.content.decode()
    reviewed = _reviewed(page)
    refused = physio.post(url, {"note": "", "reviewed": reviewed})
    assert refused.status_code == 400
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED
    sent = {"note": "Phoned: no clot signs, GP saw him", "reviewed": reviewed}
    assert physio.post(url, sent).status_code == 302
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.ACTIVE
    hold = PlanHold.objects.get()
    assert (hold.resumed_by, hold.resume_note) == (
        clinician.user,
        "Phoned: no clot signs, GP saw him",
    )
    html = noah.get(reverse("rehab:today")).content.decode()
    assert "Your physiotherapist has reviewed what you reported" in html
    assert 'data-role="tick"' in html
    assert "no clot signs" not in html  # the clinician's note stays the clinic's


def _reviewed(page: Any) -> str:
    """The alerts the review page showed, as its form sends them."""
    found = re.search(r'name="reviewed"\s+value="([^"]*)"', page.content.decode())
    assert found
    return found.group(1)


def test_a_red_flag_reported_while_the_review_is_open_refuses_the_resume(
    physio: Client, noah: Client, scene: Scene
) -> None:
    _red_flag(noah, flag_dvt="on")
    url = reverse("rehab:plan_resume", args=[scene.patient.pk])
    reviewed = _reviewed(physio.get(url))
    _red_flag(noah, flag_pe="on")  # reported while the clinician reads the DVT report
    refused = physio.post(url, {"note": "No DVT signs", "reviewed": reviewed})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "The patient reported something new since this page was opened" in html
    assert "Suspected pulmonary embolism" in html or "breathless" in html.lower()
    assert 'value="No DVT signs"' in html or "No DVT signs</textarea>" in html
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED
    again = {"note": "No DVT or PE signs", "reviewed": _reviewed(refused)}
    assert physio.post(url, again).status_code == 302
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.ACTIVE


def test_resume_access(clinician: Clinician, noah: Client, scene: Scene, client: Client) -> None:
    _red_flag(noah, flag_dvt="on")
    url = reverse("rehab:plan_resume", args=[scene.patient.pk])
    for who, other in _others(clinician, scene).items():
        assert other.get(url).status_code == 404, who
        assert other.post(url, {"note": "x"}).status_code == 404, who
    assert client.get(url).status_code == 302
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED
    colleague = client_for(factories.ClinicianFactory.create(clinic=clinician.clinic).user)
    reviewed = _reviewed(colleague.get(url))
    assert colleague.post(url, {"note": "Reviewed", "reviewed": reviewed}).status_code == 302
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.ACTIVE


def test_high_pain_on_a_tick_tells_the_patient_to_stop_that_exercise(
    noah: Client, scene: Scene
) -> None:
    """The Today page's script: the API's answer carries the advice (the browser's session,
    as the script sends it); without JavaScript: the page the form goes back to says it."""
    noah.get(reverse("rehab:today"))  # the page sets the CSRF cookie the script's header uses
    response = noah.post(
        reverse("api:log-list"),
        {
            "client_uuid": str(uuid.uuid4()),
            "prescription": opaque(scene.current_rx.pk),
            "sets_done": 1,
            "pain": 8,
        },
        content_type="application/json",
        headers={"x-csrftoken": noah.cookies["csrftoken"].value},
    )
    assert response.status_code == 201
    assert "Stop Toe curls now and contact your clinic" in response.json()["advice"]
    page = _tick(noah, scene, follow=True, pain=9)
    assert "Stop Toe curls now" in page.content.decode()


def test_the_alerts_inbox_shows_a_logs_exercise_pain_effort_and_note(
    physio: Client, noah: Client, scene: Scene
) -> None:
    _tick(noah, scene, pain=8, effort=6, note="Sharp at the heel")
    html = physio.get(reverse("rehab:alerts")).content.decode()
    row = html.split(f'id="alert-{Alert.objects.get().pk}"')[1]
    for reported in ("Toe curls", "8/10", "6/10", "Sharp at the heel"):
        assert reported in row


# --- Problem 3: only what the patient said -------------------------------------------------


def test_saving_only_a_note_stores_no_pain_or_effort(noah: Client, scene: Scene) -> None:
    _tick(noah, scene)
    log = ExerciseLog.objects.get()
    url = reverse("rehab:log_update", args=[log.pk])
    noah.post(url, {"pain": "", "effort": "", "note": "Felt fine"})
    log.refresh_from_db()
    assert (log.pain, log.effort, log.note) == (None, None, "Felt fine")
    # As the Today page's script sends "No answer" to the API: null.
    noah.get(reverse("rehab:today"))
    response = noah.patch(
        reverse("api:log-detail", args=[log.pk]),
        {"pain": None, "effort": None, "note": "Still fine"},
        content_type="application/json",
        headers={"x-csrftoken": noah.cookies["csrftoken"].value},
    )
    assert response.status_code == 200, response.content
    log.refresh_from_db()
    assert (log.pain, log.effort, log.note) == (None, None, "Still fine")


def test_the_feedback_form_starts_unanswered(noah: Client, scene: Scene) -> None:
    _tick(noah, scene)
    html = noah.get(reverse("rehab:today")).content.decode()
    assert 'type="range"' not in html
    rx = opaque(scene.current_rx.pk)
    assert re.search(rf'id="rx-{rx}-pain-none"\s+checked', html)
    assert re.search(rf'id="rx-{rx}-effort-none"\s+checked', html)


def test_a_checkin_without_pain_at_rest_stores_nothing_for_it(noah: Client, scene: Scene) -> None:
    _red_flag(noah)
    assert CheckIn.objects.get().pain_at_rest is None


# --- Problem 7: the check-in by pathway -----------------------------------------------------


def test_no_wound_questions_without_a_surgery_date(noah: Client, scene: Scene) -> None:
    html = noah.get(reverse("rehab:checkin")).content.decode()
    assert 'name="flag_wound"' not in html
    assert 'name="flag_dvt"' in html


def test_each_red_flags_advice_says_what_to_do_out_of_hours(noah: Client, scene: Scene) -> None:
    html = _red_flag(noah, flag_dvt="on", flag_pe="on").content.decode()
    assert str(clinical.WHEN_CLOSED) in html.replace("&#x27;", "'")
    assert "Call emergency services now" in html


# --- Problem 8: discharged ------------------------------------------------------------------


def test_a_discharged_patient_reads_but_cannot_check_in(noah: Client, scene: Scene) -> None:
    patient_services.patient_discharge(patient=scene.patient)
    for name in ("rehab:today", "rehab:checkin", "rehab:atrs"):
        html = noah.get(reverse(name)).content.decode()
        assert "Your care here has ended" in html, name
    assert 'name="flag_dvt"' not in noah.get(reverse("rehab:checkin")).content.decode()
    response = _red_flag(noah, flag_dvt="on")
    assert response.status_code == 400
    assert not CheckIn.objects.exists()
    assert not Alert.objects.exists()
    assert noah.get(reverse("rehab:my_export")).status_code == 200


def test_a_discharged_patient_reads_the_plan_they_followed(noah: Client, scene: Scene) -> None:
    """Discharge completes the plan: My plan said "Your physiotherapist has not given you a plan
    yet", and Progress welcomed them to a plan not started, after weeks of exercise."""
    day = scene.patient.local_today()
    for n in range(1, 10):
        factories.ExerciseLogFactory.create(
            prescription=scene.current_rx, date=day - dt.timedelta(days=n), sets_done=3
        )
    patient_services.patient_discharge(patient=scene.patient)
    plan_page = noah.get(reverse("rehab:my_plan")).content.decode()
    assert "has not given you a plan yet" not in plan_page
    assert "Your care here has ended" in plan_page
    assert scene.plan.name in plan_page
    assert "Done" in plan_page  # the phases they reached
    assert ">Now<" not in plan_page
    progress = noah.get(reverse("rehab:progress")).content.decode()
    assert "Your care here has ended" in progress
    assert "Welcome to your recovery plan" not in progress
    assert "When your physiotherapist starts your plan" not in progress


def test_a_discharged_patients_messages_say_their_care_here_has_ended(
    noah: Client, scene: Scene
) -> None:
    html = noah.get(reverse("rehab:my_messages")).content.decode()
    assert "Your care here has ended" not in html
    patient_services.patient_discharge(patient=scene.patient)
    html = noah.get(reverse("rehab:my_messages")).content.decode()
    assert "Your care here has ended" in html


# --- A corrected injury date, through the patient's details page ---------------------------


def test_a_corrected_date_on_the_details_page_rechecks_the_plan(
    physio: Client, scene: Scene
) -> None:
    """The page's form fills in the patient it edits before the service runs: the re-check
    must compare with the stored record, not that copy (it saw no change, and checked
    nothing)."""
    from_week_2_now(scene)
    later_injury = scene.patient.injury_date + dt.timedelta(weeks=2)
    data = factories.patient_form_data(
        first_name=scene.patient.first_name,
        last_name=scene.patient.last_name,
        email=scene.patient.email,
        date_of_birth=scene.patient.date_of_birth or "",
        injured_side=scene.patient.injured_side,
        pathway=scene.patient.pathway,
        injury_date=later_injury.isoformat(),
        surgery_date="",
        therapist=scene.patient.therapist_id or "",
        timezone=scene.patient.timezone,
    )
    response = physio.post(reverse("clinic:patient_edit", args=[scene.patient.pk]), data)
    assert response.status_code == 200
    assert "Resisted ankle pumps" in response.content.decode()
    scene.patient.refresh_from_db()
    assert scene.patient.injury_date != later_injury


def test_clot_advice_names_no_one_countrys_services() -> None:
    """A patient of a clinic in New York was told to call NHS 111 and their GP."""
    clinic = factories.ClinicFactory.create(
        timezone="America/New_York", emergency_number="911", out_of_hours_phone="+1 212 555 0100"
    )
    patient = factories.PatientFactory.create(clinic=clinic, timezone="America/New_York")
    html = client_for(patient.user).get(reverse("rehab:my_messages")).content.decode()
    # What the patient reads: the page's text, not its tokens (a CSRF token or a nonce may hold
    # the letters "GP" by chance).
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.DOTALL)
    assert "blood clot" in text
    assert "NHS 111" not in text
    assert not re.search(r"\bGP\b", text)


def test_the_checkin_page_stops_saying_paused_once_the_flag_is_reviewed(
    clinician: Clinician, patient: Patient
) -> None:
    # From review: after the clinician reviewed the red flag and resumed the plan, Today said
    # "you can do your exercises again" and the check-in page still "your exercises are paused".
    plan, _phases = factories.active_plan(patient)
    me = client_for(patient.user)
    me.post(
        reverse("rehab:checkin"),
        {"client_uuid": str(uuid.uuid4()), "swelling": "mild", "flag_circulation": "on"},
    )
    paused = me.get(reverse("rehab:checkin")).content.decode()
    assert "Your exercises are paused until your physiotherapist has looked at this." in paused
    waiting = list(Alert.objects.red_flags_waiting(patient.pk).values_list("pk", flat=True))
    hold_services.plan_resume(plan=plan, by=clinician.user, note="Phoned: fine.", reviewed=waiting)
    page = me.get(reverse("rehab:checkin")).content.decode()
    assert "Your exercises are paused" not in page
    assert "Your physiotherapist has looked at this." in page
    assert "You can do your exercises again" in me.get(reverse("rehab:today")).content.decode()


def test_after_the_review_today_names_the_day_the_red_flag_was_reported(
    clinician: Clinician, patient: Patient
) -> None:
    # (from review) Reported while the plan was still a draft (nothing to pause), the flag
    # paused the plan when it was activated two days later; after the review Today said
    # "reviewed what you reported on" the day of the activation, not of the report.
    plan, _phases = factories.active_plan(patient)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    reported = timezone.now() - dt.timedelta(days=2)
    with time_machine.travel(reported, tick=False):
        factories.red_flags_reported(patient, "circulation")
    plan.refresh_from_db()
    assert hold_services.plan_activate(plan=plan, activated_by=clinician.user).is_paused
    waiting = list(Alert.objects.red_flags_waiting(patient.pk).values_list("pk", flat=True))
    hold_services.plan_resume(plan=plan, by=clinician.user, note="Phoned: fine.", reviewed=waiting)
    html = client_for(patient.user).get(reverse("rehab:today")).content.decode()
    day = formats.date_format(timezone.localtime(reported, patient.tz), "j F")
    assert f"Your physiotherapist has reviewed what you reported on {day}." in html
