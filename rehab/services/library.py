"""The exercise library, written by staff through the API (the admin writes through its own
forms)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rehab.models.library import Exercise

# (Added for rehab/api: the admin writes through its own forms.)


@transaction.atomic
def exercise_create(*, equipment: Iterable[Any] = (), **fields: Any) -> Exercise:
    """Add an exercise to the library (``clinic`` empty: the shared library)."""
    exercise = Exercise(**fields)
    exercise.full_clean()
    exercise.save()
    exercise.equipment.set(list(equipment))
    return exercise


@transaction.atomic
def exercise_update(
    *, exercise: Exercise, equipment: Iterable[Any] | None = None, **fields: Any
) -> Exercise:
    """Change a library exercise; ``equipment``, if given, replaces its equipment."""
    for name, value in fields.items():
        setattr(exercise, name, value)
    exercise.full_clean()
    exercise.save()
    if equipment is not None:
        exercise.equipment.set(list(equipment))
    return exercise


@transaction.atomic
def exercise_delete(*, exercise: Exercise) -> None:
    """Delete an exercise no protocol or plan uses (those are kept: unpublish them instead)."""
    try:
        with transaction.atomic():
            exercise.delete()
    except IntegrityError:  # ProtectedError: a protocol item or prescription refers to it
        raise ValidationError(
            _(
                "This exercise is used by a protocol template or a patient's plan, so it cannot "
                "be deleted. Unpublish it instead."
            ),
            code="exercise_in_use",
        ) from None
