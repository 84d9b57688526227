"""The patient's pages: today, ticks without JavaScript (the Today page's script ticks through
the API: tests/api/test_logs.py), check-in, ATRS and plan (progress: test_progress.py)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from core.ids import opaque
from rehab import clinical
from rehab.models import (
    Alert,
    AtrsRequest,
    AtrsResponse,
    CheckIn,
    ExerciseLog,
    PhaseChange,
    Plan,
    PlanHold,
    PlanPhase,
    Prescription,
)
from rehab.services import holds
from tests import factories, js_modules
from tests.conftest import assert_login_redirect, client_for

pytestmark = pytest.mark.django_db

PAGES = ["rehab:today", "rehab:my_plan", "rehab:progress", "rehab:checkin", "rehab:atrs"]


def _active_plan(patient: Patient, *, phases: int = 1) -> tuple[Plan, list[PlanPhase]]:
    return factories.active_plan(patient, phases=phases)


@pytest.fixture
def rx(patient: Patient) -> Prescription:
    _plan, (phase,) = _active_plan(patient)
    return factories.PrescriptionFactory(phase=phase, sets=3, reps=10)


@pytest.fixture
def me(patient: Patient) -> Client:
    return client_for(patient.user)


def _tick(rx: Prescription, **extra: Any) -> dict[str, Any]:
    """A card's "One set done" button, as posted without JavaScript."""
    return {
        "client_uuid": str(uuid.uuid4()),
        "prescription": opaque(rx.pk),
        "sets_done": 1,
        **extra,
    }


# --- access, for every page ------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_each_page_works_for_the_patient_and_carries_the_disclaimer(
    me: Client, rx: Prescription, name: str
) -> None:
    response = me.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This plan comes from your physiotherapist" in html
    assert "more than mild discomfort, stop" in html
    assert 'href="/static/css/patient.css"' in html
    assert " style=" not in html
    assert " onclick=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "nonce=" in tag or 'type="application/json"' in tag, tag


@pytest.mark.parametrize("name", PAGES)
def test_a_clinician_gets_404_on_patient_pages(clinician: Clinician, name: str) -> None:
    assert client_for(clinician.user).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_a_record_gets_404(name: str) -> None:
    assert client_for(factories.UserFactory()).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_sign_in(db: None, name: str) -> None:
    assert_login_redirect(Client().get(reverse(name)), reverse(name))


@pytest.mark.parametrize(
    ("name", "args"),
    [("rehab:log_create", []), ("rehab:log_update", [1]), ("rehab:log_undo", [1])],
)
def test_tick_endpoints_need_a_signed_in_patient(
    clinician: Clinician, name: str, args: list[int]
) -> None:
    assert_login_redirect(Client().post(reverse(name, args=args), {}), reverse(name, args=args))
    assert client_for(clinician.user).post(reverse(name, args=args), {}).status_code == 404


def test_tick_endpoints_refuse_get(me: Client, rx: Prescription) -> None:
    assert me.get(reverse("rehab:log_create")).status_code == 405


# --- Today -----------------------------------------------------------------------------------


def test_today_shows_the_phase_precautions_and_the_exercise_card(
    patient: Patient, me: Client
) -> None:
    # Day 1 of a week from the anchor: an exercise done once a week is not due today.
    today = patient.local_today()
    patient.injury_date = today - dt.timedelta(days=36)
    patient.surgery_date = today - dt.timedelta(days=29)
    patient.save()
    _plan, (phase,) = _active_plan(patient)
    phase.weight_bearing = "WBAT in the CAM boot (a source)"
    phase.patient_care = "As comfortable in the boot\nBoot on for walking\n\nTwo wedges"
    phase.save()
    exercise = factories.ExerciseFactory(
        name="Towel calf stretch",
        video_url="https://video.example/watch?v=abc",
        video_start_seconds=95,
    )
    exercise.equipment.add(factories.EquipmentFactory(name="Towel or strap"))
    factories.PrescriptionFactory(
        phase=phase,
        exercise=exercise,
        sets=3,
        reps=None,
        hold_seconds=30,
        note="Gently, to mild tension only.",
        guardrail_reason="Cleared by the surgeon at review.",
    )
    factories.PrescriptionFactory(phase=phase, exercise__name="Heel raise", days_per_week=1)
    day = patient.local_today()
    response = me.get(reverse("rehab:today"))
    html = response.content.decode()
    assert "Stage 0" in html
    assert f"Week {patient.week_on(day)} since" in html
    for text in ("As comfortable in the boot", "Boot on for walking", "Two wedges"):
        assert f"<li>{text}</li>" in html
    # The clinician's words stay on the clinician's pages (a word: not a random token's letters).
    assert not re.search(r"\bWBAT\b", html)
    assert "Towel calf stretch" in html
    assert "3 holds of 30 seconds" in html  # the dose in plain words
    assert "Left leg (your injured side)" in html
    assert "<details" in html
    assert "<summary>How to do it, tips and safety</summary>" in html
    assert "Stand tall." in html
    assert "Keep the foot straight." in html
    assert "Stop at more than mild discomfort." in html
    assert "Towel or strap" in html
    assert 'href="https://video.example/watch?v=abc&amp;t=95"' in html
    assert "Watch the video (from 1:35)" in html
    assert "Gently, to mild tension only." in html
    # Placed early: the patient reads that their physiotherapist chose it, never the reason.
    assert "Cleared by the surgeon at review." not in html
    assert "Your physiotherapist chose to start this earlier than usual" in html
    # The guided session: started from the card or for all of today's exercises.
    assert 'data-role="start"' in html
    assert 'data-role="start-session"' in html
    assert '<dialog id="session"' in html
    assert "js/today/session.js" in js_modules.imports("js/today.js")
    assert response.context["config"]["session"]["holdFor"] == "Hold for %(s)s seconds"
    assert "Rest day for these" in html
    rest_section = html.split("Rest day for these")[1]
    assert "Heel raise" in rest_section
    config = response.context["config"]
    # The script ticks, edits and undoes through the API, not the page's form views.
    assert config["logsUrl"] == reverse("api:log-list") == "/api/v1/logs/"
    assert not {"logCreateUrl", "logUpdateUrl", "logUndoUrl"} & set(config)
    # A removed exercise's tick goes to the clinic through the API too (its success only is
    # "sent"; the messages page's form answers 200 when it refuses, too).
    assert config["messagesUrl"] == reverse("api:message-list") == "/api/v1/messages/"
    # Its copy kept on the phone and opened another day says which day it is of.
    assert "%(day)s" in str(config["strings"]["savedDayOffline"])
    assert 'id="saved-day-note"' in html
    # What a removed exercise's card says, and the refused note's buttons (kept on the phone
    # until the patient sends or removes it), in the page's language.
    assert {
        "removedFromPlan",
        "removedNoteSent",
        "removedNoteNotSent",
        "noteResend",
        "noteDismiss",
        "noteResent",
        "noteResendOffline",
    } <= set(config["strings"])
    assert config["timezone"] == patient.timezone
    assert 'id="today-config" type="application/json"' in html
    assert 'id="queue-status"' in html
    assert 'aria-live="polite"' in html
    assert '<script type="module" src="/static/js/today.js"' in html


