"""The builder that knows the patient (issue 19): where the patient is, the library panel that
adds to the phase it was opened from, and an edit refused beside the form, typing kept."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import Clinician
from core.ids import opaque
from rehab.models import Exercise, Plan, PlanPhase, Prescription
from rehab.weeks import date_range, phase_week_range
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "builder-body"}


@dataclass
class Desk:
    clinician: Clinician
    plan: Plan  # a draft for an operative patient in week 5
    phases: list[PlanPhase]  # weeks 0–3, 4–7 (the patient's), 8–11


@pytest.fixture
def desk(clinician: Clinician) -> Desk:
    today = timezone.localdate()
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic,
        first_name="Week",
        last_name="Five",
        injury_date=today - dt.timedelta(weeks=5, days=2),
    )
    plan = factories.PlanFactory.create(patient=patient, status=Plan.Status.DRAFT)
    phases = [
        factories.PlanPhaseFactory.create(
            plan=plan, order=n, name=name, start_week=n * 4, end_week=n * 4 + 4
        )
        for n, name in enumerate(["Protection", "Loading", "Return"])
    ]
    return Desk(clinician=clinician, plan=plan, phases=phases)


def _builder(plan: Plan, query: str = "") -> str:
    return reverse("rehab:plan_builder", args=[plan.pk]) + query


def _phase_html(text: str, phase: PlanPhase) -> str:
    start = text.index(f'id="phase-{opaque(phase.pk)}"')
    end = text.find("<section", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_the_builder_shows_where_the_patient_is(desk: Desk) -> None:
    text = client_for(desk.clinician.user).get(_builder(desk.plan)).text
    assert desk.plan.week_on(desk.plan.patient.local_today()) == 5
    start = text.index("builder-header")
    header = text[start : text.index("</header>", start)]
    assert "week 5" in header
    assert "Operative" in header or "operative" in header
    assert "Loading" in header  # the current phase
    done, current, upcoming = (_phase_html(text, p) for p in desk.phases)
    # The current phase: open, marked, and its week marker shows today.
    assert "Current phase" in current
    assert '<details class="builder-phase-details" open>' in current
    assert re.search(r'aria-current="date">\s*week 5 · today', current)
    # Past: collapsed and done; future: collapsed, with its dates.
    assert "Done" in done
    assert 'builder-phase-details" open' not in done
    assert "Upcoming" in upcoming
    assert 'builder-phase-details" open' not in upcoming
    third = desk.phases[2]
    assert f"weeks 8–11 · {date_range(third.start_date, third.end_date)}" in upcoming
    # Week 4 belongs to one phase only.
    assert "weeks 0–3" in done
    assert "weeks 4–7" in current


def test_the_phase_strip_says_next_of_the_next_phase_only(desk: Desk) -> None:
    """The strip of phases above the plan called every phase after the current one "Next"
    (four of them in the shared operative template): only the one that follows is next; the
    ones after it are later, as the patient's plan says."""
    factories.PlanPhaseFactory.create(
        plan=desk.plan, order=3, name="Sport", start_week=12, end_week=16
    )
    text = client_for(desk.clinician.user).get(_builder(desk.plan)).text
    start = text.index('class="builder-strip')
    strip = text[start : text.index("</ol>", start)]
    states = [
        " ".join(re.sub(r"<[^>]+>", " ", state).split())
        for state in re.findall(
            r'<span class="builder-strip-state">(.*?)</span>\s*<span', strip, re.S
        )
    ]
    assert states == ["✓ Done", "● Now", "Next", "Later"]


def test_a_phase_started_early_says_today_is_before_it(desk: Desk) -> None:
    # Advanced early: the plan is in its weeks 8–11 phase while the patient is in week 5. The
    # week marker has no "today" among the phase's weeks, so it says where today is.
    desk.plan.status = Plan.Status.ACTIVE
    desk.plan.current_phase = desk.phases[2]
    desk.plan.save()
    text = client_for(desk.clinician.user).get(_builder(desk.plan)).text
    current = _phase_html(text, desk.phases[2])
    assert "Where today falls in this phase" in current
    assert 'aria-current="date"' not in current
    assert "Today is week 5: before the start of this phase." in current
    assert "past the end of this phase" not in current


