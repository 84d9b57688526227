"""Who may call what. Objects outside the caller's reach are filtered out by the access helpers
(``clinic.access``, ``rehab.access``) and answer 404; these classes only check the role, and a
caller of the wrong role gets 403 (the endpoint exists for everyone, so nothing is revealed).
Anonymous callers get 401.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from clinic.access import clinician_of, patient_of


def _signed_in(request: Request) -> bool:
    return bool(request.user and request.user.is_authenticated)


class IsClinician(BasePermission):
    message = _("Only the clinic's clinicians can do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _signed_in(request) and clinician_of(request.user) is not None


class IsPatient(BasePermission):
    message = _("Only a patient can do this, for themself.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _signed_in(request) and patient_of(request.user) is not None


class IsClinicianOrPatient(BasePermission):
    message = _("Only clinicians and patients can do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _signed_in(request) and (
            clinician_of(request.user) is not None or patient_of(request.user) is not None
        )


class IsClinicAdmin(BasePermission):
    message = _("Only the clinic's admins can do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        clinician = clinician_of(request.user) if _signed_in(request) else None
        return clinician is not None and clinician.is_clinic_admin
