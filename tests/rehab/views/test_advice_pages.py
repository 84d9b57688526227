"""Education items on the pages (``Exercise.is_advice``): Today shows them in their own section
after the exercises, with their plain text and no dose, no buttons and no counters; a tick of one
without JavaScript is refused in plain words; My plan, the handout, the overview and the builder
say "Advice to read" where an exercise has its dose."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Clinician, Patient
from core.ids import opaque
from rehab.models import Exercise, ExerciseLog, PlanPhase, Prescription
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SUMMARY = "Wear the boot in bed until your physiotherapist says otherwise."
STEP = "Loosen the straps a little if your foot swells."


def _advice(phase: PlanPhase, name: str = "Keep your boot on, at night too") -> Prescription:
    """An advice item stored as a shipped template gives it: 1 rep, 1 day a week."""
    exercise = factories.ExerciseFactory(
        category=Exercise.Category.EDUCATION,
        patient_name=name,
        patient_summary=SUMMARY,
        steps=["Sleep with the boot on.", STEP],
    )
    return factories.PrescriptionFactory(
        phase=phase, exercise=exercise, sets=1, reps=1, days_per_week=1
    )


@pytest.fixture
def phase(patient: Patient) -> PlanPhase:
    _plan, (made,) = factories.active_plan(patient)
    return made


@pytest.fixture
def me(patient: Patient) -> Client:
    return client_for(patient.user)


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return match.group(0)


def test_today_shows_advice_after_the_exercises_without_a_dose_buttons_or_counters(
    phase: PlanPhase, me: Client
) -> None:
    exercise = factories.PrescriptionFactory(phase=phase, sets=1, reps=10, days_per_week=7)
    advice = _advice(phase)
    html = me.get(reverse("rehab:today")).text
    due = _section(html, "due-heading")
    assert f'data-rx="{opaque(exercise.pk)}"' in due
    assert "Keep your boot on" not in due
    good = _section(html, "advice-heading")
    assert html.index(due) < html.index(good)
    assert "Good to know" in good
    assert "Keep your boot on, at night too" in good
    assert SUMMARY in good
    assert STEP in good
    assert f'data-rx="{opaque(advice.pk)}"' not in html  # no card: nothing for the session to tick
    for said in ("1 rep", "day a week", "Sets done", "Sessions today", "Start", "Done"):
        assert said not in good, said
    assert "Rest day for these" not in html


def test_today_with_only_advice_is_a_rest_day_without_a_session_to_start(
    phase: PlanPhase, me: Client
) -> None:
    _advice(phase)
    html = me.get(reverse("rehab:today")).text
    assert "No exercises today: a rest day." in html
    assert 'data-role="start-session"' not in html
    assert '<dialog id="session"' not in html
    assert "Keep your boot on, at night too" in _section(html, "advice-heading")


def test_todays_queries_do_not_grow_with_advice(
    phase: PlanPhase, me: Client, django_assert_max_num_queries: Any
) -> None:
    factories.PrescriptionFactory(phase=phase)
    _advice(phase)
    with CaptureQueriesContext(connection) as small:
        assert me.get(reverse("rehab:today")).status_code == 200
    for n in range(5):
        _advice(phase, name=f"Advice {n}")
    # As tests/rehab/views/test_patient.py's count: advice reads nothing more.
    with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as large:
        assert me.get(reverse("rehab:today")).status_code == 200
    assert len(small) == len(large)


def test_a_tick_of_advice_without_javascript_is_refused_in_plain_words(
    phase: PlanPhase, me: Client
) -> None:
    advice = _advice(phase)
    data = {"client_uuid": str(uuid.uuid4()), "prescription": opaque(advice.pk), "sets_done": 1}
    response = me.post(reverse("rehab:log_create"), data, follow=True)
    said = "\n".join(str(m) for m in response.context["messages"])
    assert "This is advice to read: there is nothing to tick." in said
    assert not ExerciseLog.objects.exists()


def test_my_plan_says_advice_instead_of_a_dose(phase: PlanPhase, me: Client) -> None:
    factories.PrescriptionFactory(phase=phase, sets=2, reps=10)
    _advice(phase)
    html = me.get(reverse("rehab:my_plan")).text
    assert "Keep your boot on, at night too</span>: Advice to read" in html
    assert "2 sets × 10 reps" in html
    assert "1 rep" not in html
    assert "1 day a week" not in html


def test_the_handout_overview_and_builder_say_advice_instead_of_a_dose(
    clinician: Clinician, phase: PlanPhase
) -> None:
    _advice(phase)
    client = client_for(clinician.user)
    plan = phase.plan
    handout = client.get(reverse("rehab:plan_handout", args=[plan.pk])).text
    assert "Advice to read" in handout
    assert "1 day a week" not in handout
    overview = client.get(reverse("rehab:plan_overview", args=[plan.pk])).text
    assert "Advice to read" in overview
    assert "1 day a week" not in overview
    builder = client.get(reverse("rehab:plan_builder", args=[plan.pk])).text
    assert "Advice to read" in builder
    assert "1 day a week" not in builder
    # Still edited there, its dose as stored, with the reason the patient sees none.
    assert "Advice: the patient reads it and has no dose to follow" in builder


def test_the_builder_edits_an_advice_items_note_not_a_dose(
    clinician: Clinician, phase: PlanPhase
) -> None:
    # The patient has no dose to follow: the builder's form asks only for the note, and a
    # dose sent with it anyway changes nothing.
    advice = _advice(phase)
    client = client_for(clinician.user)
    plan = phase.plan
    key = f"rx-{opaque(advice.pk)}"
    page = client.get(reverse("rehab:plan_builder", args=[plan.pk]), {"edit": key}).text
    form = re.search(rf'<form[^>]*id="form-{key}".*?</form>', page, re.S)
    assert form, "the edit form"
    assert f'name="{key}-note"' in form.group(0)
    assert f'name="{key}-sets"' not in form.group(0)
    assert "Edit the note of" in page
    assert "Save note" in form.group(0)
    response = client.post(
        reverse("rehab:prescription_edit", args=[advice.pk]),
        {
            f"{key}-version": plan.version,
            f"{key}-note": "Every night, until your review.",
            f"{key}-sets": 5,
            f"{key}-days_per_week": 7,
        },
        follow=True,
    )
    assert "Note saved." in response.text
    advice.refresh_from_db()
    assert advice.note == "Every night, until your review."
    assert (advice.sets, advice.reps, advice.days_per_week) == (1, 1, 1)  # as stored
