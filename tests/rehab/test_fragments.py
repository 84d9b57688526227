"""The exercises' instructions on the Today page are rendered once and cached, never stale."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clinic.models import Patient
from rehab import fragments
from rehab.models import Exercise, PhaseChange, Prescription
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(patient: Patient) -> Client:
    return client_for(patient.user)


@pytest.fixture
def exercise(patient: Patient) -> Exercise:
    plan = factories.PlanFactory(patient=patient)
    phase = factories.PlanPhaseFactory(plan=plan, start_week=0, end_week=60)
    plan.current_phase = phase
    plan.save()
    PhaseChange.objects.create(plan=plan, to_phase=phase, effective_on=plan.anchor_date)
    factories.PrescriptionFactory(
        phase=phase,
        exercise__summary="Calf <strong> work",
        exercise__video_url="https://video.example/v",
        exercise__video_start_seconds=65,
    )
    return Prescription.objects.get(phase=phase).exercise


def test_instructions_are_rendered_once_then_read_from_the_cache(
    exercise: Exercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    with translation.override("en-gb"):
        first = fragments.exercise_instructions([exercise])[exercise.pk]
        rendered: list[Any] = []
        monkeypatch.setattr(fragments, "render_to_string", lambda *a, **k: rendered.append(a))
        again = fragments.exercise_instructions([exercise])[exercise.pk]
    assert again == first
    assert rendered == []
    assert "Calf &lt;strong&gt; work" in first  # escaped once, not twice nor raw
    assert "<li>Stand tall.</li>" in first
    assert "Watch the video (from 1:05)" in first


def test_an_edit_to_the_exercise_shows_at_once(exercise: Exercise, me: Client) -> None:
    assert "Rise slowly." in me.get(reverse("rehab:today")).content.decode()
    exercise.steps = ["Rise on both feet."]
    exercise.save()
    html = me.get(reverse("rehab:today")).content.decode()
    assert "Rise on both feet." in html
    assert "Rise slowly." not in html


def test_a_change_that_keeps_updated_at_still_shows_at_once(
    exercise: Exercise, me: Client, settings: Any
) -> None:
    """A fixture loaded over the row, or an ``update()``, can keep ``updated_at``: the key
    holds a digest of what is shown too.

    This is the fragment's own key, so the whole-page cache is off here: an ``update()``
    sends no signal, and the page cache learns of library changes from signals (saves, fixture
    loads); see ``tests/rehab/test_pagecache.py`` for how a page shows a queryset update."""
    settings.PAGE_CACHE = False
    assert "Rise slowly." in me.get(reverse("rehab:today")).content.decode()
    Exercise.objects.filter(pk=exercise.pk).update(
        cues=["Knees soft."], updated_at=exercise.updated_at
    )
    html = me.get(reverse("rehab:today")).content.decode()
    assert "Knees soft." in html
    assert "Keep the foot straight." not in html


def test_each_language_has_its_own_entry(exercise: Exercise) -> None:
    cache.clear()
    with translation.override("en-gb"):
        fragments.exercise_instructions([exercise])
    with translation.override("de"):
        key = fragments._instructions_key(exercise)
    with translation.override("en-gb"):
        assert fragments._instructions_key(exercise) != key
    assert cache.get(key) is None


def test_a_cache_that_is_down_costs_a_render_not_the_page(
    exercise: Exercise, me: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    response = me.get(reverse("rehab:today"))
    assert response.status_code == 200
    assert "Rise slowly." in response.content.decode()
