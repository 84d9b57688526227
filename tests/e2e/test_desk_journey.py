"""The therapist's desk (issue 19) at a desk (1366×900) and on a clinic tablet (1024×768): a
week-5 operative patient's draft plan opens at the current phase; an exercise from the library
panel filtered to "safe now" lands in that phase, in view, announced; a dose is edited; an
exercise is reordered with the keyboard; the plan is activated through its summary. axe clean
at each size; screenshots in artifacts/screenshots/desk/. With the keyboard alone, the focus
stays in the builder, and shows, after each edit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Dialog, Page, expect

from core.ids import opaque
from rehab import services
from rehab.models import Plan, PlanPhase, Prescription
from tests import factories
from tests.e2e.conftest import assert_accessible, close_context, screenshot
from tests.e2e.helpers import patient_with_plan, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "desk"
SIZES = {"desk": {"width": 1366, "height": 900}, "tablet": {"width": 1024, "height": 768}}


def _check(page: Page, name: str, size: str) -> None:
    screenshot(page, JOURNEY, f"{name}-{size}")
    assert_accessible(page, f"{JOURNEY}/{name} at {size}")


def _drag(page: Page, item: str, onto: str) -> None:
    """Drag the element ``item`` (a CSS selector) and drop it on ``onto``, with the events a
    browser sends for a drag and drop (Playwright's mouse drag does not start an HTML5 drag in
    this headless Chromium)."""
    page.evaluate(
        """([item, onto]) => {
        const dragged = document.querySelector(item);
        const target = document.querySelector(onto);
        const dt = new DataTransfer();
        dragged.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
        target.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
        target.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
        dragged.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
    }""",
        [item, onto],
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_the_therapists_desk(live_server: object, desktop: Page, size: str) -> None:
    page = desktop
    page.set_viewport_size(SIZES[size])
    clinician = factories.ClinicianFactory(user__email="desk@clinic.example")
    patient = factories.PatientFactory(
        clinic=clinician.clinic,
        therapist=clinician,
        first_name="Alex",
        last_name="Morgan",
        injury_date=timezone.localdate() - dt.timedelta(weeks=5, days=2),
    )
    plan = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT, name="Alex's repair")
    phases = [
        factories.PlanPhaseFactory(
            plan=plan, order=n, name=name, start_week=start, end_week=end, goals="Goal\n" * 4
        )
        for n, (name, start, end) in enumerate(
            [("Protection", 0, 2), ("Early loading", 2, 6), ("Strength", 6, 12)]
        )
    ]
    for phase in phases:  # a long page: several exercises in every phase
        for n in range(4):
            factories.PrescriptionFactory(
                phase=phase, order=n, exercise__name=f"{phase.name} drill {n}"
            )
    jog = factories.PrescriptionFactory(
        phase=phases[2],
        order=9,
        exercise__name="Jog intervals",
        exercise__earliest_week_operative=6,
    )
    factories.ExerciseFactory(name="Heel raise, seated", earliest_week_operative=4)
    factories.ExerciseFactory(name="Heel drop hop", earliest_week_operative=16)
    sign_in(page, str(live_server), "desk@clinic.example", factories.PASSWORD)
    page.goto(f"{live_server}{reverse('rehab:plan_builder', args=[plan.pk])}")

    # The current phase is open and marked; the others are collapsed, the past one done.
    current = page.locator(f"#phase-{opaque(phases[1].pk)}")
    expect(current.get_by_text("Current phase")).to_be_visible()
    expect(current.locator("details")).to_have_attribute("open", "")
    expect(page.locator(f"#phase-{opaque(phases[0].pk)} details")).not_to_have_attribute("open", "")
    expect(page.locator(f"#phase-{opaque(phases[0].pk)}").get_by_text("Done")).to_be_visible()
    expect(current.get_by_text(re.compile(r"week 5 · today"))).to_be_visible()
    expect(page.locator("header.builder-header").get_by_text("week 5")).to_be_visible()
    _check(page, "builder", size)

    # The library panel, filtered to "safe now", adds to the current phase.
    page.get_by_label("Search by name").fill("heel")
    page.get_by_label("Only exercises safe at this patient's week").check()
    results = page.locator("#library-results")
    expect(results.get_by_role("link", name="Heel raise, seated")).to_be_visible()
    expect(results.get_by_role("link", name="Heel drop hop")).to_have_count(0)
    add = page.get_by_role("button", name="Add Heel raise, seated to Early loading")
    add.click()
    added = page.locator("li[data-changed]")
    expect(added).to_be_visible()
    expect(added).to_be_in_viewport()
    confirmation = added.get_by_text("Heel raise, seated added to Early loading.")
    expect(confirmation).to_be_in_viewport()
    expect(page.locator("#builder-status")).to_contain_text("added to Early loading")
    rx = Prescription.objects.get(exercise__name="Heel raise, seated")
    assert rx.phase_id == phases[1].pk
    _check(page, "added", size)

    # Edit its dose.
    page.get_by_role("link", name="Edit dose of Heel raise, seated").click()
    page.get_by_label(re.compile(r"^\s*Sets\W*$")).locator("visible=true").fill("4")
    _check(page, "dose-form", size)
    page.get_by_role("button", name="Save dose").locator("visible=true").click()
    expect(page.locator(f"#rx-{opaque(rx.pk)}").get_by_text(re.compile(r"^4 sets"))).to_be_visible()
    rx.refresh_from_db()
    assert rx.sets == 4
    # The builder puts the focus back on the form's opener once the swap settles; wait for it,
    # or the keyboard below races it (seen in CI: Enter followed the "Edit dose" link).
    expect(page.get_by_role("link", name="Edit dose of Heel raise, seated")).to_be_focused()

    # Reorder with the keyboard: move it up one place.
    up = page.get_by_role("button", name="Move Heel raise, seated up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Exercise moved.").first).to_be_visible()
    live = list(
        Prescription.objects.filter(phase=phases[1], retired_at__isnull=True)
        .order_by("order", "pk")
        .values_list("exercise__name", flat=True)
    )
    assert live[-2] == "Heel raise, seated"

    # Drag an exercise into a phase where it is too early: the reason is asked before saving.
    page.locator(f"#phase-{opaque(phases[2].pk)} summary").click()
    # A collapsed phase's exercises are read as it opens.
    expect(page.locator(f"#rx-{opaque(jog.pk)}")).to_be_visible()
    _drag(page, f"#rx-{opaque(jog.pk)}", f"#phase-{opaque(phases[1].pk)} .card-header")
    expect(page.get_by_text(re.compile("Give a reason to move it there")).first).to_be_visible()
    jog.refresh_from_db()
    assert jog.phase_id == phases[2].pk  # not moved yet
    page.get_by_label("Reason, if that phase is before its earliest safe week").locator(
        "visible=true"
    ).fill("Gentle jogging agreed with the surgeon.")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Exercise moved to another phase.").first).to_be_visible()
    jog.refresh_from_db()
    assert (jog.phase_id, jog.guardrail_reason) == (
        phases[1].pk,
        "Gentle jogging agreed with the surgeon.",
    )

    # Activate through the summary.
    # The summary reads the whole plan: on a busy machine it took longer than expect's 5 s.
    with page.expect_navigation(timeout=15_000):
        page.get_by_role("link", name="Review and activate").click()
    expect(page.get_by_role("heading", name="What the patient sees first on Today")).to_be_visible()
    expect(page.get_by_text("Early loading").first).to_be_visible()
    _check(page, "activation-summary", size)
    page.get_by_role("button", name=re.compile("^Activate: ")).click()
    expect(page.get_by_text(re.compile("Active: changes are saved"))).to_be_visible()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    assert plan.current_phase_id == phases[1].pk


# What has the keyboard focus: its tag, id and words, and whether the focus shows.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = el ? getComputedStyle(el) : null;
  return {
    tag: el ? el.tagName : "",
    id: el ? el.id : "",
    text: el ? (el.getAttribute("aria-label") || el.textContent.trim()) : "",
    row: el && el.closest(".builder-rx") ? el.closest(".builder-rx").id : "",
    shown: Boolean(el && el.getClientRects().length),
    visible: Boolean(el && el.matches(":focus-visible") && style.outlineStyle !== "none"
                     && parseFloat(style.outlineWidth) > 0),
  };
}"""


