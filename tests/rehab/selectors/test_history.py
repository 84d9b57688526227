"""rehab.selectors.history: who changed what of an exercise or a template, field by field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rehab.models import Exercise
from rehab.selectors import history
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_change_names_each_field_changed_by_its_label() -> None:
    """By the field's label, as the clinic's pages name it (a foreign key's too), not its
    name in the code; a foreign key's value by the row's name, not its id; the times the
    history keeps anyway are not listed."""
    exercise = factories.ExerciseFactory(default_reps=10)
    harder = factories.ExerciseFactory(name="Single-leg heel raise")
    exercise.summary = "Shorter."
    exercise.default_reps = 12
    exercise.progresses_to = harder
    exercise.save()
    changed, created = history.exercise_changes(exercise)
    assert (changed.what, created.what) == ("Changed", "Created")
    assert sorted((f.label, f.old, f.new) for f in changed.fields) == [
        ("default reps", "10", "12"),
        ("progresses to", "–", "Single-leg heel raise"),
        ("summary for clinicians", "A test exercise (for clinicians).", "Shorter."),
    ]


def test_values_are_shown_in_words_not_as_stored() -> None:
    """A choice by its label, a yes/no flag in words, a time as the pages write times: never
    "stretch", "False" or "2026-12-06 06:47:13.087289+00:00"."""
    exercise = factories.ExerciseFactory(category="stretch", side="injured")
    exercise.category = Exercise.Category.STRENGTH
    exercise.side = "both"
    exercise.is_published = False
    exercise.instructions_updated_at = timezone.make_aware(dt.datetime(2026, 12, 6, 6, 47, 13))
    exercise.save()
    changed, _created = history.exercise_changes(exercise)
    shown = {f.label: (f.old, f.new) for f in changed.fields}
    assert shown["category"] == ("Stretch", "Strength")
    assert shown["which leg"] == ("Injured leg", "Both legs together")
    assert shown["published"] == ("yes", "no")
    assert shown["instructions updated"] == ("–", "6 Dec 2026, 6:47 a.m.")  # DATETIME_FORMAT
