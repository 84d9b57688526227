"""A patient's whole record: the patient's own download, the clinic admin's export, erasure.

- ``/me/export.json`` and ``/me/export/``: the signed-in patient's own record (no id in the
  path, so never anyone else's); anyone else 404, anonymous to sign in.
- ``/clinic/patients/<pk>/export.json``, ``…/export/`` and ``…/erase/``: the clinic admins of
  the patient's clinic only; any other clinician, a patient or another clinic: 404.

Each export and each erasure is recorded in the audit trail with the action "export" or
"erase" (``audit.services.record_for_request``) instead of the middleware's read/change.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessEvent
from audit.services import record_for_request
from clinic.access import (
    clinician_required,
    get_patient_for_clinic_admin,
    patient_of,
    patient_required,
)
from clinic.models import Patient, User
from core.users import signed_in_record
from rehab.export import export_filename, patient_export
from rehab.services import records as record_services


def _json_download(request: HttpRequest, patient: Patient, data: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = export_filename(timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    record_for_request(request, action=AccessEvent.Action.EXPORT, patient_id=patient.pk)
    return response


DASH = "–"


def _cell(value: Any) -> str:
    return DASH if value is None else escape(str(value))


def log_rows(logs: list[dict[str, Any]]) -> SafeString:
    """The printable record's exercise logs as table rows. A patient has hundreds of logs (a
    year: over a thousand): made here in one pass, each value escaped, they cost a fraction of a
    template loop of thousands of nodes, which made the page cost many times its data."""
    return mark_safe(  # noqa: S308  (every value is escaped by _cell)
        "\n".join(
            "<tr>"
            f"<td>{_cell(log['date'])}</td>"
            f"<td>{_cell(log['exercise'])}</td>"
            f"<td>{_cell(log['sets_done'])}</td>"
            f"<td>{_cell(log['reps'] or None)}</td>"
            f"<td>{_cell(log['pain'])}</td>"
            f"<td>{_cell(log['effort'])}</td>"
            f"<td>{_cell(log['note'])}</td>"
            "</tr>"
            for log in logs
        )
    )


def _html_export(
    request: HttpRequest, patient: Patient, data: dict[str, Any], *, json_url: str
) -> HttpResponse:
    response = render(
        request,
        "rehab/records/export.html",
        {
            "patient": patient,
            "data": data,
            "log_rows": log_rows(data["logs"]),
            "json_url": json_url,
        },
    )
    record_for_request(request, action=AccessEvent.Action.EXPORT, patient_id=patient.pk)
    return response


@require_GET
@patient_required
def my_export_json(request: HttpRequest) -> HttpResponse:
    patient = signed_in_record(request, patient_of)
    return _json_download(request, patient, patient_export(patient, for_clinic=False))


@require_GET
@patient_required
def my_export(request: HttpRequest) -> HttpResponse:
    patient = signed_in_record(request, patient_of)
    data = patient_export(patient, for_clinic=False)
    return _html_export(request, patient, data, json_url=reverse("rehab:my_export_json"))


@require_GET
@clinician_required
def patient_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_clinic_admin(request.user, pk)
    return _json_download(request, patient, patient_export(patient, for_clinic=True))


@require_GET
@clinician_required
def patient_export_page(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_clinic_admin(request.user, pk)
    data = patient_export(patient, for_clinic=True)
    return _html_export(
        request, patient, data, json_url=reverse("rehab:patient_export_json", args=[patient.pk])
    )


@require_http_methods(["GET", "POST"])
@clinician_required
def patient_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what erasure does and the confirmation box. POST: erase if the patient is
    discharged and the admin typed ERASE; otherwise the page again (400), nothing changed."""
    patient = get_patient_for_clinic_admin(request.user, pk)
    error = ""
    if request.method == "POST":
        typed = (request.POST.get("confirmation") or "").strip()
        if patient.status != Patient.Status.DISCHARGED:
            error = _("Only a discharged patient can be erased. Discharge the patient first.")
        elif typed != record_services.ERASE_CONFIRMATION:
            error = _("Type the word %(word)s, in capitals, to confirm the erasure.") % {
                "word": record_services.ERASE_CONFIRMATION
            }
        else:
            user = request.user
            if not isinstance(user, User):  # clinician_required has checked
                raise Http404
            try:
                erased = record_services.patient_erase(patient=patient, by=user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    _("The record was erased; it is now shown as “%(name)s”.")
                    % {"name": erased.full_name},
                )
                response = redirect("rehab:patient_detail", pk=erased.pk)
                record_for_request(request, action=AccessEvent.Action.ERASE, patient_id=erased.pk)
                return response
    return render(
        request,
        "rehab/records/erase.html",
        {
            "title": _("Erase record"),
            "patient": patient,
            "word": record_services.ERASE_CONFIRMATION,
            "error": error,
            "can_erase": patient.status == Patient.Status.DISCHARGED,
        },
        status=400 if error else 200,
    )