def test_safe_now_filters_the_library_and_says_why_the_others_wait(desk: Desk) -> None:
    factories.ExerciseFactory.create(name="Heel walk early", earliest_week_operative=2)
    factories.ExerciseFactory.create(
        name="Heel hop late",
        earliest_week_operative=12,
        earliest_week_reason="Hopping loads the repair too much before week 12.",
    )
    client = client_for(desk.clinician.user)
    everything = client.get(_builder(desk.plan, "?q=Heel")).text
    assert "Heel hop late" in everything
    assert "Not usually before week 12 for this patient." in everything
    assert "Hopping loads the repair too much before week 12." in everything
    assert "Safe now" in everything
    safe = client.get(_builder(desk.plan, "?q=Heel&safe=1")).text
    assert "Heel walk early" in safe
    assert "Heel hop late" not in safe


def test_a_result_shows_its_photo_and_default_dose(desk: Desk) -> None:
    exercise = factories.ExerciseFactory.create(name="Towel scrunch", default_sets=2)
    photo = factories.ExerciseMediaFactory.create(exercise=exercise)
    factories.ExerciseFactory.create(name="Towel slide")  # no photo
    text = client_for(desk.clinician.user).get(_builder(desk.plan, "?q=Towel")).text
    result = text[text.index(f'id="result-{exercise.pk}"') :]
    result = result[: result.index("</li>")]
    assert reverse("rehab:media_thumbnail", args=[photo.key]) in result
    assert "2 sets × 10 reps" in result
    assert text.count("builder-result-picture") == 1


def test_the_panel_adds_to_the_current_phase_by_default(desk: Desk) -> None:
    factories.ExerciseFactory.create(name="Calf stretch", earliest_week_operative=0)
    text = client_for(desk.clinician.user).get(_builder(desk.plan, "?q=Calf")).text
    loading = desk.phases[1]
    assert "Calf stretch to Loading" in text
    assert f'name="phase" value="{loading.pk}"' in text


def test_adding_from_a_phase_puts_it_there_and_marks_it_in_view(desk: Desk) -> None:
    exercise = factories.ExerciseFactory.create(name="Ankle circles", earliest_week_operative=0)
    target = desk.phases[2]
    client = client_for(desk.clinician.user)
    page = client.get(_builder(desk.plan, f"?q=Ankle&to={opaque(target.pk)}")).text
    assert "Ankle circles to Return" in page
    response = client.post(
        reverse("rehab:prescription_add", args=[desk.plan.pk]),
        {
            "version": desk.plan.version,
            "exercise": exercise.pk,
            "phase": target.pk,
            "q": "Ankle",
            "to": opaque(target.pk),
        },
        **HTMX,
        HTTP_HX_CURRENT_URL="http://testserver"
        + _builder(desk.plan, f"?q=Ankle&to={opaque(target.pk)}"),
    )
    rx = Prescription.objects.get(exercise=exercise)
    assert rx.phase == target
    text = response.text
    assert "<html" not in text
    item = text[text.index(f'id="rx-{opaque(rx.pk)}"') :]
    assert (
        "data-changed"
        in text[
            text.index(f'id="rx-{opaque(rx.pk)}"') - 200 : text.index(f'id="rx-{opaque(rx.pk)}"')
            + 400
        ]
    )
    assert "Ankle circles added to Return." in item[:1500]  # the confirmation beside it
    # The phase added to is open; the library panel still adds to it.
    assert 'builder-phase-details" open' in _phase_html(text, target)
    assert "Ankle circles to Return" in text


