"""What a patient tripped over on the phone (360×740), found by walking through the demo as
Olivia and Noah: each test is one such thing, in the patient's words."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from rehab import services
from rehab.models import Prescription
from rehab.models.doses import Side
from tests import factories
from tests.e2e.conftest import SMALL_PHONE, _context, check_page, close_context
from tests.e2e.helpers import (
    card,
    expect_done,
    patient_with_plan,
    sign_in_to_today,
    timed_session_counted_in,
)
from tests.notify.helpers import push_settings

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_copy_kept_offline_does_not_repeat_a_sent_confirmation(
    live_server: object, small_phone: Page
) -> None:
    """A message sent, then the Messages page opened with no connection: the copy kept on the
    phone still said "Your message has been sent." above the offline note, so a patient who
    had just written one offline could think it had gone. A one-time confirmation belongs to
    the moment it was shown, not to the copy kept for later."""
    scene = patient_with_plan(with_user=True)
    page = small_phone
    base = str(live_server)
    sign_in_to_today(page, base, scene.patient.email)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{base}/me/messages/")
    page.get_by_role("textbox", name="Message").fill("Can I shower without the boot?")
    page.get_by_role("button", name="Send").click()
    sent = page.get_by_text("Your message has been sent.")
    expect(sent).to_be_visible()

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_text("Offline: this is the copy saved on this phone")).to_be_visible()
    expect(page.get_by_text("Can I shower without the boot?")).to_be_visible()  # the thread
    expect(sent).to_be_hidden()


# The part of the session's ring inside its stroke, in the ring's own units (viewBox 120,
# radius 54, stroke 10: static/js/today/timer.js).
RING_INSIDE = 2 * (54 - 10 / 2)


def test_a_timer_of_ten_minutes_or_more_fits_inside_its_ring(
    live_server: object, small_phone: Page
) -> None:
    """The exercise bike's 20 minutes on a 360-px phone: "20:00" ran over the ring's stroke on
    both sides, the time half-hidden behind the progress bar. Any time now fits inside it."""
    session = timed_session_counted_in(small_phone, str(live_server), "Exercise bike", minutes=20)
    ring = session.get_by_role("timer", name="Keep going")
    expect(ring).to_have_text("20:00")
    width = session.locator(".rehab-ring-text").evaluate("text => text.getBBox().width")
    assert width <= RING_INSIDE - 8, width  # a little room either side


def test_a_refused_home_measurement_shows_why_where_the_patient_is(
    live_server: object, small_phone: Page
) -> None:
    """A lower leg of 350 cm (millimetres typed): the refusal came back at the top of My
    progress, the reason five screens down under the form, so a patient saw their streak and
    no sign that nothing was saved. It comes back at the form, the reason in sight."""
    scene = patient_with_plan(with_user=True)
    page = small_phone
    base = str(live_server)
    sign_in_to_today(page, base, scene.patient.email)
    page.goto(f"{base}/me/progress/")
    page.get_by_role("link", name="Record a measurement").click()
    page.get_by_label("Around your injured lower leg (cm)").fill("350")
    page.get_by_role("button", name="Save my measurements").click()
    refused = page.get_by_text("Not saved: please correct what is marked below.")
    expect(refused).to_be_visible()
    expect(refused).to_be_in_viewport()


def test_the_reminder_choices_are_big_enough_to_tap_with_a_thumb(
    live_server: object, small_phone: Page, settings: Any
) -> None:
    """Reminders: the days, how to remind and the replies were 16-px boxes on 25-px rows, "Off"
    24 px wide; a thumb hit the next day. Each choice is a row of 44 px with a 24-px box now,
    as the check-in's questions already are."""
    push_settings(settings)  # a server that sends web push: every choice is offered
    scene = patient_with_plan(with_user=True)
    page = small_phone
    base = str(live_server)
    sign_in_to_today(page, base, scene.patient.email)
    page.goto(f"{base}/me/reminders/")
    expect(page.get_by_role("checkbox", name="Monday")).to_be_visible()
    sizes = page.eval_on_selector_all(
        "main .form-check",
        """rows => rows.map((row) => {
          const box = row.querySelector("input").getBoundingClientRect();
          return [row.innerText.trim(), row.getBoundingClientRect().height, box.width];
        })""",
    )
    assert len(sizes) >= 7 + 3 + 4, sizes  # the days, how to remind, the replies
    small = [(name, height, box) for name, height, box in sizes if height < 44 or box < 24]
    assert not small, small


def test_my_plan_folds_a_phase_done_and_opens_it_with_a_tap(
    live_server: object, small_phone: Page
) -> None:
    """At a later phase, My plan opened on the phases already done, in full, before the one
    the patient is in: a phase done is now one line ("Done"), its exercises a tap away; the
    page stays axe-clean and fits the phone, folded and opened."""
    scene = patient_with_plan(with_user=True)
    later = factories.PlanPhaseFactory(
        plan=scene.plan, name="Building strength", start_week=8, end_week=12
    )
    services.plan_set_phase(plan=scene.plan, phase=later, changed_by=scene.clinician.user)
    page = small_phone
    base = str(live_server)
    sign_in_to_today(page, base, scene.patient.email)
    page.goto(f"{base}/me/plan/")
    done = page.locator("details").filter(has_text="Protected movement")
    expect(done).to_have_count(1)
    expect(done.get_by_text("Toe curls")).to_be_hidden()
    expect(page.get_by_role("heading", name="Building strength")).to_be_visible()
    check_page(page, "phone-review", "my-plan-folded")
    done.locator("summary").click()
    expect(done.get_by_text("Toe curls")).to_be_visible()
    check_page(page, "phone-review", "my-plan-opened")


