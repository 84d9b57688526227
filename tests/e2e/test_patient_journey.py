"""The patient on a phone (390×844): from the invitation to a message to the clinic."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from clinic.models import Message
from rehab.models import Alert, AtrsResponse, CheckIn, ExerciseLog
from tests.e2e.conftest import check_page
from tests.e2e.helpers import (
    PASSWORD,
    card,
    choose,
    eventually,
    expect_done,
    patient_with_plan,
    scripts_ran,
    sign_in,
    tab_to,
)

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "patient"


def test_patient_journey_on_a_phone(live_server: object, phone: Page, desktop: Page) -> None:
    scene = patient_with_plan()
    page = phone

    # The invitation: set a password, land on Today.
    page.goto(f"{live_server}/invite/{scene.token}/")
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    check_page(page, JOURNEY, "invitation")
    page.get_by_label(re.compile(r"New password\W*$")).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_text("Protected movement")).to_be_visible()
    expect(page.get_by_text("This plan comes from your physiotherapist")).to_be_visible()
    check_page(page, JOURNEY, "today")

    # The card's Start: the guided session for this exercise; the set counts when the hold
    # ends (after a 3-2-1 and the 2-second hold).
    hold = card(page, "Seated ankle hold")
    hold.get_by_role("button", name="Start").click()
    session = page.get_by_role("dialog")
    session.get_by_role("button", name="Finish").click(timeout=10_000)
    # One set is done, not "sets done: 1 of 1" (from the phone review).
    expect(session.get_by_text("Seated ankle hold – done", exact=True)).to_be_visible()
    session.get_by_role("button", name="Back to today").click()
    expect(hold.get_by_text("Sets done")).to_have_count(0)  # one set: done, not "1 of 1"
    expect_done(page, "Seated ankle hold")

    # Tick off the whole exercise, then log pain 3.
    toes = card(page, "Toe curls")
    toes.get_by_role("button", name="All 2 sets done").click()
    expect_done(page, "Toe curls")
    # Pain starts unanswered ("No answer"): the patient picks 3 (issue 16, problem 3).
    pain = toes.get_by_role("group", name="Pain (0 = none, 10 = worst imaginable)")
    expect(pain.get_by_role("radio", name="No answer")).to_be_checked()
    pain.get_by_text("3", exact=True).click()
    toes.get_by_role("button", name="Save how it felt").click()
    expect(toes.get_by_text("Saved.")).to_be_visible()
    check_page(page, JOURNEY, "today-ticked")

    page.reload()
    expect_done(page, "Seated ankle hold")
    expect_done(page, "Toe curls")
    logs = ExerciseLog.objects.filter(patient=scene.patient)
    assert logs.count() == 2
    assert logs.get(prescription__exercise__name="Toe curls").pain == 3

    # The daily check-in with a red flag: the advice shows at once, the clinic is alerted.
    page.get_by_role("link", name="Check-in", exact=True).click()
    check_page(page, JOURNEY, "checkin")
    choose(page, "Pain at rest right now (0 = none, 10 = worst imaginable)", "2")
    choose(page, "Swelling", "Mild")
    page.get_by_label(re.compile("New pain, swelling, warmth or discoloured skin")).check()
    page.get_by_role("button", name="Send check-in").click()
    expect(page.get_by_role("heading", name="Act on this now")).to_be_visible()
    # The server's advice (the page also holds a hidden copy for a check-in sent offline).
    expect(
        page.get_by_role("alert").get_by_text(re.compile("could be a blood clot"))
    ).to_be_visible()
    check_page(page, JOURNEY, "checkin-red-flag")
    assert CheckIn.objects.get(patient=scene.patient).flag_dvt
    assert Alert.objects.filter(patient=scene.patient, code="dvt").exists()

    # The ATRS questionnaire: ten answers, the total from the server.
    page.goto(f"{live_server}/me/atrs/")
    for n in range(1, 11):
        page.get_by_role("group", name=re.compile(rf"^{n}\. ")).get_by_text("6", exact=True).click()
    check_page(page, JOURNEY, "atrs")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("60 out of 100").first).to_be_visible()
    assert AtrsResponse.objects.get(patient=scene.patient).total == 60

    # A question to the clinic.
    page.get_by_role("link", name="Messages", exact=True).click()
    expect(page.get_by_text("Messages are not for emergencies.")).to_be_visible()
    page.get_by_role("textbox", name="Message").fill("Is some swelling in the evening normal?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Is some swelling in the evening normal?")).to_be_visible()
    check_page(page, JOURNEY, "messages")
    assert Message.objects.filter(patient=scene.patient, from_patient=True).count() == 1

    # The physiotherapist sees today's two ticks in the patient list's adherence.
    sign_in(desktop, str(live_server), scene.clinician.user.email, "correct-horse-battery-staple")
    desktop.get_by_role("link", name="Patients", exact=True).click()
    row = desktop.get_by_role("row").filter(has_text="Walker, Robin")
    expect(row.get_by_text("100 %")).to_be_visible()
    expect(row.get_by_text("2 of 2 sessions")).to_be_visible()


def test_patient_ticks_offline_and_the_tick_is_stored_once(
    live_server: object, phone: Page
) -> None:
    scene = patient_with_plan(with_user=True)
    page = phone
    page.goto(f"{live_server}/accounts/login/")
    page.get_by_label("Email address").fill("robin@patient.example")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    scripts_ran(page)  # else the tick is the form without JavaScript, which needs the server

    page.context.set_offline(True)
    card(page, "Toe curls").get_by_role("button", name="All 2 sets done").click()
    expect(page.get_by_text("1 entry waiting to be sent")).to_be_visible()
    screenshot_name = "offline-waiting"
    check_page(page, JOURNEY, screenshot_name)
    assert ExerciseLog.objects.filter(patient=scene.patient).count() == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("All entries sent.")).to_be_visible(timeout=10_000)
    page.reload()
    expect_done(page, "Toe curls")
    assert ExerciseLog.objects.filter(patient=scene.patient).count() == 1


def test_high_pain_advice_and_undo_on_the_card(live_server: object, phone: Page) -> None:
    """The Today page's script through the API: a tick, pain 8 on it (the answer's advice
    said on the card at once, the clinic alerted), a correction, then the tick undone."""
    scene = patient_with_plan(with_user=True)
    page = phone
    sign_in(page, str(live_server), scene.patient.email, "correct-horse-battery-staple")
    toes = card(page, "Toe curls")
    toes.get_by_role("button", name="One set done").click()
    expect(toes.get_by_text("Sets done: 1 of 2")).to_be_visible()
    expect(toes.get_by_text("Saved.")).to_be_visible()
    pain = toes.get_by_role("group", name="Pain (0 = none, 10 = worst imaginable)")
    pain.get_by_text("8", exact=True).click()
    toes.get_by_role("button", name="Save how it felt").click()
    expect(
        toes.get_by_text(re.compile(r"Your pain is high\. Stop Toe curls now and contact"))
    ).to_be_visible()
    log = ExerciseLog.objects.get(patient=scene.patient)
    assert (log.sets_done, log.pain) == (1, 8)
    assert Alert.objects.filter(patient=scene.patient, log=log, kind="high_pain").exists()
    pain.get_by_text("No answer", exact=True).click()
    toes.get_by_role("button", name="Save how it felt").click()
    expect(toes.get_by_text("Saved.")).to_be_visible()
    eventually(page, lambda: ExerciseLog.objects.get(pk=log.pk).pain is None)

    toes.get_by_role("button", name="Undo the last tick of Toe curls").click()
    expect(toes.get_by_text("Tick undone.")).to_be_visible()
    expect(toes.get_by_text("Sets done: 0 of 2")).to_be_visible()
    assert not ExerciseLog.objects.filter(patient=scene.patient).exists()
    page.reload()
    expect(card(page, "Toe curls").get_by_text("Sets done: 0 of 2")).to_be_visible()


def test_a_red_flag_ticked_alone_is_sent_and_pauses_exercise(
    live_server: object, phone: Page
) -> None:
    """From exploratory testing: a patient who ticks only "a sudden pop or snap" and sends
    gets the advice at once (it was "Not sent: ... Nothing was saved." for the swelling
    question left unanswered), and Today pauses the exercises until a clinician reviews."""
    scene = patient_with_plan(with_user=True)
    page = phone
    sign_in(page, str(live_server), scene.patient.email, "correct-horse-battery-staple")
    page.get_by_role("link", name="Check-in", exact=True).click()
    expect(
        page.get_by_role("group", name="Swelling").get_by_role("radio", name="No answer")
    ).to_be_checked()
    page.get_by_label(re.compile("A sudden pop or snap")).check()
    page.get_by_role("button", name="Send check-in").click()
    expect(page.get_by_role("heading", name="Act on this now")).to_be_visible()
    expect(page.get_by_role("alert").get_by_text(re.compile("may have torn again"))).to_be_visible()
    assert CheckIn.objects.get(patient=scene.patient).flag_rerupture
    page.get_by_role("link", name="Today", exact=True).click()
    expect(page.get_by_text("Your exercises are paused")).to_be_visible()
    expect(page.get_by_role("button", name="One set done")).to_have_count(0)


def test_patient_journey_with_the_keyboard_alone(live_server: object, phone: Page) -> None:
    """Sign in, tick an exercise, log pain and send a check-in without touching the mouse."""
    scene = patient_with_plan(with_user=True)
    page = phone
    page.goto(f"{live_server}/accounts/login/")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type("robin@patient.example")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery-staple")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    scripts_ran(page)

    toes = card(page, "Toe curls")
    tab_to(page, toes.get_by_role("button", name="All 2 sets done"))
    page.keyboard.press("Enter")
    expect_done(page, "Toe curls")
    # A radio group that starts at "No answer": Tab lands on it, four steps reach 3.
    tab_to(
        page,
        toes.get_by_role("group", name="Pain (0 = none, 10 = worst imaginable)")
        .get_by_role("radio")
        .first,
    )
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    tab_to(page, toes.get_by_role("button", name="Save how it felt"))
    page.keyboard.press("Enter")
    # The tick (and then its pain) reaches the server after the page shows it: wait for the
    # stored pain, not for a row that may not be saved yet ("No answer", then 0, 1, 2, 3).
    logs = ExerciseLog.objects.filter(patient=scene.patient)
    eventually(page, lambda: logs.filter(pain=3).exists())
    assert [log.pain for log in logs] == [3]  # one session, its pain

    tab_to(page, page.get_by_role("link", name="Check-in", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    # Radio groups: Tab enters the group, arrow keys choose within it.
    tab_to(
        page,
        page.get_by_role("group", name="Pain at rest right now (0 = none, 10 = worst imaginable)")
        .get_by_role("radio")
        .first,
    )
    page.keyboard.press("Space")
    for _ in range(3):  # from "No answer": 0, 1, 2
        page.keyboard.press("ArrowRight")
    tab_to(page, page.get_by_role("group", name="Swelling").get_by_role("radio").first)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # from "No answer" to "None"
    tab_to(page, page.get_by_role("button", name="Send check-in"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("today's check-in is saved")).to_be_visible()
    checkin = CheckIn.objects.get(patient=scene.patient)
    assert checkin.pain_at_rest == 2
    assert checkin.swelling == "none"

    # The hold timer, started with the keyboard.
    tab_to(page, page.get_by_role("link", name="Today", exact=True))
    page.keyboard.press("Enter")
    hold = card(page, "Seated ankle hold")
    tab_to(page, hold.get_by_role("button", name="Start"))
    page.keyboard.press("Enter")
    session = page.get_by_role("dialog")
    finish = session.get_by_role("button", name="Finish")
    expect(finish).to_be_visible(timeout=10_000)  # after the 3-2-1 and the 2-second hold
    tab_to(page, finish)
    page.keyboard.press("Enter")
    tab_to(page, session.get_by_role("button", name="Back to today"))
    page.keyboard.press("Enter")
    expect(hold.get_by_text("Sets done")).to_have_count(0)  # one set: done, not "1 of 1"
    expect_done(page, "Seated ankle hold")

    # The ATRS: each question's radio group reached with Tab, answered with the arrow keys.
    page.goto(f"{live_server}/me/atrs/")
    for n in range(1, 11):
        group = page.get_by_role("group", name=re.compile(rf"^{n}\. "))
        tab_to(page, group.get_by_role("radio").first)
        page.keyboard.press("Space")  # 0
        for _ in range(7):
            page.keyboard.press("ArrowRight")  # … to 7
    tab_to(page, page.get_by_role("button", name="Send my answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("70 out of 100").first).to_be_visible()

    # A message to the clinic.
    tab_to(page, page.get_by_role("link", name="Messages", exact=True))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("textbox", name="Message"))
    page.keyboard.type("Typed without a mouse.")
    tab_to(page, page.get_by_role("button", name="Send"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Typed without a mouse.")).to_be_visible()