def test_a_stale_dose_edit_is_refused_beside_the_form_with_the_typing_kept(desk: Desk) -> None:
    rx = factories.PrescriptionFactory.create(phase=desk.phases[1], sets=3, reps=10)
    old_version = desk.plan.version
    Plan.objects.filter(pk=desk.plan.pk).update(version=old_version + 1)  # another tab saved
    key = f"rx-{opaque(rx.pk)}"
    response = client_for(desk.clinician.user).post(
        reverse("rehab:prescription_edit", args=[rx.pk]),
        {
            f"{key}-version": old_version,
            f"{key}-sets": 4,
            f"{key}-reps": 12,
            f"{key}-times_per_day": 1,
            f"{key}-days_per_week": 7,
            f"{key}-side": rx.side,
            f"{key}-note": "Slow on the way down, please",
        },
        **HTMX,
    )
    assert response.status_code == 200
    text = response.text
    form = text[text.index(f'id="form-{key}"') :]
    form = form[: form.index("</form>")]
    assert "Someone else changed this plan" in form  # beside the phase's form
    assert "Slow on the way down, please" in form  # nothing typed is lost
    assert f'name="{key}-sets" value="4"' in form
    # Saving again is the clinician's choice: the form now carries the current version.
    assert f'name="{key}-version" value="{old_version + 1}"' in form
    rx.refresh_from_db()
    assert (rx.sets, rx.reps) == (3, 10)


def test_phase_texts_are_text_areas(desk: Desk) -> None:
    phase = desk.phases[1]
    text = (
        client_for(desk.clinician.user)
        .get(_builder(desk.plan, f"?edit=phase-{opaque(phase.pk)}"))
        .text
    )
    for name in ("weight_bearing", "boot", "wedges", "goals"):
        assert re.search(rf'<textarea[^>]*name="phase-{opaque(phase.pk)}-{name}"', text), name


# --- What is read and drawn only when asked for (issue 15: the builder's cost) ------------


def test_a_collapsed_phase_is_read_when_it_is_opened(desk: Desk) -> None:
    upcoming = desk.phases[2]
    rx = factories.PrescriptionFactory.create(phase=upcoming, exercise__name="Jog intervals")
    client = client_for(desk.clinician.user)
    text = client.get(_builder(desk.plan)).text
    collapsed = _phase_html(text, upcoming)
    # Its header: name, weeks, count and controls; its body only when opened.
    assert "1 exercise" in collapsed
    assert f'formaction="{reverse("rehab:phase_remove", args=[upcoming.pk])}"' in collapsed
    assert "Jog intervals" not in collapsed
    opened = f"{_builder(desk.plan)}?open={opaque(upcoming.pk)}"
    assert f'hx-get="{opened}"' in collapsed  # htmx reads it when the details open
    assert 'hx-trigger="toggle once"' in collapsed
    assert f'href="{opened}#phase-{opaque(upcoming.pk)}"' in collapsed  # and without JavaScript
    # The htmx answer: that phase's body only, with its exercises and their forms.
    body = client.get(
        opened, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"phase-{opaque(upcoming.pk)}-body"
    ).text
    assert "<html" not in body
    assert "builder-header" not in body
    assert f'id="rx-{opaque(rx.pk)}"' in body
    assert f'formaction="{reverse("rehab:prescription_move", args=[rx.pk])}"' in body
    assert f"?edit=rx-{opaque(rx.pk)}#rx-{opaque(rx.pk)}" in body
    # The link: the page with that phase open.
    page = client.get(opened).text
    assert 'builder-phase-details" open' in _phase_html(page, upcoming)
    assert f'id="rx-{opaque(rx.pk)}"' in page


