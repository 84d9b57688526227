"""Serializers built once per class (``BuiltOnceMixin``), or with their declared fields copied
cheaply (``DeclaredOnceMixin``), have the fields DRF would build, never shared."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from clinic.api import serializers as clinic_serializers
from rehab.api.serializers import base as base_serializers
from rehab.api.serializers import library as library_serializers
from rehab.api.serializers import logbook as logbook_serializers
from rehab.api.serializers import plans as plan_serializers
from rehab.api.serializers import protocols as protocol_serializers

pytestmark = pytest.mark.django_db  # a related field's repr shows its queryset

CLASSES = [
    cls
    for module in (
        clinic_serializers,
        library_serializers,
        protocol_serializers,
        plan_serializers,
        logbook_serializers,
    )
    for cls in vars(module).values()
    if isinstance(cls, type) and cls.__module__ == module.__name__
]

BUILT_ONCE = [
    cls
    for cls in CLASSES
    if isinstance(cls, type)
    and issubclass(cls, base_serializers.BuiltOnceMixin)
    and cls is not base_serializers.BuiltOnceMixin
]

DECLARED_ONCE = [
    cls
    for cls in CLASSES
    if isinstance(cls, type)
    and issubclass(cls, base_serializers.DeclaredOnceMixin)
    and cls is not base_serializers.DeclaredOnceMixin
]


def _shape(fields: dict[str, Any]) -> dict[str, str]:
    return {name: repr(field) for name, field in fields.items()}


def _validators(fields: dict[str, Any]) -> dict[str, list[str]]:
    return {name: [type(v).__name__ for v in field.validators] for name, field in fields.items()}


def _own_containers(first: Any, second: Any) -> None:
    """Each instance's field has its own validators list and messages: changing them on one
    (as a serializer's ``__init__`` may) changes no other instance, nor later requests'."""
    for name, field in first.fields.items():
        other = second.fields[name]
        assert field.validators is not other.validators
        assert field.error_messages is not other.error_messages
        field.validators.append(lambda _value: None)
        field.error_messages["extra"] = "changed"
        assert len(other.validators) == len(field.validators) - 1
        assert "extra" not in other.error_messages
        assert "extra" not in type(first)().fields[name].error_messages


def test_the_today_serializers_are_built_once() -> None:
    names = {cls.__name__ for cls in BUILT_ONCE}
    assert {"ExerciseBriefSerializer", "PrescriptionSerializer", "ExerciseLogSerializer"} <= names


@pytest.mark.parametrize("cls", BUILT_ONCE, ids=lambda cls: cls.__name__)
def test_fields_are_what_drf_builds_and_never_shared(cls: type[Any]) -> None:
    first, second = cls(), cls()
    fresh = serializers.ModelSerializer.get_fields(cls())  # DRF's own build, not the cache
    assert _shape(first.fields) == _shape(second.fields) == _shape(fresh)
    assert _validators(first.fields) == _validators(fresh)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
    _own_containers(first, second)


@pytest.mark.parametrize("cls", DECLARED_ONCE, ids=lambda cls: cls.__name__)
def test_declared_fields_are_what_drf_copies_and_never_shared(cls: type[Any]) -> None:
    first, second = cls(), cls()
    fresh = serializers.Serializer.get_fields(cls())  # DRF's own deep copy
    assert _shape(first.fields) == _shape(second.fields) == _shape(fresh)
    assert _validators(first.fields) == _validators(fresh)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert cls._declared_fields[name].parent is None  # the class's own stay unbound
    _own_containers(first, second)


def test_the_tick_serializer_is_among_those_checked_above() -> None:
    assert logbook_serializers.ExerciseLogCreateSerializer in DECLARED_ONCE


class _Nested(base_serializers.DeclaredOnceMixin, serializers.Serializer[Any]):
    brief = clinic_serializers.ClinicBriefSerializer()
    numbers = serializers.ListField(child=serializers.IntegerField())
    tags = serializers.JSONField(default={"a": 1})  # a mutable default
    name = serializers.CharField()


def test_fields_holding_fields_or_a_mutable_default_are_deep_copied() -> None:
    first, second = _Nested(), _Nested()
    assert first.fields["brief"] is not second.fields["brief"]
    assert first.fields["brief"].fields["name"].parent is first.fields["brief"]
    assert first.fields["numbers"].child is not second.fields["numbers"].child
    assert first.fields["numbers"].child.parent is first.fields["numbers"]
    assert first.fields["tags"].default is not second.fields["tags"].default
    assert first.fields["tags"].default == {"a": 1}
    first.fields["name"].bind("other", first)  # binding one copy leaves the other alone
    assert second.fields["name"].field_name == "name"
