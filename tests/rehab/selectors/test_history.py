"""rehab.selectors.history: who changed what of an exercise or a template, field by field."""

from __future__ import annotations

import pytest

from rehab.selectors import history
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_change_names_each_field_changed_by_its_label() -> None:
    """By the field's label, as the clinic's pages name it (a foreign key's too), not its
    name in the code; the times the history keeps anyway are not listed."""
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
        ("progresses to", "–", str(harder.pk)),
        ("summary for clinicians", "A test exercise (for clinicians).", "Shorter."),
    ]