def test_a_collapsed_phases_edit_links_work_without_the_script(desk: Desk) -> None:
    """The links of a collapsed phase's exercise ("Move … to another phase", the dose, the
    video) open their form on the builder without JavaScript (or before it runs): the
    builder's address reads the form to open (``?edit=``), which opens its phase, and the
    anchor is on that page (the move link's pointed at an id no element had: only the
    script, moving the focus to the form, took the clinician there)."""
    upcoming = desk.phases[2]
    rx = factories.PrescriptionFactory.create(phase=upcoming, exercise__name="Jog intervals")
    client = client_for(desk.clinician.user)
    body = client.get(
        f"{_builder(desk.plan)}?open={opaque(upcoming.pk)}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"phase-{opaque(upcoming.pk)}-body",
    ).text
    for label, field in (
        ("Move Jog intervals to another phase", f"rxmove-{opaque(rx.pk)}-phase"),
        ("Edit dose of Jog intervals", f"rx-{opaque(rx.pk)}-sets"),
        ("Attach a video or photo of Jog intervals", 'type="file"'),
    ):
        match = re.search(rf'<a href="([^"]+)"[^>]*aria-label="{re.escape(label)}', body)
        assert match is not None, label
        href = match.group(1).replace("&amp;", "&")
        address, _hash, anchor = href.partition("#")
        assert address.startswith(_builder(desk.plan) + "?"), href  # the builder, not "#…"
        assert anchor, href
        page = client.get(address).text  # followed without the script
        assert 'builder-phase-details" open' in _phase_html(page, upcoming), label
        assert field in page, label
        element = re.search(rf'<[a-z0-9]+\s[^>]*\bid="{re.escape(anchor)}"', page)
        assert element is not None, f"{label}: no element has the id {anchor!r}"
        assert field in page[element.start() :], label  # its form is there, not above it
    # With the script, the same links open the form in place.
    move = re.search(r'<a href="[^"]+"\s+hx-get="([^"]+)"[^>]*aria-label="Move Jog', body)
    assert move is not None
    assert move.group(1).endswith(f"?edit=rxmove-{opaque(rx.pk)}")


def test_cancelling_an_edit_in_a_collapsed_phase_keeps_that_phase_open(desk: Desk) -> None:
    """A dose edited in a phase that is not the current one: "Cancel" went to the builder
    with the anchor of the exercise, but the builder opened only the current phase, so the
    therapist (without the script, or with it: its swap read the same address) was left at a
    collapsed phase with the anchor nowhere on the page. Cancel opens that phase again."""
    upcoming = desk.phases[2]
    rx = factories.PrescriptionFactory.create(phase=upcoming, exercise__name="Jog intervals")
    client = client_for(desk.clinician.user)
    page = client.get(f"{_builder(desk.plan)}?edit=rx-{opaque(rx.pk)}").text
    match = re.search(r'<a href="([^"]+)"\s+hx-get="([^"]+)"[^>]*>Cancel</a>', page)
    assert match is not None
    href, swap = (url.replace("&amp;", "&") for url in match.groups())
    address, _hash, anchor = href.partition("#")
    assert swap == address  # the script reads the same page as the link
    back = client.get(address).text
    assert 'builder-phase-details" open' in _phase_html(back, upcoming)
    assert re.search(rf'\bid="{re.escape(anchor)}"', back), anchor


def test_every_phase_can_be_opened_at_once(desk: Desk) -> None:
    for phase in desk.phases:
        factories.PrescriptionFactory.create(phase=phase, exercise__name=f"{phase.name} drill")
    client = client_for(desk.clinician.user)
    text = client.get(_builder(desk.plan)).text
    every = f"{_builder(desk.plan)}?open=all"
    assert f'href="{every}#phases"' in text
    text = client.get(every).text
    for phase in desk.phases:
        assert 'builder-phase-details" open' in _phase_html(text, phase)
        assert f"{phase.name} drill" in text
    assert f'href="{every}#phases"' not in text
    # An edit keeps them open (the page's address says so).
    rx = Prescription.objects.get(exercise__name="Return drill")
    response = client.post(
        reverse("rehab:prescription_move", args=[rx.pk]),
        {"version": desk.plan.version, "direction": "up"},
        **HTMX,
        HTTP_HX_CURRENT_URL="http://testserver" + every,
    )
    for phase in desk.phases:
        assert 'builder-phase-details" open' in _phase_html(response.text, phase)


def test_an_unknown_phase_to_open_is_404_for_htmx_and_ignored_otherwise(desk: Desk) -> None:
    client = client_for(desk.clinician.user)
    url = _builder(desk.plan, f"?open={opaque(999999)}")
    target = f"phase-{opaque(999999)}-body"
    assert client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target).status_code == 404
    assert client.get(url).status_code == 200
    # A row number, or a string that is no phase's id, opens nothing: the builder's body.
    for value in ("999999", "AAAAAAAA"):
        asked = client.get(
            _builder(desk.plan, f"?open={value}"),
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET=f"phase-{value}-body",
        )
        assert asked.status_code == 200
        assert 'id="builder-body"' in asked.text