def _focus_after(page: Page, status: str) -> dict[str, object]:
    """Where the focus is once the builder has answered with ``status`` and settled."""
    # The status has the message from the swap on, before htmx settles; the builder moves the
    # focus once it has settled, empties the status and fills it again 50 ms later. Waited for
    # (no element settling, then the message back), not slept: a sleep of 300 ms failed it,
    # the focus on <body>, once the settle came later (htmx's settle delay set to 400 ms).
    status_shown = page.locator("#builder-status")
    expect(status_shown).to_contain_text(status)
    expect(page.locator(".htmx-settling")).to_have_count(0)
    expect(status_shown).to_contain_text(status)
    focused: dict[str, object] = page.evaluate(FOCUSED)
    assert focused["tag"] != "BODY", f"after {status!r} the keyboard focus fell back to <body>"
    assert focused["shown"], f"after {status!r} the focus is on a hidden element: {focused}"
    assert focused["visible"], f"after {status!r} the focus does not show: {focused}"
    return focused


def test_the_builder_keeps_keyboard_focus_after_an_edit(live_server: object, desktop: Page) -> None:
    """A keyboard user who saves a dose, moves an exercise to another phase or removes one
    keeps the focus in the builder, where they were, and sees it: on the link that opened the
    form, in the exercise's row, or (the exercise gone) on the status message, shown. From
    review: the focus went to the status while it was emptied to be announced again, hidden
    (display: none), so it fell to <body>; and the status hid its focus (outline: none)."""
    scene = patient_with_plan(with_user=True)
    later = services.phase_add(
        plan=scene.plan, name="Early strength", start_week=8, end_week=12, expected_version=None
    )
    toe_curls = scene.plan.phases.get(name="Protected movement").prescriptions.get(
        exercise__name="Toe curls"
    )
    page = desktop
    page.set_viewport_size(SIZES["desk"])
    sign_in(page, str(live_server), scene.clinician.user.email, factories.PASSWORD)
    page.goto(f"{live_server}{reverse('rehab:plan_builder', args=[scene.plan.pk])}")

    # Move an exercise up with the keyboard: the focus stays on its buttons, in its row (first
    # now, its up button is disabled: on its down button).
    page.get_by_role("button", name="Move Toe curls up").focus()
    page.keyboard.press("Enter")
    focused = _focus_after(page, "Exercise moved.")
    assert (" ".join(str(focused["text"]).split()), focused["row"]) == (
        "↓ Move Toe curls down",
        f"rx-{opaque(toe_curls.pk)}",
    )
    # And a phase: on its down button, the phase first now.
    page.get_by_role("button", name="Move phase Early strength up").focus()
    page.keyboard.press("Enter")
    focused = _focus_after(page, "Phase moved.")
    assert " ".join(str(focused["text"]).split()) == "↓ Move phase Early strength down"

    # Save a dose: back on the link that opened the form, in the exercise's row.
    page.get_by_role("link", name="Edit dose of Toe curls").focus()
    page.keyboard.press("Enter")
    sets = page.get_by_label(re.compile(r"^\s*Sets\W*$")).locator("visible=true")
    expect(sets).to_be_visible()
    sets.fill("3")
    page.get_by_role("button", name="Save dose").locator("visible=true").focus()
    page.keyboard.press("Enter")
    focused = _focus_after(page, "Dose saved")
    assert (focused["text"], focused["row"]) == (
        "Edit dose of Toe curls",
        f"rx-{opaque(toe_curls.pk)}",
    )

    # Move it to another phase: on its link again, in the phase it went to (opened).
    page.get_by_role("link", name="Move Toe curls to another phase").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Move to phase").locator("visible=true").select_option(str(later.pk))
    page.get_by_role("button", name="Move", exact=True).locator("visible=true").focus()
    page.keyboard.press("Enter")
    focused = _focus_after(page, "Exercise moved to another phase.")
    assert focused["text"] == "Move Toe curls to another phase", focused
    toe_curls.refresh_from_db()
    assert toe_curls.phase_id == later.pk
    expect(
        page.locator(f"#phase-{opaque(toe_curls.phase_id)} #rx-{opaque(toe_curls.pk)}")
    ).to_be_in_viewport()

    # Remove an exercise: its row is gone, so the status message has the focus, shown.
    page.get_by_role("button", name="Remove Seated ankle hold").focus()
    page.keyboard.press("Enter")
    focused = _focus_after(page, "Exercise removed.")
    assert focused["id"] == "builder-status", focused
    assert_accessible(page, "builder after the edits")


