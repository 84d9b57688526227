"""What the rehab API's serializers share: limits, the patient's disclaimer, and the mixins
that build a serializer's fields once per class.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rehab import clinical

DISCLAIMER = _(
    "This plan comes from your physiotherapist: defaults they adapt for you, not general advice. "
    "Mild discomfort is fine. If an exercise causes more than mild discomfort, stop and tell "
    "your physiotherapist."
)

NOTE_MAX = 2000
STEP_MAX = 1000
STEPS_MAX = 50


def _copy_fields(
    fields: dict[str, serializers.Field[Any, Any, Any, Any]],
) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    """Fresh copies of unbound fields for one serializer instance.

    DRF deep-copies every field for every instance, which rebuilds each from its constructor
    arguments. A plain field needs less: a shallow copy with its own validators list and
    messages (what code may change on one instance's field), on which ``bind`` then sets the
    name, parent, label and source. A field holding other fields (a nested serializer, a
    list, a many-related field) or a mutable default is deep-copied, as DRF does.
    """
    return {
        name: (
            copy.deepcopy(field)
            if isinstance(field, serializers.BaseSerializer)
            or hasattr(field, "child")
            or hasattr(field, "child_relation")
            or isinstance(getattr(field, "default", None), list | dict | set)
            else _copy_field(field)
        )
        for name, field in fields.items()
    }


def _copy_field[F: serializers.Field[Any, Any, Any, Any]](field: F) -> F:
    copied = copy.copy(field)
    if "_validators" in field.__dict__:
        copied._validators = list(field._validators)  # type: ignore[attr-defined]
    copied.error_messages = dict(field.error_messages)
    return copied


class DeclaredOnceMixin:
    """A plain Serializer whose declared fields are copied with ``_copy_fields``."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return _copy_fields(self._declared_fields)  # type: ignore[attr-defined]


class BuiltOnceMixin:
    """A ModelSerializer whose fields are worked out from the model once per class, then copied.

    DRF builds a ModelSerializer's fields from the model (field types, labels, validators) for
    every serializer instance, so every nested serializer of every response: most of the cost
    of a nested body such as ``me/today``. The result depends only on the class (its ``Meta``
    and declared fields), never on the instance, data or context, so the first build is kept,
    unbound, and each instance gets copies (``_copy_fields``), as DRF does with declared
    fields. Labels, help texts and messages stay lazy, so the active language still applies.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._built_fields = built  # type: ignore[attr-defined]
        return _copy_fields(built)


def _score(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=clinical.SCORE_MAX, **kwargs)