def test_the_name_and_a_new_phase_have_a_link_and_their_form_when_asked_for(desk: Desk) -> None:
    client = client_for(desk.clinician.user)
    text = client.get(_builder(desk.plan)).text
    assert 'name="rename-name"' not in text
    assert 'name="new-phase-name"' not in text
    assert f'href="{_builder(desk.plan)}?edit=rename#rename"' in text
    assert f'href="{_builder(desk.plan)}?edit=new-phase#new-phase"' in text
    renaming = client.get(_builder(desk.plan, "?edit=rename")).text
    assert f'name="rename-name" value="{desk.plan.name}"' in renaming
    assert 'id="rename-title"' in renaming
    adding = client.get(_builder(desk.plan, "?edit=new-phase")).text
    assert 'name="new-phase-start_week" value="12"' in adding  # after the last phase
    assert 'id="form-new-phase"' in adding
    # A plan without phases shows the form for its first at once.
    empty = factories.PlanFactory.create(patient=desk.plan.patient, status=Plan.Status.DRAFT)
    assert 'id="form-new-phase"' in client.get(_builder(empty)).text


def test_a_refused_rename_is_shown_again_with_its_error(desk: Desk) -> None:
    response = client_for(desk.clinician.user).post(
        reverse("rehab:plan_rename", args=[desk.plan.pk]),
        {"rename-version": desk.plan.version, "rename-name": ""},
        **HTMX,
    )
    assert response.status_code == 200
    form = response.text[response.text.index('id="form-rename"') :]
    assert "This field is required." in form[: form.index("</form>")]


# --- Activation with a summary; the same summary as the plan's overview -------------------


def _overview(plan: Plan) -> str:
    return reverse("rehab:plan_overview", args=[plan.pk])


def test_activation_shows_what_the_patient_will_get(desk: Desk) -> None:
    first = factories.PrescriptionFactory.create(
        phase=desk.phases[1],
        exercise__name="Seated calf raise",
        exercise__patient_name="Sitting heel lifts",
    )
    early = factories.PrescriptionFactory.create(
        phase=desk.phases[1],
        exercise__name="Single-leg hop",
        exercise__earliest_week_operative=12,
        guardrail_reason="Agreed with the surgeon",
    )
    factories.PrescriptionFactory.create(phase=desk.phases[2], exercise__name="Jog")
    builder = client_for(desk.clinician.user).get(_builder(desk.plan)).text
    assert f'href="{_overview(desk.plan)}">Review and activate' in builder
    text = client_for(desk.clinician.user).get(_overview(desk.plan)).text
    # What the patient sees first on Today: the phase for their week, in their words.
    today = text[text.index('id="first-title"') : text.index('id="early-title"')]
    assert "Loading" in today
    assert "Sitting heel lifts" in today
    assert first.dose_text() in today
    assert "Jog" not in today
    # Every early placement with its reason.
    placements = text[text.index('id="early-title"') : text.index('id="phases-title"')]
    assert early.exercise.name in placements
    assert "Agreed with the surgeon" in placements
    # Phases with dates and their exercises.
    for phase in desk.phases:
        assert phase_week_range(phase) in text
    assert "Jog" in text
    assert "3 phases" in text
    assert "3 exercises" in text
    assert f'action="{reverse("rehab:plan_activate", args=[desk.plan.pk])}"' in text


