"""What the API's serializers share: model serializers that take input strictly, bodies that
refuse unknown keys, and the two voices (fields only clinicians are given)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.api.fields import STRICT, OpaqueIdField, OpaquePrimaryKeyRelatedField


class ModelSerializer[M: Model](serializers.ModelSerializer[M]):
    """DRF's ModelSerializer whose fields made from the model take only their JSON type
    (``core.api.fields``): a number is not a name, ``"true"`` is not a boolean; and name rows
    by their opaque ids: the row's own ``id`` and each foreign key (``core.ids``)."""

    serializer_field_mapping = {
        **{
            model_field: STRICT.get(field, field)
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
        },
        models.AutoField: OpaqueIdField,
        models.BigAutoField: OpaqueIdField,
    }
    serializer_related_field = OpaquePrimaryKeyRelatedField


class KnownFieldsOnly(serializers.Serializer[Any]):
    """A body with a key this operation does not take (a read-only field, a misspelt name) is
    refused (400, ``unknown_field``), not silently dropped: a client that sent ``{"status":
    "completed"}`` in a PATCH must not be told 200 and believe the plan completed, nor one
    that sent a red flag as ``{"flag_pe": true}`` to the check-ins be told 201 with the
    question stored as not reported."""

    def validate(self, attrs: Any) -> Any:
        taken = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(self.initial_data) - taken)
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


CLINICIAN_ONLY = gettext_lazy("Given to clinicians only (null for a patient).")


class ClinicianOnlyFields(serializers.Serializer[Any]):
    """Two voices: the fields named in ``clinician_only`` are a clinician's (their notes, the
    exact terms, the sources) and are null unless the view says a clinician reads the answer
    (``context["clinician"]``: ``clinic.api.viewsets.read_by_clinician``); never by default,
    so a patient, or a view that forgot to say, gets the patient's fields only. The schema
    says so: each such field is nullable and its description ends with ``CLINICIAN_ONLY``.

    For answers only: a field that took input would take null."""

    clinician_only: ClassVar[tuple[str, ...]] = ()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name in self.clinician_only:
            field = fields[name]
            field.allow_null = True
            field.help_text = " ".join(str(t) for t in (field.help_text, CLINICIAN_ONLY) if t)
        return fields

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if not self.context.get("clinician"):
            for name in self.clinician_only:
                data[name] = None
        return data
