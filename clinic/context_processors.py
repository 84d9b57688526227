from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from clinic.access import clinician_of
from clinic.models import Patient


def site(request: HttpRequest) -> dict[str, Any]:
    return {"SITE_NAME": settings.SITE_NAME}


def signed_in(request: HttpRequest) -> dict[str, Any]:
    """Whose layout ``base.html`` draws, decided once per page: ``signed_in_clinician``, the
    signed-in clinician's record (their navigation), else None; ``signed_in_patient``, the
    signed-in patient's record when they are not a clinician (the patient's navigation and
    emergency line), else None. In the template each ``user.clinician`` a patient does not
    have raised and cost the engine a ``dir()`` of the user, and the layout asked nine times."""
    user = getattr(request, "user", None)
    clinician = clinician_of(user)
    # Anonymous users have no ``patient``; a user without a patient record raises
    # Patient.DoesNotExist, an AttributeError.
    patient: Patient | None = None if clinician is not None else getattr(user, "patient", None)
    return {"signed_in_clinician": clinician, "signed_in_patient": patient}