def test_education_items_are_counted_apart_from_exercises(desk: Desk) -> None:
    """A phase of two exercises and an education item (advice to read, no session) read "3
    exercises" in the builder and in the activation summary: they say 2 exercises and 1
    education item."""
    for name in ("Seated calf raise", "Toe curls"):
        factories.PrescriptionFactory.create(phase=desk.phases[1], exercise__name=name)
    factories.PrescriptionFactory.create(
        phase=desk.phases[1],
        exercise__name="Education: the signs of a blood clot",
        exercise__category=Exercise.Category.EDUCATION,
    )
    client = client_for(desk.clinician.user)
    builder = " ".join(client.get(_builder(desk.plan)).text.split())
    assert "2 exercises · 1 education item" in builder
    assert "3 exercises" not in builder
    overview = " ".join(client.get(_overview(desk.plan)).text.split())
    assert "3 phases, 2 exercises, 1 education item" in overview


def test_activation_waits_for_every_reason(desk: Desk) -> None:
    rx = factories.PrescriptionFactory.create(
        phase=desk.phases[1], exercise__name="Single-leg hop", exercise__earliest_week_operative=12
    )
    text = client_for(desk.clinician.user).get(_overview(desk.plan)).text
    assert "No reason given yet." in text
    assert f"?edit=rx-{opaque(rx.pk)}#rx-{opaque(rx.pk)}" in text
    assert reverse("rehab:plan_activate", args=[desk.plan.pk]) not in text


def test_the_overview_of_an_active_plan_has_no_activate_button(desk: Desk) -> None:
    desk.plan.status = Plan.Status.ACTIVE
    desk.plan.current_phase = desk.phases[1]
    desk.plan.save()
    text = client_for(desk.clinician.user).get(_overview(desk.plan)).text
    assert "Plan overview" in text
    assert "What the patient sees on Today" in text
    assert reverse("rehab:plan_activate", args=[desk.plan.pk]) not in text


def test_the_overview_of_a_paused_plan_says_the_patient_has_nothing_to_tick(desk: Desk) -> None:
    """A red flag paused the plan: the patient's Today shows the advice and nothing to tick, so
    the overview's "What the patient sees on Today" must not list the exercises as if due."""
    desk.plan.status = Plan.Status.PAUSED
    desk.plan.current_phase = desk.phases[1]
    desk.plan.save()
    factories.PrescriptionFactory.create(phase=desk.phases[1], exercise__name="Toe curls")
    text = client_for(desk.clinician.user).get(_overview(desk.plan)).text
    box = text[text.index('id="first-title"') :]
    box = box[: box.index("</section>")] if "</section>" in box else box
    assert "Exercise is paused after a red flag" in box
    assert reverse("rehab:plan_resume", args=[desk.plan.patient.pk]) in box
    assert box.index("Exercise is paused after a red flag") < box.index("Toe curls")


def test_the_overview_names_the_pathway_without_nested_brackets(desk: Desk) -> None:
    # The pathway's label has its own brackets ("Operative (surgical repair)"): the sentence
    # must not wrap it in another pair.
    text = client_for(desk.clinician.user).get(_overview(desk.plan)).text
    assert "(Operative (surgical repair))" not in text
    assert "for Week Five: Operative (surgical repair), in week 5 today" in text


def test_the_overview_is_the_clinics(desk: Desk, colleague: Clinician) -> None:
    assert client_for(colleague.user).get(_overview(desk.plan)).status_code == 200
    other = factories.ClinicianFactory.create()
    assert client_for(other.user).get(_overview(desk.plan)).status_code == 404
    assert client_for(desk.plan.patient.user).get(_overview(desk.plan)).status_code == 404
    anonymous = client_for(None).get(_overview(desk.plan))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


def test_the_overview_has_a_constant_number_of_queries(
    desk: Desk, django_assert_max_num_queries: Any
) -> None:
    """1 session, 2 user with clinician and clinic, 3 plan with patient, 4 phases,
    5 prescriptions with exercises and "has logs" (plan_builder; the patient's own photos and
    videos are not shown here, so not read), 6 the audit record of the clinician reading the
    patient's plan, 7-8 the navigation's counts of open alerts and of unread messages
    (rehab_desk)."""
    client = client_for(desk.clinician.user)
    for scale in (1, 10):
        for phase in desk.phases:
            factories.PrescriptionFactory.create_batch(scale, phase=phase)
        client.get(_overview(desk.plan))
        with django_assert_max_num_queries(8):
            response = client.get(_overview(desk.plan))
        assert response.status_code == 200


