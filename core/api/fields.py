"""Serializer fields that take only the JSON type their schema states.

DRF's fields coerce: a string field takes ``0`` and stores ``"0"``, a UUID field takes
``false`` and makes the all-zero UUID (so every such client shares one idempotency key), an
integer field takes ``"5"`` and a boolean field ``"yes"``. The API's schema says "string",
"integer", "boolean"; these fields hold the API to it, and answer a value of another JSON type
with the field's ``invalid`` error (400).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

if TYPE_CHECKING:  # a mixin of DRF's fields: typed as one, a plain class when it runs
    _FieldMixin = serializers.Field[Any, Any, Any, Any]
else:
    _FieldMixin = object


class _JSONType(_FieldMixin):
    """Refuse a value whose JSON type is not ``json_types`` (``bool`` is never an ``int``)."""

    json_types: ClassVar[tuple[type, ...]] = (str,)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) is not (bool in self.json_types) or not isinstance(
            data, self.json_types
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(_JSONType, serializers.CharField):
    default_error_messages: ClassVar[dict[str, Any]] = {"invalid": _("Not a valid string.")}


class EmailField(_JSONType, serializers.EmailField):
    pass


class SlugField(_JSONType, serializers.SlugField):
    pass


class URLField(_JSONType, serializers.URLField):
    pass


class UUIDField(_JSONType, serializers.UUIDField):
    """A UUID written as a string: ``false``, ``0`` or ``[…]`` are refused."""


DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class DecimalField(_JSONType, serializers.DecimalField):
    """A decimal written as a string (``"35.5"``), as the API answers it: exact, never a
    binary fraction. Digits and a point only: DRF would also read ``" 35.5"``, ``"3.55e1"``,
    ``"٣٥"`` and, where null is allowed, ``""`` as null."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        return serializers.Field.validate_empty_values(self, data)  # only null is null

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not DECIMAL.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(_JSONType, serializers.IntegerField):
    json_types = (int,)


class BooleanField(_JSONType, serializers.BooleanField):
    json_types = (bool,)


class SlugRelatedField(_JSONType, serializers.SlugRelatedField[Any]):
    """A row named by its slug, written as a string. A NUL character is refused as a
    CharField refuses it (``null_characters_not_allowed``) before the look-up: PostgreSQL
    refuses it in text, and the look-up would answer 500."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                ProhibitNullCharactersValidator()(data)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages, code=error.code) from None
        return super().to_internal_value(data)


STRICT = {
    serializers.CharField: CharField,
    serializers.EmailField: EmailField,
    serializers.SlugField: SlugField,
    serializers.URLField: URLField,
    serializers.UUIDField: UUIDField,
    serializers.DecimalField: DecimalField,
    serializers.IntegerField: IntegerField,
    serializers.BooleanField: BooleanField,
}
