"""The base of the API's model serializers that take input."""

from __future__ import annotations

from django.db.models import Model
from rest_framework import serializers

from core.api.fields import STRICT


class ModelSerializer[M: Model](serializers.ModelSerializer[M]):
    """DRF's ModelSerializer whose fields made from the model take only their JSON type
    (``core.api.fields``): a number is not a name, ``"true"`` is not a boolean."""

    serializer_field_mapping = {
        model_field: STRICT.get(field, field)
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }
