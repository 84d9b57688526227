"""What the API's serializers share: model serializers that take input strictly, bodies that
refuse unknown keys, and the two voices (fields only clinicians are given)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Model
from django.utils.functional import lazy
from django.utils.text import capfirst
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


def read_only[F: serializers.Field[Any, Any, Any, Any]](
    model_field: models.Field[Any, Any], kind: type[F], **kwargs: Any
) -> F:
    """A read-only ``kind`` field showing ``model_field`` (``Model.name.field``), described as
    DRF's ModelSerializer describes the field it builds from it: its verbose name as its label
    (unless it only repeats the name), its help text, null where the column takes null, its
    choices (``kind`` a ``ChoiceField``). For an answer's plain serializer: its fields are
    declared once, where a ModelSerializer builds them from the model for every instance;
    the schema reads the same."""
    words: dict[str, Any] = {}
    if model_field.verbose_name and capfirst(model_field.verbose_name) != (
        model_field.name.replace("_", " ").capitalize()
    ):
        words["label"] = capfirst(model_field.verbose_name)
    if model_field.help_text:
        words["help_text"] = model_field.help_text
    if model_field.null:
        words["allow_null"] = True
    if model_field.choices:
        words["choices"] = model_field.choices
    return kind(read_only=True, **{**words, **kwargs})


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


def _clinician_only_help(help_text: Any) -> str:
    """A clinician-only field's description: its help text, if any, then ``CLINICIAN_ONLY``."""
    return " ".join(str(t) for t in (help_text, CLINICIAN_ONLY) if t)


# Read by the schema only: put together (and translated) when it reads it, not for every answer.
clinician_only_help = lazy(_clinician_only_help, str)


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
            field.help_text = clinician_only_help(field.help_text)
        return fields

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if not self.context.get("clinician"):
            for name in self.clinician_only:
                data[name] = None
        return data
