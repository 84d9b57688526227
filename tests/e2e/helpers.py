"""Set-up and steps the journeys share: data made through the services, as the app would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from clinic.models import Clinician, Patient, User
from clinic.services.invitations import invitation_create
from rehab import services
from rehab.models import Plan, Prescription
from tests import factories

PASSWORD = "a-Long-patient-passphrase-42"
ONE_ROW = 72  # px: the top bar's height with the brand's or a button's row and its padding


@dataclass
class Scene:
    clinician: Clinician
    patient: Patient
    plan: Plan
    token: str


def patient_with_plan(*, with_user: bool = False) -> Scene:
    """An operative patient at week 3 with an active plan of a hold and a reps exercise, and
    an invitation link (the patient has not set a password yet unless ``with_user``)."""
    clinician = factories.ClinicianFactory(
        user__full_name="Pat Physio", user__email="physio@clinic.example"
    )
    surgery = timezone.localdate() - dt.timedelta(weeks=3)
    patient = factories.PatientFactory(
        clinic=clinician.clinic,
        user=factories.UserFactory(email="robin@patient.example") if with_user else None,
        first_name="Robin",
        last_name="Walker",
        email="robin@patient.example",
        injury_date=surgery - dt.timedelta(days=2),
        surgery_date=surgery,
    )
    hold = factories.ExerciseFactory(
        name="Seated ankle hold",
        default_sets=1,
        default_reps=None,
        default_hold_seconds=2,
        steps=["Sit with the foot flat.", "Press the foot gently down.", "Hold, then relax."],
    )
    reps = factories.ExerciseFactory(name="Toe curls", default_sets=2, default_reps=10)
    plan = services.plan_draft(protocol=None, patient=patient, created_by=clinician.user)[0]
    phase = factories.PlanPhaseFactory(
        plan=plan, name="Protected movement", start_week=0, end_week=8
    )
    for exercise in (hold, reps):
        services.prescription_add(phase=phase, exercise=exercise)
    plan = services.plan_activate(plan=plan, activated_by=clinician.user)
    token = ""
    if not with_user:
        _invitation, token = invitation_create(patient=patient, created_by=clinician.user)
    return Scene(clinician=clinician, patient=patient, plan=plan, token=token)


def patient_with_password() -> tuple[Scene, User]:
    """``patient_with_plan(with_user=True)``, the patient's account signing in with
    ``PASSWORD``; returns the scene and that account."""
    scene = patient_with_plan(with_user=True)
    user = scene.patient.user
    assert user is not None
    user.set_password(PASSWORD)
    user.save()
    return scene, user


def only_timed_exercise_today(scene: Scene, name: str, *, minutes: int) -> Prescription:
    """The scene's plan with one timed exercise of ``minutes`` alone today (its other
    exercises retired): the guided session's timer at that length."""
    exercise = factories.ExerciseFactory(
        name=name, default_sets=1, default_reps=None, default_duration_minutes=minutes
    )
    kept = services.prescription_add(phase=scene.plan.current_phase, exercise=exercise)
    Prescription.objects.filter(phase=scene.plan.current_phase).exclude(pk=kept.pk).update(
        retired_at=timezone.now()
    )
    return kept


def timed_session_counted_in(page: Page, base_url: str, name: str, *, minutes: int) -> Locator:
    """A patient whose only exercise today is ``name``, timed at ``minutes``, signed in on
    ``page`` (its clock installed), their guided session started at that exercise and its
    3-2-1 count-in run: the session's dialog, the timer running."""
    scene = patient_with_plan(with_user=True)
    only_timed_exercise_today(scene, name, minutes=minutes)
    page.clock.install()
    sign_in_to_today(page, base_url, scene.patient.email)
    page.get_by_role("button", name="Start session").click()
    session = page.get_by_role("dialog")
    expect(session.get_by_text("Exercise 1 of 1 · Set 1 of 1")).to_be_visible()
    for _ in range(3):  # the 3-2-1 before it
        page.clock.run_for(1_000)
    return session


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in, and wait until the page signed in to has run its scripts (``scripts_ran``)."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(
        lambda url: not urlsplit(url).path.startswith("/accounts/login/"),
        wait_until="domcontentloaded",  # its scripts have run (scripts_ran)
    )


def scripts_ran(page: Page) -> None:
    """Wait until the page now shown has run its scripts: its module scripts (Today's cards,
    the check-in's, the messages') run before DOMContentLoaded. A click only waits for the
    element, which the server's HTML already has: a tick clicked before Today's script had
    taken its card over was sent by the browser as the form without JavaScript (a full page:
    "Ticked: Toe curls." above the cards, nothing said on the card), which under a full run on
    two cores failed a journey waiting for the card's "Saved." (reproduced by holding
    today.js back 3 s on the server). Call it once the new page is shown (after a click that
    navigated, not before the navigation began); goto and reload wait for "load" already."""
    page.wait_for_load_state("domcontentloaded")


def sign_in_to_today(page: Page, base_url: str, email: str) -> None:
    """Sign in a patient the factories made (their password); their first page is Today."""
    sign_in(page, base_url, email, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


def bar_height(page: Page) -> float:
    """The top bar's height in pixels: over ``ONE_ROW``, it has wrapped onto two rows."""
    box = page.locator("header.navbar").bounding_box()
    assert box is not None
    return float(box["height"])


def card(page: Page, name: str) -> Locator:
    """An exercise card on the Today page, found by its heading."""
    return page.get_by_role("article", name=name)


def choose(page: Page, group: str, option: str) -> None:
    """Pick ``option`` in the radio group whose legend is ``group``."""
    page.get_by_role("group", name=group).get_by_text(option, exact=True).click()


def tab_to(page: Page, target: Locator, *, limit: int = 300) -> None:
    """Press Tab until ``target`` has the keyboard focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} was not reached with the Tab key in {limit} presses")


def expect_done(page: Page, name: str) -> None:
    expect(card(page, name).get_by_text("Done for today")).to_be_visible()


def eventually(page: Page, check: Callable[[], bool], *, seconds: float = 10) -> None:
    """Wait until ``check()`` holds (for effects that reach the database after the page)."""
    for _ in range(int(seconds * 10)):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the expected change did not happen in time")


def today_kept_on_the_phone(page: Page, base_url: str, email: str) -> None:
    """``sign_in_to_today``, then Today loaded again once the service worker is ready: through
    it, as the installed app does, so the page is kept on the phone for offline use."""
    sign_in_to_today(page, base_url, email)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
