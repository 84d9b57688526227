"""Serializers built once per class (``BuiltOnceMixin``) have the fields DRF would build."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from rehab.api import serializers as s

pytestmark = pytest.mark.django_db  # a related field's repr shows its queryset

BUILT_ONCE = [
    cls
    for cls in vars(s).values()
    if isinstance(cls, type) and issubclass(cls, s.BuiltOnceMixin) and cls is not s.BuiltOnceMixin
]


def _shape(fields: dict[str, Any]) -> dict[str, str]:
    return {name: repr(field) for name, field in fields.items()}


def test_the_today_serializers_are_built_once() -> None:
    names = {cls.__name__ for cls in BUILT_ONCE}
    assert {"ExerciseBriefSerializer", "PrescriptionSerializer", "ExerciseLogSerializer"} <= names


@pytest.mark.parametrize("cls", BUILT_ONCE, ids=lambda cls: cls.__name__)
def test_fields_are_what_drf_builds_and_never_shared(cls: type[Any]) -> None:
    first, second = cls(), cls()
    fresh = serializers.ModelSerializer.get_fields(cls())  # DRF's own build, not the cache
    assert _shape(first.fields) == _shape(second.fields) == _shape(fresh)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
