"""``core.api.serializers``: a key an operation does not take is refused, not dropped."""

from __future__ import annotations

from typing import Any

from core.api import fields
from core.api.serializers import KnownFieldsOnly


class Renamed(KnownFieldsOnly):
    name = fields.CharField()
    status = fields.CharField(read_only=True)


def test_a_read_only_or_misspelt_key_is_refused() -> None:
    """A read-only field is shown, not taken: sent, it is refused as a misspelt name is."""
    serializer = Renamed(data={"name": "X", "status": "completed", "nmae": "Y"})
    assert not serializer.is_valid()
    codes: Any = serializer.errors
    assert {key: [error.code for error in errors] for key, errors in codes.items()} == {
        "nmae": ["unknown_field"],
        "status": ["unknown_field"],
    }


def test_the_keys_taken_pass() -> None:
    serializer = Renamed(data={"name": "X"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"name": "X"}
