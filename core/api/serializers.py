"""The base of the API's model serializers that take input."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api.fields import STRICT


class ModelSerializer[M: Model](serializers.ModelSerializer[M]):
    """DRF's ModelSerializer whose fields made from the model take only their JSON type
    (``core.api.fields``): a number is not a name, ``"true"`` is not a boolean."""

    serializer_field_mapping = {
        model_field: STRICT.get(field, field)
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }


class KnownFieldsOnly(serializers.Serializer[Any]):
    """A body with a key this operation does not take is refused (400, ``unknown_field``),
    not silently dropped: a client that sent ``{"status": "completed"}`` in a PATCH must not be
    told 200 and believe the plan completed, nor one that sent a red flag as ``{"flag_pe":
    true}`` to the check-ins be told 201 with the question stored as not reported."""

    def validate(self, attrs: Any) -> Any:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [
                        serializers.ErrorDetail(
                            _("This field is not taken here."), code="unknown_field"
                        )
                    ]
                    for name in unknown
                }
            )
        return super().validate(attrs)