@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("rehab:today", "js/today.js"),
        *((name, "js/records.js") for name in ("rehab:checkin", "rehab:atrs")),
    ],
)
def test_the_pages_script_modules_are_fetched_at_once(
    me: Client, rx: Prescription, name: str, script: str
) -> None:
    """Each module the page's script imports is preloaded: fetched with the page, not one
    import level at a time (a patient may tap a card's button at once)."""
    html = me.get(reverse(name)).content.decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)"', html))
    assert preloaded == js_modules.modules(script) - {script}
    assert f'<script type="module" src="/static/{script}"' in html


def test_today_shows_the_exercises_instructions_escaped_with_the_videos_start(
    patient: Patient, me: Client
) -> None:
    _plan, (phase,) = _active_plan(patient)
    factories.PrescriptionFactory(
        phase=phase,
        exercise__patient_summary="Calf <strong> work",
        exercise__video_url="https://video.example/v",
        exercise__video_start_seconds=65,
    )
    html = me.get(reverse("rehab:today")).content.decode()
    assert "Calf &lt;strong&gt; work" in html  # escaped once, not twice nor raw
    assert "<li>Stand tall.</li>" in html
    assert "Watch the video (from 1:05)" in html


def test_an_edit_to_an_exercise_shows_at_once_on_today(rx: Prescription, me: Client) -> None:
    """The instructions are a template fragment cached by the exercise's ``updated_at``."""
    assert "Rise slowly." in me.get(reverse("rehab:today")).content.decode()
    rx.exercise.steps = ["Rise on both feet."]
    rx.exercise.save()
    html = me.get(reverse("rehab:today")).content.decode()
    assert "Rise on both feet." in html
    assert "Rise slowly." not in html


def test_today_without_a_plan(me: Client) -> None:
    response = me.get(reverse("rehab:today"))
    assert "has not given you a plan yet" in response.content.decode()