def test_a_stale_phase_edit_is_refused_beside_the_phase(desk: Desk) -> None:
    phase = desk.phases[1]
    old_version = desk.plan.version
    Plan.objects.filter(pk=desk.plan.pk).update(version=old_version + 1)  # another tab saved
    key = f"phase-{opaque(phase.pk)}"
    data = {
        f"{key}-version": old_version,
        f"{key}-name": "Loading, renamed",
        f"{key}-start_week": phase.start_week,
        f"{key}-end_week": phase.end_week,
        f"{key}-goals": "Walk a full gait cycle without the boot",
    }
    response = client_for(desk.clinician.user).post(
        reverse("rehab:phase_edit", args=[phase.pk]), data, **HTMX
    )
    text = response.text
    form = text[text.index(f'id="form-{key}"') :]
    form = form[: form.index("</form>")]
    assert "Someone else changed this plan" in form
    assert "Walk a full gait cycle without the boot" in form
    assert "Loading, renamed" in form
    assert 'builder-phase-details" open' in _phase_html(text, phase)
    phase.refresh_from_db()
    assert phase.name == "Loading"


# --- Two therapists, one plan: a refused save says what changed meanwhile --------------------


def _dose_post(rx: Prescription, version: int, **changes: Any) -> dict[str, Any]:
    key = f"rx-{opaque(rx.pk)}"
    values = {
        "sets": rx.sets,
        "reps": rx.reps,
        "times_per_day": rx.times_per_day,
        "days_per_week": rx.days_per_week,
        "side": rx.side,
        "note": rx.note,
        **changes,
    }
    return {f"{key}-version": version, **{f"{key}-{k}": v for k, v in values.items()}}


def _form_html(text: str, key: str) -> str:
    form = text[text.index(f'id="form-{key}"') :]
    return form[: form.index("</form>")]


def test_a_stale_phase_edit_says_what_changed_by_whom_and_when(
    desk: Desk, colleague: Clinician
) -> None:
    """Two therapists opened the plan at the same version. The colleague saved a dose and
    removed an exercise; the therapist's save of the phase is refused, as before, and beside
    the phase's form it now says what changed meanwhile, who did it and when (the therapist's
    typing kept). Before, it said only "Someone else changed this plan"."""
    colleague.user.full_name = "Anna Berg"
    colleague.user.save(update_fields=["full_name"])
    loading = desk.phases[1]
    rx = factories.PrescriptionFactory.create(
        phase=loading, exercise__name="Seated heel raise", sets=3
    )
    gone = factories.PrescriptionFactory.create(phase=loading, exercise__name="Towel scrunch")
    seen = desk.plan.version
    theirs = client_for(colleague.user)
    theirs.post(reverse("rehab:prescription_edit", args=[rx.pk]), _dose_post(rx, seen, sets=4))
    theirs.post(reverse("rehab:prescription_remove", args=[gone.pk]), {"version": seen + 1})
    desk.plan.refresh_from_db()
    assert desk.plan.version == seen + 2
    key = f"phase-{opaque(loading.pk)}"
    response = client_for(desk.clinician.user).post(
        reverse("rehab:phase_edit", args=[loading.pk]),
        {
            f"{key}-version": seen,
            f"{key}-name": "Loading, renamed",
            f"{key}-start_week": loading.start_week,
            f"{key}-end_week": loading.end_week,
            f"{key}-goals": "Walk a full gait cycle without the boot",
        },
        **HTMX,
    )
    form = _form_html(response.text, key)
    assert "Someone else changed this plan" in form
    # Each change's own time, as every page writes it (not the clock now: a minute may have
    # turned since the colleague's saves), in the reader's time zone, the clinic's (in the
    # server's, UTC, it was an hour off in British Summer Time).
    zone = zoneinfo.ZoneInfo(desk.clinician.clinic.timezone)
    dosed, removed = (
        re.escape(date_format(timezone.localtime(edit.at, zone), "DATETIME_FORMAT"))
        for edit in desk.plan.edits.filter(version__gt=seen).order_by("version")
    )
    assert re.search(
        rf"Anna Berg changed the dose of Seated heel raise in Loading[^<]*{dosed}", form
    ), form
    assert re.search(rf"Anna Berg removed Towel scrunch from Loading[^<]*{removed}", form)
    assert "Walk a full gait cycle without the boot" in form  # nothing typed is lost
    assert "Loading, renamed" in form
    loading.refresh_from_db()
    assert loading.name == "Loading"