def test_the_builders_buttons_without_javascript_and_the_phase_removal_question(
    live_server: object, browser: Browser, desktop: Page
) -> None:
    """Up, down and remove send the page's one action form to their own address: without
    JavaScript the browser posts it there (and the builder comes back); with it, htmx does, a
    drag within a phase presses up, and removing a phase asks first (cancelled, nothing is
    removed)."""
    scene = patient_with_plan(with_user=True)
    later = services.phase_add(
        plan=scene.plan, name="Early strength", start_week=8, end_week=12, expected_version=None
    )
    phase = scene.plan.phases.get(name="Protected movement")
    services.prescription_add(phase=phase, exercise=factories.ExerciseFactory(name="Calf raise"))
    builder = f"{live_server}{reverse('rehab:plan_builder', args=[scene.plan.pk])}"

    context = browser.new_context(java_script_enabled=False, viewport=SIZES["desk"])
    page = context.new_page()
    try:
        sign_in(page, str(live_server), scene.clinician.user.email, factories.PASSWORD)
        page.goto(builder)
        page.get_by_role("button", name="Move Toe curls up").click()
        expect(page.get_by_role("button", name="Move Toe curls up")).to_be_disabled()
        assert _names(phase) == ["Toe curls", "Seated ankle hold", "Calf raise"]
        page.get_by_role("button", name="Remove Calf raise").click()
        expect(page.get_by_role("button", name="Remove Calf raise")).to_have_count(0)
        assert _names(phase) == ["Toe curls", "Seated ankle hold"]
    finally:
        close_context(context)

    page = desktop
    page.set_viewport_size(SIZES["desk"])
    sign_in(page, str(live_server), scene.clinician.user.email, factories.PASSWORD)
    page.goto(builder)
    # Dragged onto the exercise above it, an exercise is moved up (its up button's address).
    rx = phase.prescriptions.get(exercise__name="Seated ankle hold")
    over = phase.prescriptions.get(exercise__name="Toe curls")
    _drag(page, f"#rx-{opaque(rx.pk)}", f"#rx-{opaque(over.pk)}")
    expect(page.locator("#builder-status")).to_contain_text("Exercise moved.")
    assert _names(phase) == ["Seated ankle hold", "Toe curls"]
    asked: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Remove phase Early strength").click()
    page.wait_for_timeout(300)  # a request sent regardless would have landed by now
    assert asked == ["Remove the phase Early strength and its exercises?"]
    assert scene.plan.phases.filter(pk=later.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove phase Early strength").click()
    expect(page.locator("#builder-status")).to_contain_text("Phase removed.")
    assert not scene.plan.phases.filter(pk=later.pk).exists()


def _names(phase: PlanPhase) -> list[str]:
    """The names of the phase's live exercises, in order."""
    return list(
        phase.prescriptions.filter(retired_at__isnull=True)
        .order_by("order", "pk")
        .values_list("exercise__name", flat=True)
    )