def test_today_shows_the_done_state_after_a_reload(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    html = me.get(reverse("rehab:today")).content.decode()
    assert "Sets done: 0 of 3" in html
    assert "is-done" not in html
    me.post(reverse("rehab:log_create"), _tick(rx, sets_done=1))
    html = me.get(reverse("rehab:today")).content.decode()
    assert "Sets done: 1 of 3" in html
    log = ExerciseLog.objects.get()
    assert f'data-open-id="{opaque(log.pk)}"' in html
    assert f'action="{reverse("rehab:log_update", args=[log.pk])}"' in html  # next set, no JS
    me.post(reverse("rehab:log_update", args=[log.pk]), {"sets_done": 3})
    html = me.get(reverse("rehab:today")).content.decode()
    assert "rehab-card mb-3 is-done" in html
    assert 'data-role="done-badge" hidden' not in html  # "Done for today" shown
    assert 'data-sessions="1"' in html
    assert _sessions_lines(html) == [""]  # once a day: the badge says it, no "1 of 1"


def test_today_counts_sessions_only_for_an_exercise_done_several_times_a_day(
    patient: Patient, me: Client
) -> None:
    """A card saying "Sessions today: 0 of 1" is not how a patient speaks of a once-a-day
    exercise: it has no count (its "Done for today" badge says when it is done); several a
    day keep theirs."""
    _plan, (phase,) = _active_plan(patient)
    once = factories.PrescriptionFactory(phase=phase, sets=1, reps=10, times_per_day=1)
    thrice = factories.PrescriptionFactory(phase=phase, sets=1, reps=10, times_per_day=3)
    html = me.get(reverse("rehab:today")).content.decode()
    assert _sessions_lines(html) == ["", "Sessions today: 0 of 3"]
    for rx in (once, thrice):
        me.post(reverse("rehab:log_create"), _tick(rx))
    html = me.get(reverse("rehab:today")).content.decode()
    assert _sessions_lines(html) == ["", "Sessions today: 1 of 3"]
    assert html.count('data-role="done-badge" hidden') == 1  # the once-a-day one is done


def test_today_never_counts_more_sessions_than_prescribed(patient: Patient, me: Client) -> None:
    """From review: a patient who did an exercise prescribed three times a day a fourth time
    (another phone, a tick queued offline, a dose lowered during the day) read "Sessions
    today: 4 of 3", which contradicts the prescription and reads as a mistake. The line
    stops at what was prescribed, "3 of 3", beside "Done for today"; every tick is still
    stored and the card's data (``data-sessions``) keeps the true count for its script."""
    _plan, (phase,) = _active_plan(patient)
    rx = factories.PrescriptionFactory(phase=phase, sets=1, reps=10, times_per_day=3)
    for _ in range(4):
        factories.ExerciseLogFactory(prescription=rx, date=patient.local_today(), sets_done=1)
    html = me.get(reverse("rehab:today")).content.decode()
    assert _sessions_lines(html) == ["Sessions today: 3 of 3"]
    assert 'data-role="done-badge" hidden' not in html  # "Done for today"
    assert 'data-sessions="4"' in html


def _sessions_lines(html: str) -> list[str]:
    """What each card's sessions line says, in the page's order."""
    return [
        " ".join(line.split())
        for line in re.findall(r'data-role="sessions-text">(.*?)</span>', html, re.S)
    ]


def test_today_is_due_by_the_patients_local_day(db: None) -> None:
    # 23:30 UTC on Monday 10 March is already Tuesday in Auckland.
    with time_machine.travel(dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        for tz, due in (("Pacific/Auckland", True), ("Europe/London", False)):
            patient = factories.PatientFactory(
                timezone=tz,
                pathway=Patient.Pathway.NON_OPERATIVE,
                injury_date=dt.date(2025, 3, 4),
            )
            _plan, (phase,) = _active_plan(patient)
            factories.PrescriptionFactory(
                phase=phase, exercise__name="Weekly exercise", days_per_week=1
            )
            response = client_for(patient.user).get(reverse("rehab:today"))
            due_section = response.content.decode().split("Exercises for today")[1]
            due_section = due_section.split("Rest day for these")[0]
            assert ("Weekly exercise" in due_section) is due


def test_today_shows_the_new_phase_from_the_day_it_takes_effect(
    patient: Patient, me: Client
) -> None:
    plan, (first, second) = _active_plan(patient, phases=2)
    factories.PrescriptionFactory(phase=first, exercise__name="Old exercise")
    factories.PrescriptionFactory(phase=second, exercise__name="New exercise")
    PhaseChange.objects.create(
        plan=plan, from_phase=first, to_phase=second, effective_on=patient.local_today()
    )
    Plan.objects.filter(pk=plan.pk).update(current_phase=second)
    html = me.get(reverse("rehab:today")).content.decode()
    assert "New exercise" in html
    assert "Old exercise" not in html
    assert "Stage 1" in html


def test_today_offers_the_atrs_when_requested(patient: Patient, me: Client) -> None:
    assert "Answer the questions" not in me.get(reverse("rehab:today")).content.decode()
    AtrsRequest.objects.create(patient=patient)
    html = me.get(reverse("rehab:today")).content.decode()
    assert "Your physiotherapist asks you to answer ten quick questions" in html
    assert f'href="{reverse("rehab:atrs")}"' in html


def test_today_offers_the_atrs_in_week_6(db: None) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        patient = factories.PatientFactory(
            pathway=Patient.Pathway.NON_OPERATIVE,
            injury_date=dt.date(2025, 3, 10) - dt.timedelta(weeks=6, days=2),
        )
        html = client_for(patient.user).get(reverse("rehab:today")).content.decode()
        assert "You are around week 6 of your recovery" in html


def test_today_links_the_checkin_until_it_is_done(patient: Patient, me: Client) -> None:
    assert "Do today's check-in" in me.get(reverse("rehab:today")).content.decode()
    factories.CheckInFactory(patient=patient, date=patient.local_today())
    assert "Do today's check-in" not in me.get(reverse("rehab:today")).content.decode()


def test_today_query_count_is_constant(
    patient: Patient, me: Client, django_assert_max_num_queries: Any
) -> None:
    _plan, (phase,) = _active_plan(patient)
    factories.grow_plan(patient, phase, 2)
    # session, user, patient (patient_required); the plan with the phase in force (a subquery),
    # prescriptions + exercises, equipment, the exercises' photos and videos, the patient's
    # own, today's logs (today_for_patient); today's check-in and the ATRS offer, in any week
    # (today_notices); notify's reminder offer; base.html's user.clinician; +1 audit event.
    # The exercises' instructions are template fragments cached in memory: no query.
    with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as small:
        assert me.get(reverse("rehab:today")).status_code == 200
    factories.grow_plan(patient, phase, 20)
    with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as large:
        response = me.get(reverse("rehab:today"))
    assert len(response.context["today"].items) == 22
    assert len(small) == len(large)


# --- a red flag's advice on Today, with or without a plan to pause -------------------------


def test_red_flag_advice_stays_on_today_without_a_plan_in_care(clinician: Clinician) -> None:
    """clinical.md §4, "After a red flag": "the advice stays on the patient's Today as a
    banner, with the clinic's phone number and the out-of-hours/emergency fallback, and exercise
    is paused until a clinician has reviewed the alert …".

    From review: the banner was drawn only from a plan's hold, and ``plan_pause`` makes no hold
    when the patient follows no plan yet (a new patient, or a draft plan), so such a patient who
    reported a possible clot saw nothing of the advice on Today afterwards ("Your
    physiotherapist has not given you a plan yet."). While the red flag waits for a clinician's
    review, Today shows its advice (here the DVT's "Get urgent medical advice today") whether or
    not there is a plan to pause."""
    patient = factories.PatientFactory(clinic=clinician.clinic, therapist=clinician)
    factories.red_flags_reported(patient, "dvt")
    page = client_for(patient.user).get(reverse("rehab:today")).text
    assert "Get urgent medical advice today" in page


def test_without_a_plan_the_advice_has_the_clinics_numbers_until_each_alert_is_reviewed(
    clinician: Clinician, patient: Patient, me: Client
) -> None:
    """A draft plan is not followed yet: nothing to pause, the advice all the same. It goes
    when a clinician acknowledges the alerts in the inbox (no plan to resume)."""
    clinic = clinician.clinic
    clinic.phone, clinic.out_of_hours_phone, clinic.emergency_number = "020 7946 0000", "111", "999"
    clinic.save()
    factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    factories.red_flags_reported(patient, "dvt", "circulation")
    assert not PlanHold.objects.exists()
    html = me.get(reverse("rehab:today")).text
    banner = html.split('id="paused-heading"', 1)[1].split("</section>", 1)[0]
    assert "What you told us needs checking" in banner
    assert "Your exercises are paused" not in html  # there are none yet
    for code in ("dvt", "circulation"):
        assert str(clinical.RED_FLAGS_BY_CODE[code].advice) in banner
    for number in ("02079460000", "111", "999"):
        assert f'href="tel:{number}"' in banner
    assert "Your physiotherapist has not given you a plan yet." in html
    physio = client_for(clinician.user)
    dvt, circulation = (
        Alert.objects.get(kind=Alert.Kind.RED_FLAG, code=code) for code in ("dvt", "circulation")
    )
    physio.post(reverse("rehab:alert_acknowledge", args=[dvt.pk]))
    html = me.get(reverse("rehab:today")).text
    assert str(clinical.RED_FLAGS_BY_CODE["dvt"].advice) not in html
    assert str(clinical.RED_FLAGS_BY_CODE["circulation"].advice) in html
    physio.post(reverse("rehab:alert_acknowledge", args=[circulation.pk]))
    assert 'id="paused-heading"' not in me.get(reverse("rehab:today")).text


def test_a_discharged_patients_red_flag_advice_does_not_wait_for_a_go_ahead(
    clinician: Clinician, patient: Patient, me: Client
) -> None:
    """Discharged with a red flag not yet reviewed (clinical.md §4: a possible clot or
    re-rupture still needs a clinician). The discharge completed the paused plan, so Today
    showed the no-plan words: "Do not start any exercises until your physiotherapist has
    looked at what you told us and says you can." Their care here has ended: no plan will be
    resumed, so that go-ahead never comes here, and no physiotherapist here follows them. The
    advice stays, and tells them to contact their clinic or their doctor themselves and not
    to exercise until one of them has checked it."""
    _active_plan(patient)
    factories.red_flags_reported(patient, "rerupture")
    patient_services.patient_discharge(patient=patient)
    for name in ("rehab:today", "rehab:my_plan"):
        html = me.get(reverse(name)).text
        assert html.count('id="paused-heading"') == 1, name
        banner = html.split('id="paused-heading"', 1)[1].split("</section>", 1)[0]
        assert "What you told us needs checking" in banner, name
        assert "says you can" not in banner, name
        assert "Do not start any exercises" not in banner, name
        assert (
            "Your clinic has been alerted, but your care here has ended: contact your clinic "
            "or your doctor about what you told us yourself. Do not exercise until one of them "
            "has checked it."
        ) in banner, name
        assert str(clinical.RED_FLAGS_BY_CODE["rerupture"].advice) in banner, name
        assert "Your care here has ended." in html, name
    alert = Alert.objects.get(kind=Alert.Kind.RED_FLAG)
    client_for(clinician.user).post(reverse("rehab:alert_acknowledge", args=[alert.pk]))
    assert 'id="paused-heading"' not in me.get(reverse("rehab:today")).text


def test_with_a_plan_the_red_flag_shows_the_paused_banner_once(
    patient: Patient, me: Client
) -> None:
    _active_plan(patient)
    factories.red_flags_reported(patient, "dvt")
    html = me.get(reverse("rehab:today")).text
    assert html.count('id="paused-heading"') == 1
    assert "Your exercises are paused" in html
    assert "What you told us needs checking" not in html
    assert str(clinical.RED_FLAGS_BY_CODE["dvt"].advice) in html


def test_a_paused_plan_says_the_emergency_line_once(patient: Patient, me: Client) -> None:
    """From the phone review: with exercise paused after a red flag, Today said "If you are
    breathless, have chest pain or cough up blood, call emergency services now" twice, in the
    paused banner and again at the foot of the page. Once, in the banner; the foot keeps it on
    every other page (and on Today without a pause)."""
    patient.clinic.emergency_number = "112"
    patient.clinic.save()
    _active_plan(patient)
    line = "call emergency services now"
    assert me.get(reverse("rehab:today")).text.count(line) == 1  # the foot's, no pause yet
    factories.red_flags_reported(patient, "dvt")
    for name in ("rehab:today", "rehab:my_plan"):
        html = me.get(reverse(name)).text
        assert html.count(line) == 1, name
        banner = html.split('id="paused-heading"', 1)[1].split("</section>", 1)[0]
        assert line in banner, name
        assert 'href="tel:112"' in banner, name
    assert me.get(reverse("rehab:progress")).text.count(line) == 1


def test_a_single_set_exercise_does_not_count_sets_out_of_one(patient: Patient, me: Client) -> None:
    """From the phone review: a one-set exercise's card said "Sets done: 0 of 1". Counting sets
    is for several; one set is done or not (the "Done for today" badge and the sessions
    line say so)."""
    _plan, (phase,) = _active_plan(patient)
    factories.PrescriptionFactory(phase=phase, sets=1, reps=10)
    factories.PrescriptionFactory(phase=phase, sets=3, reps=10)
    html = re.sub(r"\s+", " ", me.get(reverse("rehab:today")).text)
    assert "Sets done: 0 of 1" not in html
    assert "Sets done: 0 of 3" in html


def test_my_progress_does_not_count_one_set_out_of_one(patient: Patient, me: Client) -> None:
    """From the look review (360×740): My progress's day-by-day list said "Exercise bike: 1
    set" of ten minutes on the bike, where Today's card counts sets only when there are
    several. A one-set exercise's log reads "done"; several sets are still counted."""
    _plan, (phase,) = _active_plan(patient)
    bike = factories.PrescriptionFactory(
        phase=phase, sets=1, reps=None, duration_minutes=10, exercise__name="Bike"
    )
    raises = factories.PrescriptionFactory(phase=phase, sets=3, reps=10, exercise__name="Raises")
    factories.ExerciseLogFactory(prescription=bike, sets_done=1, pain=2, effort=None)
    factories.ExerciseLogFactory(prescription=raises, sets_done=1, pain=None, effort=None)
    html = re.sub(r"\s+", " ", me.get(reverse("rehab:progress")).text)
    assert "<li>Bike: done · pain 2/10</li>" in html
    assert "<li>Raises: 1 set</li>" in html  # one of three: counted


# --- ticking without JavaScript -------------------------------------------------------------
# The form path: each answer is a redirect back to Today with a message. The Today page's
# script ticks through the API instead (tests/api/test_logs.py: 201/200, 400 bodies, undo).


def _sent(me: Client, name: str, data: dict[str, Any], *args: int) -> str:
    """Post the form; the messages of the Today page it is sent back to, one a line."""
    response = me.post(reverse(name, args=args), data, follow=True)
    assert response.redirect_chain == [(reverse("rehab:today"), 302)]
    return "\n".join(str(message) for message in response.context["messages"])


def test_no_js_tick_redirects_to_today_with_a_message(me: Client, rx: Prescription) -> None:
    data = _tick(rx, sets_done=3)
    assert _sent(me, "rehab:log_create", data).startswith("Ticked:")
    me.post(reverse("rehab:log_create"), data)  # the same form sent twice
    assert ExerciseLog.objects.count() == 1


def test_the_same_tick_again_is_stored_once_with_its_first_values(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    data = _tick(rx, sets_done=1, date=patient.local_today().isoformat())
    _sent(me, "rehab:log_create", data)
    assert _sent(me, "rehab:log_create", {**data, "sets_done": 3}).startswith("Ticked:")
    log = ExerciseLog.objects.get()
    assert (str(log.client_uuid), log.sets_done) == (data["client_uuid"], 1)


def test_a_tick_says_how_many_sets_were_done(me: Client, rx: Prescription) -> None:
    # What was done is the patient's to say (each button says it): no count is not a guess.
    without = {k: v for k, v in _tick(rx, pain=2).items() if k != "sets_done"}
    assert _sent(me, "rehab:log_create", without) == "Not saved: Say how many sets you did."
    assert not ExerciseLog.objects.exists()
    _sent(me, "rehab:log_create", _tick(rx, sets_done=3, pain=2, effort=4))
    log = ExerciseLog.objects.get()
    assert (log.sets_done, log.pain, log.effort) == (3, 2, 4)


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"pain": 11}, "Choose a number from 0 to 10."),
        ({"pain": -1}, "Choose a number from 0 to 10."),
        ({"effort": 11}, "Choose a number from 0 to 10."),
        ({"effort": "lots"}, "Choose a number from 0 to 10."),
        ({"sets_done": 0}, "At least one set"),
        ({"client_uuid": "not-a-uuid"}, "valid UUID"),
        ({"date": "2999-01-01"}, "future"),
        ({"prescription": 999999}, "not part of your active plan"),
    ],
)
def test_bad_ticks_are_refused_with_clear_errors(
    me: Client, rx: Prescription, extra: dict[str, Any], error: str
) -> None:
    said = _sent(me, "rehab:log_create", {**_tick(rx), **extra})
    assert said.startswith("Not saved: ")
    assert error in said
    assert not ExerciseLog.objects.exists()