def test_a_stale_edit_from_my_other_tab_says_it_was_me(desk: Desk) -> None:
    loading = desk.phases[1]
    rx = factories.PrescriptionFactory.create(phase=loading, exercise__name="Calf stretch")
    seen = desk.plan.version
    client = client_for(desk.clinician.user)
    client.post(reverse("rehab:prescription_edit", args=[rx.pk]), _dose_post(rx, seen, sets=4))
    response = client.post(
        reverse("rehab:prescription_edit", args=[rx.pk]),
        _dose_post(rx, seen, sets=5, note="From the other tab"),
        **HTMX,
    )
    form = _form_html(response.text, f"rx-{opaque(rx.pk)}")
    assert "You changed the dose of Calf stretch in Loading" in form
    assert "From the other tab" in form
    rx.refresh_from_db()
    assert rx.sets == 4


def test_a_stale_button_says_what_changed(desk: Desk, colleague: Clinician) -> None:
    """A refused move or remove (a button: nothing typed) says what changed too."""
    colleague.user.full_name = "Anna Berg"
    colleague.user.save(update_fields=["full_name"])
    loading = desk.phases[1]
    first, second = factories.PrescriptionFactory.create_batch(2, phase=loading)
    seen = desk.plan.version
    client_for(colleague.user).post(
        reverse("rehab:phase_edit", args=[desk.phases[2].pk]),
        {
            f"phase-{opaque(desk.phases[2].pk)}-version": seen,
            f"phase-{opaque(desk.phases[2].pk)}-name": "Return to sport",
            f"phase-{opaque(desk.phases[2].pk)}-start_week": 8,
            f"phase-{opaque(desk.phases[2].pk)}-end_week": 12,
        },
    )
    response = client_for(desk.clinician.user).post(
        reverse("rehab:prescription_move", args=[second.pk]),
        {"version": seen, "direction": "up"},
        **HTMX,
    )
    assert "Someone else changed this plan" in response.text
    assert "Anna Berg changed the phase Return to sport" in response.text
    second.refresh_from_db()
    assert second.order > first.order


def test_an_exercises_edit_links_read_short_and_name_it_to_a_screen_reader(desk: Desk) -> None:
    """At a tablet's width every exercise had three lines of links each repeating its long name
    ("Edit dose of Active ankle pointing and pulling up, to neutral only (seated, boot off;
    operative)"): the links now read "Edit dose", "Move to another phase", "Attach a video or
    photo", and their accessible name still says which exercise (and for whom)."""
    current = desk.phases[1]
    rx = factories.PrescriptionFactory.create(phase=current, exercise__name="Jog intervals")
    body = client_for(desk.clinician.user).get(f"{_builder(desk.plan)}?open=all").text
    row = body[body.index(f'id="rx-{opaque(rx.pk)}"') :]
    row = row[: row.index("</li>")]
    links = {
        text.strip(): label
        for label, text in re.findall(r'<a [^>]*aria-label="([^"]+)"[^>]*>([^<]+)</a>', row)
    }
    first_name = desk.plan.patient.first_name
    assert links == {
        "Edit dose": "Edit dose of Jog intervals",
        "Move to another phase": "Move Jog intervals to another phase",
        "Attach a video or photo": f"Attach a video or photo of Jog intervals for {first_name}",
    }
    phase = _phase_html(body, current)
    assert re.search(
        rf'aria-label="Edit phase {re.escape(current.name)}"[^>]*>\s*Edit this phase\s*</a>', phase
    )
