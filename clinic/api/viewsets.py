"""What every API view builds on: the signed-in user and patient of a request, a patient
named in a body, and ``RoleViewSet`` (an action's roles).

Each view is thin: a queryset scoped to the caller by an access helper (404 outside it) → a
serializer validates → one service call → the response.

Roles: a caller of the wrong role gets 403, an anonymous one 401. Ids in the path or in
``?patient=`` that the caller cannot see answer 404; ids in a request body that the caller
cannot use (unknown, or another clinic's or patient's) answer 400 with an error on that field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.access import clinician_of, patient_of, patients_for, touch_patients_of
from clinic.api.permissions import IsClinicianOrPatient, IsPatient
from clinic.models import Patient, User
from core.api import schema
from core.touched import touch
from core.users import signed_in_record


def request_user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def request_patient(request: Request) -> Patient:
    """The signed-in patient (the view's permission already checked there is one)."""
    return signed_in_record(request, patient_of)


def read_by_clinician(request: Request) -> bool:
    """Whether a clinician reads the answer to ``request``: the one rule behind the serializers'
    ``context["clinician"]``, which gives clinician-only fields (``core.api.serializers.
    ClinicianOnlyFields``) to clinicians only. Anyone else (a patient, site staff) reads the
    patient's fields. No query where a permission or an access helper has asked already."""
    return clinician_of(request.user) is not None


def reachable_patient(request: Request, patient_id: int | None, *, field: str) -> Patient:
    """A patient named in a request body: the caller's own (patients) or one of the clinic's
    (clinicians). Anyone else's or an unknown id is a 400 on ``field``."""
    if patient_id is None:
        patient = patient_of(request.user)
        if patient is not None:
            return patient
        raise serializers.ValidationError(
            {field: [_("This field is required.")]}, code="patient_required"
        )
    found: Patient | None = patients_for(request.user).filter(pk=patient_id).first()
    if found is None:
        raise serializers.ValidationError({field: [_("No such patient.")]}, code="unknown_patient")
    touch(found.pk)  # the audit trail: this write is about the patient named in the body
    return found


# The rules of ``reachable_patient`` (a patient named in a body), for a schema's ``rules``.
PATIENT_IN_BODY = {
    "patient_required": "a clinician gave no `patient`",
    "unknown_patient": "`patient` is no patient of yours (or no patient at all)",
}


class RoleViewSet(viewsets.GenericViewSet[Any]):
    """``roles`` maps an action to the permission classes it needs (all signed-in)."""

    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {}
    # A row in an address is named by its opaque id (``core.ids``); the view reads its number.
    lookup_value_converter = "opaque"
    default_roles: ClassVar[tuple[type[BasePermission], ...]] = (IsClinicianOrPatient,)

    def get_permissions(self) -> list[BasePermission]:
        classes = self.roles.get(self.action or "", self.default_roles)
        return [IsAuthenticated(), *(cls() for cls in classes)]

    def get_serializer_context(self) -> dict[str, Any]:
        """With ``"clinician"``: whether a clinician reads the answer (``read_by_clinician``;
        a patient-only action's reader is the patient)."""
        patient_only = IsPatient in self.roles.get(self.action or "", self.default_roles)
        clinician = not patient_only and read_by_clinician(self.request)
        return {**super().get_serializer_context(), "clinician": clinician}

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        """A page of the list; the audit trail records each patient whose data it holds."""
        page = super().paginate_queryset(queryset)
        touch_patients_of(page or [])
        return page

    def created_or_found(self, instance: Any, created: bool) -> Response:
        """201 for a new row; 200 with the stored row for a retried request."""
        serializer = self.get_serializer(instance)
        return Response(
            serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# The usual error sets (core.api.schema), where the apps' api packages have imported them from.
LIST, READ, WRITE = schema.LIST, schema.READ, schema.WRITE