def test_a_future_date_in_the_patients_zone_is_refused(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    tomorrow = patient.local_today() + dt.timedelta(days=1)
    said = _sent(me, "rehab:log_create", _tick(rx, date=tomorrow.isoformat()))
    assert said == "Not saved: You cannot log an exercise for a future day."
    assert not ExerciseLog.objects.exists()


def test_a_past_date_within_the_plan_is_accepted(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    Prescription.objects.filter(pk=rx.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    yesterday = patient.local_today() - dt.timedelta(days=1)
    assert _sent(me, "rehab:log_create", _tick(rx, date=yesterday.isoformat())).startswith(
        "Ticked:"
    )
    assert ExerciseLog.objects.get().date == yesterday


def test_a_day_before_the_exercise_was_prescribed_is_refused(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    # The plan started weeks ago; the exercise was added to it today.
    yesterday = patient.local_today() - dt.timedelta(days=1)
    said = _sent(me, "rehab:log_create", _tick(rx, date=yesterday.isoformat()))
    assert said == (
        "Not saved: This exercise was not in your plan yet on that day; choose a later day."
    )
    assert not ExerciseLog.objects.exists()
    assert _sent(me, "rehab:log_create", _tick(rx)).startswith("Ticked:")  # today is fine


def test_another_patients_prescription_is_refused(
    me: Client, rx: Prescription, other_patient: Patient
) -> None:
    _plan, (phase,) = _active_plan(other_patient)
    theirs = factories.PrescriptionFactory(phase=phase)
    said = _sent(me, "rehab:log_create", _tick(theirs))
    assert said == "Not saved: This exercise is not part of your active plan."
    assert not ExerciseLog.objects.exists()


def test_a_draft_plans_prescription_or_a_bad_id_is_refused(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    """Only the active plan's exercises can be ticked; an id that is no prescription at all
    gets the same answer, and so does the prescription's row number instead of its opaque id
    (the card and the API name it by that only)."""
    draft = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    drafted = factories.PrescriptionFactory(phase=factories.PlanPhaseFactory(plan=draft))
    for sent in (opaque(drafted.pk), rx.pk, "abc", -1, 10**19, "x" * 70):
        said = _sent(me, "rehab:log_create", {**_tick(rx), "prescription": sent})
        assert said == "Not saved: This exercise is not part of your active plan.", sent
    assert not ExerciseLog.objects.exists()


def test_a_tick_retried_after_the_plan_ended_returns_the_stored_tick(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    tick = _tick(rx)
    _sent(me, "rehab:log_create", tick)
    first = ExerciseLog.objects.get()
    Plan.objects.filter(patient=patient).update(status=Plan.Status.COMPLETED)
    assert _sent(me, "rehab:log_create", tick).startswith("Ticked:")
    assert ExerciseLog.objects.get().pk == first.pk


def test_a_retired_prescription_is_refused(me: Client, rx: Prescription) -> None:
    Prescription.objects.filter(pk=rx.pk).update(retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert _sent(me, "rehab:log_create", _tick(rx)) == (
        "Not saved: This exercise is not part of your active plan."
    )
    assert not ExerciseLog.objects.exists()


def test_high_pain_on_a_tick_raises_an_alert(me: Client, rx: Prescription) -> None:
    said = _sent(me, "rehab:log_create", _tick(rx, pain=8))
    assert Alert.objects.get().kind == Alert.Kind.HIGH_PAIN
    assert said.startswith("Your pain is high. Stop")


def test_no_js_bad_tick_shows_the_error_and_saves_nothing(me: Client, rx: Prescription) -> None:
    response = me.post(reverse("rehab:log_create"), _tick(rx, pain=12), follow=True)
    assert response.redirect_chain == [(reverse("rehab:today"), 302)]
    assert "Not saved: Choose a number from 0 to 10." in response.content.decode()
    assert not ExerciseLog.objects.exists()


def test_the_today_page_forms_post_a_server_made_uuid(me: Client, rx: Prescription) -> None:
    html = me.get(reverse("rehab:today")).content.decode()
    match = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', html)
    assert match
    assert f'name="prescription" value="{opaque(rx.pk)}"' in html
    assert 'name="sets_done"' in html
    assert 'value="3"' in html


def test_a_tick_asking_for_json_gets_the_page_not_json(me: Client, rx: Prescription) -> None:
    """The form views answer pages only: JSON is the API's (``/api/v1/logs/``)."""
    response = me.post(reverse("rehab:log_create"), _tick(rx), HTTP_ACCEPT="application/json")
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:today")
    assert ExerciseLog.objects.count() == 1


# --- log_update and log_undo without JavaScript --------------------------------------------------


def test_log_update_saves_pain_effort_and_note(
    me: Client, rx: Prescription, patient: Patient
) -> None:
    # Today's, the patient's (the factory's default is the server's day, UTC: from 23:00 to
    # midnight in British Summer Time the day before, which the page refuses to change).
    log = factories.ExerciseLogFactory(
        prescription=rx, date=patient.local_today(), pain=None, effort=None, sets_done=1
    )
    said = _sent(me, "rehab:log_update", {"pain": 3, "effort": 6, "note": "Tight calf"}, log.pk)
    assert said == "Saved."
    log.refresh_from_db()
    assert (log.pain, log.effort, log.note, log.sets_done) == (3, 6, "Tight calf", 1)


def test_log_update_without_js_redirects(me: Client, rx: Prescription, patient: Patient) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, date=patient.local_today(), sets_done=1)
    response = me.post(reverse("rehab:log_update", args=[log.pk]), {"sets_done": 2})
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.sets_done == 2


@pytest.mark.parametrize(
    "data", [{"pain": 11}, {"effort": -2}, {"sets_done": ""}, {"sets_done": 0}, {}]
)
def test_log_update_refuses_bad_values(me: Client, rx: Prescription, data: dict[str, Any]) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, pain=1, effort=1, sets_done=1)
    assert _sent(me, "rehab:log_update", data, log.pk).startswith("Not saved: ")
    log.refresh_from_db()
    assert (log.pain, log.effort, log.sets_done) == (1, 1, 1)


def test_log_update_only_on_the_same_day(me: Client, rx: Prescription, patient: Patient) -> None:
    log = factories.ExerciseLogFactory(
        prescription=rx, date=patient.local_today() - dt.timedelta(days=1), pain=1
    )
    said = _sent(me, "rehab:log_update", {"pain": 5}, log.pk)
    assert said == "Not saved: Only today's entries can be changed. What you entered: pain 5."
    log.refresh_from_db()
    assert log.pain == 1


def test_a_refused_how_it_felt_says_back_what_was_entered(
    me: Client, rx: Prescription, patient: Patient
) -> None:
    # Without JavaScript the refusal sends the patient back to Today: the scores and words they
    # entered are said back in the message, not lost (the page open past midnight: yesterday's
    # tick can no longer change).
    log = factories.ExerciseLogFactory(
        prescription=rx, date=patient.local_today() - dt.timedelta(days=1), pain=1, note=""
    )
    said = _sent(
        me, "rehab:log_update", {"pain": 5, "effort": "", "note": "Calf <tight> after"}, log.pk
    )
    assert said == (
        "Not saved: Only today's entries can be changed. "
        "What you entered: pain 5, note \u201cCalf <tight> after\u201d."
    )
    log.refresh_from_db()
    assert (log.pain, log.note) == (1, "")


def test_a_refused_long_note_is_said_back_whole(
    me: Client, rx: Prescription, patient: Patient
) -> None:
    # The longest note the form takes: too long for the messages' cookie, kept in the session.
    log = factories.ExerciseLogFactory(
        prescription=rx, date=patient.local_today() - dt.timedelta(days=1)
    )
    note = "Calf tight. " * 166
    said = _sent(me, "rehab:log_update", {"note": note}, log.pk)
    assert said.endswith(f"What you entered: note \u201c{note.strip()}\u201d.")


def test_a_refused_tick_says_nothing_back_when_nothing_was_entered(
    me: Client, rx: Prescription, patient: Patient
) -> None:
    log = factories.ExerciseLogFactory(
        prescription=rx, date=patient.local_today() - dt.timedelta(days=1), sets_done=1
    )
    said = _sent(me, "rehab:log_update", {"pain": "", "effort": "", "note": " "}, log.pk)
    assert said == "Not saved: Only today's entries can be changed."


def test_another_patients_log_is_404(me: Client, other_patient: Patient) -> None:
    _plan, (phase,) = _active_plan(other_patient)
    theirs = factories.ExerciseLogFactory(prescription=factories.PrescriptionFactory(phase=phase))
    assert me.post(reverse("rehab:log_update", args=[theirs.pk]), {"pain": 9}).status_code == 404
    assert me.post(reverse("rehab:log_undo", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.pain == 2


def test_log_undo_removes_todays_tick(me: Client, rx: Prescription, patient: Patient) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, date=patient.local_today())
    response = me.post(reverse("rehab:log_undo", args=[log.pk]))
    assert response.status_code == 302
    assert not ExerciseLog.objects.exists()
    assert me.post(reverse("rehab:log_undo", args=[log.pk])).status_code == 404


def test_log_undo_without_js_redirects(me: Client, rx: Prescription, patient: Patient) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, date=patient.local_today())
    assert _sent(me, "rehab:log_undo", {}, log.pk) == "Tick undone."


def test_log_undo_only_on_the_same_day(me: Client, rx: Prescription, patient: Patient) -> None:
    log = factories.ExerciseLogFactory(
        prescription=rx, date=patient.local_today() - dt.timedelta(days=2)
    )
    said = _sent(me, "rehab:log_undo", {}, log.pk)
    assert said == "Not saved: Only today's entries can be undone."
    assert ExerciseLog.objects.filter(pk=log.pk).exists()


# --- check-in ------------------------------------------------------------------------------------


def _checkin(**extra: Any) -> dict[str, Any]:
    return {"client_uuid": str(uuid.uuid4()), "pain_at_rest": 2, "swelling": "mild", **extra}


def test_checkin_form_asks_the_five_red_flag_questions(me: Client) -> None:
    html = me.get(reverse("rehab:checkin")).content.decode()
    for flag in clinical.RED_FLAGS:
        assert f'name="flag_{flag.code}"' in html
        assert str(flag.question) in html
    # 0–10 and "No answer" (issue 16: unanswered until the patient picks a number), chosen.
    assert html.count('type="radio" name="pain_at_rest"') == 12
    assert re.search(r'name="pain_at_rest" value=""[^>]*checked', html)
    for value, label in (("none", "None"), ("severe", "Severe")):
        assert f'value="{value}"' in html
        assert label in html
    assert (
        '<label class="btn btn-outline-primary" for="id_pain_at_rest_0">No answer</label>' in html
    )
    assert '<label class="btn btn-outline-primary" for="id_pain_at_rest_1">0</label>' in html


def test_a_red_flag_shows_the_advice_at_once_and_alerts_the_clinic(
    me: Client, patient: Patient
) -> None:
    response = me.post(reverse("rehab:checkin"), _checkin(flag_dvt="on"), follow=True)
    assert response.redirect_chain == [(reverse("rehab:checkin"), 302)]
    html = response.content.decode()
    assert 'class="alert alert-danger rehab-red-flag" role="alert"' in html
    assert str(clinical.RED_FLAGS_BY_CODE["dvt"].advice) in html
    assert "Your clinic has been alerted" in html
    alert = Alert.objects.get()
    assert (alert.kind, alert.code, alert.patient) == (Alert.Kind.RED_FLAG, "dvt", patient)


def test_a_red_flag_alone_is_sent_without_the_other_answers(me: Client, patient: Patient) -> None:
    """From exploratory testing: a patient who ticks only "a sudden pop or snap" was sent back
    with "Choose how swollen your leg is. Nothing was saved.": no advice, no alert. Swelling is
    optional like pain at rest ("No answer" first, chosen), so the red flag always gets through."""
    html = me.get(reverse("rehab:checkin")).content.decode()
    assert re.search(r'name="swelling" value=""[^>]*checked', html)
    assert '<label class="btn btn-outline-primary" for="id_swelling_0">No answer</label>' in html
    data = {"client_uuid": str(uuid.uuid4()), "flag_rerupture": "on"}
    response = me.post(reverse("rehab:checkin"), data, follow=True)
    assert response.redirect_chain == [(reverse("rehab:checkin"), 302)]
    assert str(clinical.RED_FLAGS_BY_CODE["rerupture"].advice) in response.content.decode()
    assert CheckIn.objects.get().swelling is None
    assert Alert.objects.get().code == "rerupture"


def test_high_pain_at_rest_alerts_the_clinic(me: Client) -> None:
    html = me.post(reverse("rehab:checkin"), _checkin(pain_at_rest=7), follow=True)
    assert "Your pain at rest is 7 out of 10." in html.content.decode()
    assert Alert.objects.get().kind == Alert.Kind.HIGH_PAIN


def test_a_repeated_checkin_submit_makes_one_row(me: Client) -> None:
    data = _checkin(flag_pe="on")
    me.post(reverse("rehab:checkin"), data)
    me.post(reverse("rehab:checkin"), data)
    assert CheckIn.objects.count() == 1
    assert Alert.objects.count() == 1


def test_a_second_checkin_the_same_day_updates_it(me: Client, patient: Patient) -> None:
    me.post(reverse("rehab:checkin"), _checkin())
    response = me.get(reverse("rehab:checkin"))
    assert "today's check-in is saved" in response.content.decode()
    assert response.context["form"].initial["swelling"] == "mild"
    me.post(reverse("rehab:checkin"), _checkin(swelling="moderate"))
    assert CheckIn.objects.get().swelling == "moderate"


def test_the_days_second_checkin_sent_again_after_the_review_changes_nothing(
    me: Client, patient: Patient, clinician: Clinician
) -> None:
    """From review: the same form (its ``client_uuid``) sent again after the clinician has
    reviewed its red flag and resumed the plan (the browser resending a post whose answer was
    lost) is the same submit: no second alert, no second hold, the plan stays resumed."""
    plan, _phases = _active_plan(patient)
    me.post(reverse("rehab:checkin"), _checkin())
    second = _checkin(flag_dvt="on")
    assert me.post(reverse("rehab:checkin"), second).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PAUSED
    waiting = Alert.objects.red_flags_waiting(patient.pk).values_list("pk", flat=True)
    holds.plan_resume(plan=plan, by=clinician.user, note="Scan clear", reviewed=waiting)

    assert me.post(reverse("rehab:checkin"), second).status_code == 302
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG).count() == 1
    assert PlanHold.objects.filter(plan=plan).count() == 1
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pain_at_rest": 11}, "pain_at_rest"),
        ({"pain_at_rest": "five"}, "pain_at_rest"),
        ({"swelling": "enormous"}, "swelling"),
        ({"client_uuid": ""}, "client_uuid"),
    ],
)
def test_bad_checkins_show_errors_and_save_nothing(
    me: Client, data: dict[str, Any], field: str
) -> None:
    response = me.post(reverse("rehab:checkin"), _checkin(**data))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "Nothing was saved" in response.content.decode()
    assert not CheckIn.objects.exists()
    assert not Alert.objects.exists()


# --- ATRS ----------------------------------------------------------------------------------------


def _atrs(**extra: Any) -> dict[str, Any]:
    return {"client_uuid": str(uuid.uuid4()), **{f"item_{n}": n - 1 for n in range(1, 11)}, **extra}


def test_atrs_form_has_ten_labelled_groups_of_eleven(me: Client) -> None:
    html = me.get(reverse("rehab:atrs")).content.decode()
    assert html.count("<fieldset") == 10
    assert html.count("<legend") == 10
    assert html.count('type="radio"') == 110
    for item in clinical.ATRS_ITEMS:
        assert str(item.question) in html
    assert str(clinical.ATRS_ANCHOR_LOW) in html
    assert str(clinical.ATRS_ANCHOR_HIGH) in html
    assert "Questions 8 to 10" in html


def test_atrs_total_is_computed_on_the_server_and_listed(me: Client, patient: Patient) -> None:
    response = me.post(reverse("rehab:atrs"), {**_atrs(), "total": 100}, follow=True)
    assert response.redirect_chain == [(reverse("rehab:atrs"), 302)]
    saved = AtrsResponse.objects.get()
    assert saved.total == 45
    assert saved.patient == patient
    html = response.content.decode()
    assert "Your score today: 45 out of 100." in html
    # The same words each time the page says the score: the thanks, today's answer, the list.
    assert html.count("45 out of 100") == 3
    assert "45 of 100" not in html


def test_atrs_answer_closes_the_clinics_request(me: Client, patient: Patient) -> None:
    request = AtrsRequest.objects.create(patient=patient)
    me.post(reverse("rehab:atrs"), _atrs())
    request.refresh_from_db()
    assert request.response is not None


def test_atrs_same_submit_twice_is_one_row(me: Client) -> None:
    data = _atrs()
    me.post(reverse("rehab:atrs"), data)
    me.post(reverse("rehab:atrs"), data)
    assert AtrsResponse.objects.count() == 1


def test_atrs_sent_again_the_same_day_changes_todays_answer(me: Client, patient: Patient) -> None:
    me.post(reverse("rehab:atrs"), _atrs())
    html = me.get(reverse("rehab:atrs")).content.decode()
    assert "You answered today (score 45 out of 100)" in html
    assert "it does not add a second score" in html
    # Today's answers are shown, ready to change.
    assert re.search(r'name="item_10" value="9"[^>]*checked', html)
    me.post(reverse("rehab:atrs"), _atrs(item_1=10))
    saved = AtrsResponse.objects.get()
    assert saved.total == 55
    assert saved.patient == patient


def test_today_shows_the_atrs_offer_near_the_top(patient: Patient, me: Client) -> None:
    AtrsRequest.objects.create(patient=patient)
    html = me.get(reverse("rehab:today")).content.decode()
    assert "rehab-atrs-offer" in html
    assert html.index("rehab-atrs-offer") < html.index("rehab-disclaimer")


@pytest.mark.parametrize("bad", [{"item_4": ""}, {"item_9": 11}, {"item_1": -1}, {"item_2": "x"}])
def test_atrs_missing_or_out_of_range_item_is_refused(me: Client, bad: dict[str, Any]) -> None:
    data = _atrs(**bad)
    if bad.get("item_4") == "":
        del data["item_4"]
    response = me.post(reverse("rehab:atrs"), data)
    assert response.status_code == 400
    field = next(iter(bad))
    assert response.context["form"].errors[field] == ["Choose a number from 0 to 10."]
    assert "Nothing was saved" in response.content.decode()
    assert not AtrsResponse.objects.exists()


# --- plan and progress -----------------------------------------------------------------------------


def test_my_plan_shows_past_current_and_future_phases_with_dates(
    patient: Patient, me: Client
) -> None:
    plan, phases = _active_plan(patient, phases=3)
    factories.PrescriptionFactory(phase=phases[0], exercise__name="Toe curls")
    factories.PrescriptionFactory(phase=phases[2], exercise__name="Single-leg balance")
    factories.PrescriptionFactory(
        phase=phases[2],
        exercise__name="Retired one",
        retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    PhaseChange.objects.create(
        plan=plan, from_phase=phases[0], to_phase=phases[1], effective_on=patient.local_today()
    )
    Plan.objects.filter(pk=plan.pk).update(current_phase=phases[1])
    response = me.get(reverse("rehab:my_plan"))
    html = response.content.decode()
    assert [row["state"] for row in response.context["phases"]] == ["past", "current", "future"]
    assert 'aria-current="step"' in html
    # Stored weeks 4 to 8 (half-open) read as weeks 4–7 with the phase's first and last day.
    start = plan.anchor_date + dt.timedelta(weeks=4)
    last = plan.anchor_date + dt.timedelta(weeks=8, days=-1)
    days = (
        f"{start:%-d %b} – {last:%-d %b}"
        if start.year == last.year
        else f"{start:%-d %b %Y} – {last:%-d %b %Y}"
    )
    assert f"Weeks 4–7 · {days}" in html
    assert "Toe curls" in html
    assert "Single-leg balance" in html
    assert "Retired one" not in html


def test_my_plan_folds_the_phases_done_so_the_current_one_is_near_the_top(
    patient: Patient, me: Client
) -> None:
    """At week 5 the patient opened My plan to two screens of finished phases before the one
    they are in: a phase done is folded (its name and "Done" in sight, its exercises a tap
    away); the current and later phases stay open."""
    plan, phases = _active_plan(patient, phases=3)
    factories.PrescriptionFactory(phase=phases[0], exercise__name="Toe curls")
    factories.PrescriptionFactory(phase=phases[1], exercise__name="Seated calf raise")
    PhaseChange.objects.create(
        plan=plan, from_phase=phases[0], to_phase=phases[1], effective_on=patient.local_today()
    )
    Plan.objects.filter(pk=plan.pk).update(current_phase=phases[1])
    html = me.get(reverse("rehab:my_plan")).content.decode()
    folded = re.findall(r"<details\b[^>]*>(.*?)</details>", html, flags=re.S)
    assert len(folded) == 1
    assert "Toe curls" in folded[0]
    assert re.search(r"<summary\b[^>]*>.*Done.*</summary>", folded[0], flags=re.S)
    assert not re.search(r"<details\b[^>]*\bopen\b", html)
    assert "Seated calf raise" in html
    assert "Seated calf raise" not in folded[0]


# "My plan"'s queries: 1 session, 2 user with their patient record, 3 the plan in care, 4 its
# phases, 5 their live prescriptions with their exercises (no equipment, photos or videos: the
# page shows neither), 6 the phase changes (the phase in force), 7 an open ATRS request (the
# menu), 8 +1 audit event. However many phases and exercises.
MY_PLAN_QUERIES = 8


@pytest.mark.parametrize("exercises", [1, 4])
def test_my_plan_reads_the_same_queries_whatever_the_plans_size(
    patient: Patient, me: Client, django_assert_num_queries: Any, exercises: int
) -> None:
    _plan, phases = _active_plan(patient, phases=2)
    for phase in phases:
        for _n in range(exercises):
            rx = factories.PrescriptionFactory(phase=phase)
            rx.exercise.equipment.add(factories.EquipmentFactory())
    with django_assert_num_queries(MY_PLAN_QUERIES):
        assert me.get(reverse("rehab:my_plan")).status_code == 200


def test_my_plan_shows_a_red_flags_advice_without_a_plan_in_care(
    clinician: Clinician, patient: Patient, me: Client
) -> None:
    """From review: Today showed a red flag's advice to a patient with no plan in care (a
    draft plan: nothing to pause), but "My plan" showed none of it, only "Your physiotherapist
    has not given you a plan yet.". It shows the same banner as Today, until the alert is
    reviewed."""
    clinic = clinician.clinic
    clinic.phone, clinic.emergency_number = "020 7946 0000", "999"
    clinic.save()
    factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    factories.red_flags_reported(patient, "dvt")
    html = me.get(reverse("rehab:my_plan")).text
    assert html.count('id="paused-heading"') == 1
    banner = html.split('id="paused-heading"', 1)[1].split("</section>", 1)[0]
    assert "What you told us needs checking" in banner
    assert str(clinical.RED_FLAGS_BY_CODE["dvt"].advice) in banner
    for number in ("02079460000", "999"):
        assert f'href="tel:{number}"' in banner
    assert "Your physiotherapist has not given you a plan yet." in html
    alert = Alert.objects.get(kind=Alert.Kind.RED_FLAG)
    client_for(clinician.user).post(reverse("rehab:alert_acknowledge", args=[alert.pk]))
    assert 'id="paused-heading"' not in me.get(reverse("rehab:my_plan")).text


def test_my_plan_still_shows_a_paused_plans_banner(patient: Patient, me: Client) -> None:
    _active_plan(patient)
    factories.red_flags_reported(patient, "dvt")
    html = me.get(reverse("rehab:my_plan")).text
    assert html.count('id="paused-heading"') == 1
    assert "Your exercises are paused" in html
    assert str(clinical.RED_FLAGS_BY_CODE["dvt"].advice) in html


def test_a_patient_never_sees_a_draft_plan(patient: Patient, me: Client) -> None:
    factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT, name="Secret draft")
    html = me.get(reverse("rehab:my_plan")).content.decode()
    assert "Secret draft" not in html
    assert "has not given you a plan yet" in html


@pytest.mark.parametrize(
    ("pathway", "surgery", "says"),
    [
        (Patient.Pathway.OPERATIVE, True, "Week 3 since your operation"),
        (Patient.Pathway.NON_OPERATIVE, False, "Week 3 since your injury"),
    ],
)
def test_today_counts_the_week_from_the_operation_or_the_injury_the_patient_had(
    db: None, pathway: str, surgery: bool, says: str
) -> None:
    """The week counts from the surgery date, else the injury date (``Patient.anchor_date``):
    Today names the one this patient had, not "your operation or injury" to a patient who had
    no operation."""
    day = dt.date(2025, 3, 10)
    with time_machine.travel(dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        patient = factories.PatientFactory(
            pathway=pathway,
            injury_date=day - dt.timedelta(weeks=3, days=3),
            surgery_date=day - dt.timedelta(weeks=3) if surgery else None,
        )
        _active_plan(patient)
        html = " ".join(
            client_for(patient.user).get(reverse("rehab:today")).content.decode().split()
        )
    assert says in html
    assert "operation or injury" not in html


# --- hostile values in Today's forms (tests/hostile sweeps the rest: its scene's Today draws
# no tick forms) -------------------------------------------------------------------------------

# A form's body is UTF-8 bytes, which cannot hold a lone surrogate (tests/hostile sends bytes
# that are not UTF-8 instead).
HOSTILE = ["a\x00b", "x" * 100_000, "9" * 40, "-1", "3000000000", "2026-02-30", "", "\U0001f600"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["client_uuid", "prescription", "sets_done", "date"])
def test_a_tick_with_a_hostile_value_is_refused_not_a_crash(
    patient: Patient, rx: Prescription, field: str, value: str
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(patient.user)
    response = client.post(reverse("rehab:log_create"), _tick(rx, **{field: value}))
    assert response.status_code == 302  # back to Today, with the reason
    assert not ExerciseLog.objects.filter(sets_done__gt=rx.sets).exists()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["pain", "effort", "note", "sets_done"])
def test_how_it_felt_with_a_hostile_value_is_refused_not_a_crash(
    patient: Patient, rx: Prescription, field: str, value: str
) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, date=patient.local_today(), pain=1)
    client = Client(raise_request_exception=False)
    client.force_login(patient.user)
    response = client.post(reverse("rehab:log_update", args=[log.pk]), {field: value})
    assert response.status_code == 302
    log.refresh_from_db()
    # "No answer" clears the pain (stored as nothing); anything else hostile changes nothing.
    assert log.pain == (None if (field, value) == ("pain", "") else 1)