def test_the_guided_session_says_which_leg_on_each_screen(
    live_server: object, small_phone: Page
) -> None:
    """The guided session showed an exercise's name and its counts, not the leg its card names
    ("Each leg in turn", "Right leg only (not your injured side)"): a patient following the
    screens could do the other leg. Each of an exercise's screens says it now, in the card's
    words, and the rest says for how long ("Rest for 30 seconds", not a bare "Rest" over a
    number)."""
    scene = patient_with_plan(with_user=True)
    Prescription.objects.filter(phase=scene.plan.current_phase, exercise__name="Toe curls").update(
        side=Side.EACH
    )
    page = small_phone
    page.clock.install()
    sign_in_to_today(page, str(live_server), scene.patient.email)
    hold_leg = card(page, "Seated ankle hold").locator("[data-role=leg]").inner_text()
    toes_leg = card(page, "Toe curls").locator("[data-role=leg]").inner_text()
    assert toes_leg.startswith("Each leg in turn"), toes_leg
    assert hold_leg != toes_leg
    page.get_by_role("button", name="Start session").click()
    session = page.get_by_role("dialog")
    expect(session.get_by_text("Get ready")).to_be_visible()
    expect(session.get_by_text(hold_leg, exact=True)).to_be_visible()
    for _ in range(5):  # the 3-2-1, then the 2-second hold
        page.clock.run_for(1_000)
    session.get_by_role("button", name="Next exercise").click()
    expect(session.get_by_text("Exercise 2 of 2 · Set 1 of 2")).to_be_visible()
    expect(session.get_by_text(toes_leg, exact=True)).to_be_visible()
    session.get_by_role("button", name="Set done").click()
    expect(session.get_by_text("Rest for 30 seconds", exact=True)).to_be_visible()
    check_page(page, "phone-review", "session-leg-and-rest")


def test_the_reminders_page_offers_the_phones_own_time_zone(
    live_server: object, browser: Browser
) -> None:
    """A patient in Auckland whose record kept the clinic's zone (Europe/London) was reminded
    on London's clock; the page asked them to type a zone's name. It offers the phone's own
    zone in one tap when it differs, and says nothing when they are the same."""
    scene = patient_with_plan(with_user=True)
    context = _context(browser, SMALL_PHONE, timezone_id="Pacific/Auckland")
    page = context.new_page()
    try:
        base = str(live_server)
        sign_in_to_today(page, base, scene.patient.email)
        page.goto(f"{base}/me/reminders/")
        zone = page.get_by_label("Time zone")
        expect(zone).to_have_value(scene.patient.timezone)
        offer = page.get_by_role("button", name="Use this phone’s time zone: Pacific/Auckland")
        expect(offer).to_be_visible()
        check_page(page, "phone-review", "reminders-phone-zone")
        offer.click()
        expect(zone).to_have_value("Pacific/Auckland")
        expect(offer).to_be_hidden()
        page.get_by_role("button", name="Save").click()
        expect(
            page.get_by_text(re.compile("Reminders are on|Your settings are saved"))
        ).to_be_visible()
        scene.patient.refresh_from_db()
        assert scene.patient.timezone == "Pacific/Auckland"
        page.goto(f"{base}/me/reminders/")  # the same zone as the phone's: no offer
        expect(zone).to_have_value("Pacific/Auckland")
        expect(page.get_by_role("button", name=re.compile("this phone’s time zone"))).to_have_count(
            0
        )
    finally:
        close_context(context)


def test_a_one_set_exercise_is_not_counted_out_of_one(
    live_server: object, small_phone: Page
) -> None:
    """From the phone review: a one-set exercise's card said "Sets done: 0 of 1", then
    "Sets done: 1 of 1". One set is done or not ("Done for today" says so); sets are counted
    when there are several. The page's script redraws the count after a tick and an undo: it
    says what the server drew."""
    scene = patient_with_plan(with_user=True)  # a one-set hold and two sets of toe curls
    page = small_phone
    sign_in_to_today(page, str(live_server), scene.patient.email)
    hold, toes = card(page, "Seated ankle hold"), card(page, "Toe curls")
    sets_text = hold.locator("[data-role=sets-text]")
    expect(toes.get_by_text("Sets done: 0 of 2")).to_be_visible()
    expect(hold.get_by_text("Sets done")).to_have_count(0)
    hold.get_by_role("button", name="Done", exact=True).click()
    expect_done(page, "Seated ankle hold")
    expect(sets_text).to_have_text("")
    hold.get_by_role("button", name="Undo the last tick of Seated ankle hold").click()
    expect(hold.get_by_text("Tick undone.")).to_be_visible()
    expect(sets_text).to_have_text("")
    toes.get_by_role("button", name="One set done").click()
    expect(toes.get_by_text("Sets done: 1 of 2")).to_be_visible()
    # Drawn at the tap; the server's answer is "Saved.": the reload waits for it, so that it
    # neither cuts the tick short nor draws the page before the tick is stored.
    expect(toes.get_by_text("Saved.")).to_be_visible()
    page.reload()
    expect(card(page, "Seated ankle hold").get_by_text("Sets done")).to_have_count(0)
    check_page(page, "phone-review", "one-set-card")
