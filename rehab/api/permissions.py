"""Who may write the exercise library through the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from clinic.access import clinician_of
from clinic.api.permissions import _signed_in


class LibraryPermission(BasePermission):
    """The exercise library: read by clinicians (and staff), written only by staff."""

    message = _("Only clinicians read the library, and only staff change it.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not _signed_in(request):
            return False
        if request.user.is_staff:
            return True
        return request.method in SAFE_METHODS and clinician_of(request.user) is not None
