"""Access history: the clinic admin's view of a patient's trail, and the patient's own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import selectors
from clinic.access import get_patient_for_clinic_admin, patient_of, patient_required
from clinic.models import User
from core.users import signed_in_record, signed_in_user

PAGE_SIZE = 50
PATIENT_PAGE_SIZE = 20  # the patient reads their history on a phone


@require_GET
@login_required
def patient_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every recorded access to one patient's data. The clinic's admins only; anyone else 404."""
    patient = get_patient_for_clinic_admin(request.user, pk)
    page = Paginator(selectors.events_for_patient(patient), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audit/patient_history.html",
        {
            "title": _("Access history"),
            "patient": patient,
            "page": page,
            "events": selectors.in_words(page.object_list),
        },
    )


@require_GET
@patient_required
def my_history(request: HttpRequest) -> HttpResponse:
    """Who at the clinic opened the patient's record, and when."""
    patient = signed_in_record(request, patient_of)
    page = Paginator(
        selectors.clinic_accesses_for_patient(patient, viewer=signed_in_user(request, User)),
        PATIENT_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/my_history.html",
        {"title": _("Who opened my record"), "patient": patient, "page": page},
    )
