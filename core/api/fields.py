"""Serializer fields that take only the JSON type their schema states.

DRF's fields coerce: a string field takes ``0`` and stores ``"0"``, a UUID field takes
``false`` and makes the all-zero UUID (so every such client shares one idempotency key), an
integer field takes ``"5"`` and a boolean field ``"yes"``. The API's schema says "string",
"integer", "boolean"; these fields hold the API to it, and answer a value of another JSON type
with the field's ``invalid`` error (400).

And the fields of row ids: ``OpaqueIdField`` and ``OpaquePrimaryKeyRelatedField`` give and take
a row's opaque id (``core.ids``), never its number.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.ids import OpaqueIdConverter, from_opaque, opaque

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


# --- Row ids -----------------------------------------------------------------------------------
# The API names a row as its addresses do (``core.ids``): by the row's opaque string, never by
# its number, in the JSON it gives and the JSON it takes, so that a client only ever sees one
# form of an id. A string of the form (letters and digits, 8 to 36) that names no row is
# answered as an id of a row the caller cannot use: the same 400 (or 404) either way.

OPAQUE_ID_PATTERN = f"^{OpaqueIdConverter.regex}$"
OPAQUE_ID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": OPAQUE_ID_PATTERN,
    "example": "GZUcnUYI",
}
# What a well-formed id that names no row reads as: an id no row has (rows count from 1), so
# the view's own look-up finds nothing and answers its own rule (``unknown_patient``, …).
NO_ROW = 0


def read_id(data: Any) -> int | None:
    """The row id of ``data``, an opaque id as the API writes it: None if ``data`` is not of
    its form (not a string, or not 8 to 36 letters and digits), ``NO_ROW`` if it is of the form
    but names no row."""
    if not isinstance(data, str) or not re.fullmatch(OpaqueIdConverter.regex, data):
        return None
    number = from_opaque(data)
    return NO_ROW if number is None else number


@extend_schema_field(OPAQUE_ID_SCHEMA)
class OpaqueIdField(serializers.Field[int, str, str, Any]):
    """A row's id, as its opaque string: a row's own ``id`` (``source`` its ``pk``), or an id
    the view looks up itself (with its access check), which it receives as the row's number."""

    default_error_messages: ClassVar[dict[str, Any]] = {"invalid": _("Not a valid id.")}

    def to_representation(self, value: int) -> str:
        return opaque(value)

    def to_internal_value(self, data: Any) -> int:
        number = read_id(data)
        if number is None:
            self.fail("invalid")
        return number


@extend_schema_field(OPAQUE_ID_SCHEMA)
class OpaquePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A related row, named by its opaque id (DRF's ``PrimaryKeyRelatedField`` reads and
    writes the row's number): the field ``core.api.serializers.ModelSerializer`` makes for a
    foreign key."""

    default_error_messages: ClassVar[dict[str, Any]] = {"invalid": _("Not a valid id.")}

    def to_representation(self, value: Any) -> str:
        return opaque(value.pk)

    def to_internal_value(self, data: Any) -> Any:
        number = read_id(data)
        if number is None:
            self.fail("invalid")
        if number == NO_ROW:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)


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
