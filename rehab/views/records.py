"""A patient's whole record: the patient's own download, the clinic admin's export, erasure.

- ``/me/export.json`` and ``/me/export/``: the signed-in patient's own record (no id in the
  path, so never anyone else's); anyone else 404, anonymous to sign in.
- ``/clinic/patients/<pk>/export.json``, ``…/export/`` and ``…/erase/``: the clinic admins of
  the patient's clinic only; any other clinician, a patient or another clinic: 404.

The printable page is the same record in people's words, its times in the patient's own time
zone; the patient's page speaks the patient's words (the exercises' and red flags' patient
text, the phases' patient names), never a clinician's label or note (design.md, "Patients read
plain words"); the clinic admin's page keeps the clinicians' words and notes.

Each export and each erasure is recorded in the audit trail with the action "export" or
"erase" (``audit.services.record_for_request``) instead of the middleware's read/change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from clinic.models.patients import ERASED_MESSAGE
from core.users import signed_in_record
from rehab import clinical, risk
from rehab.export import export_filename, patient_export
from rehab.models.alerts import Alert
from rehab.models.criteria import PlanCriterion
from rehab.models.logbook import Swelling
from rehab.models.media import MediaFields
from rehab.models.plans import PLAIN_PLAN_NAME, Plan, PlanEdit
from rehab.services import records as record_services
from rehab.views.record_rows import DASH, FLAG_WORDS, check_in_rows, log_rows


def _json_download(request: HttpRequest, patient: Patient, data: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = export_filename(timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    record_for_request(request, action=AccessEvent.Action.EXPORT, patient_id=patient.pk)
    return response


# A plan's status as the patient's copy of their record says it: "Paused (red flag)" is the
# clinic's word (design.md: patients read plain words); the others read the same.
PATIENT_PLAN_STATUS = {
    Plan.Status.PAUSED: gettext_lazy(
        "Paused until your physiotherapist has checked what you told us"
    ),
}


def _when(value: str | None) -> dt.datetime | dt.date | None:
    """An export's ISO 8601 value as a date or an aware datetime, for the page's ``date``
    filter (which shows a datetime in the time zone the page activates: the patient's)."""
    if value is None:
        return None
    return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)


def _with_times(row: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {**row, **{key: _when(row[key]) for key in keys}}


def _label(choices: Any, value: str | None) -> str:
    """A stored choice's label in the reader's language ("Left", "Non-operative"): the page
    shows no code; one the choices no longer know is shown as stored."""
    if not value:
        return DASH
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_with_times(profile, "date_of_birth", "injury_date", "surgery_date"),
        "injured_side": _label(Patient.Side, profile["injured_side"]),
        "pathway": _label(Patient.Pathway, profile["pathway"]),
        "status": _label(Patient.Status, profile["status"]),
    }


def _flags_text(codes: list[str], *, for_patient: bool) -> str:
    flags = [
        clinical.RED_FLAGS_BY_CODE[code] for code in codes if code in clinical.RED_FLAGS_BY_CODE
    ]
    return "; ".join(
        str(FLAG_WORDS[flag.code] if for_patient else flag.clinician_label) for flag in flags
    )


def _high_pain_text(log: Mapping[str, Any] | None, check_in: Mapping[str, Any] | None) -> str:
    if log is not None and log["pain"] is not None:
        return _("You reported pain of %(pain)s out of 10 during %(exercise)s.") % {
            "pain": log["pain"],
            "exercise": log["exercise_for_patient"] or log["exercise"],
        }
    if check_in is not None and check_in["pain_at_rest"] is not None:
        return _("You reported pain of %(pain)s out of 10 at rest in your check-in.") % {
            "pain": check_in["pain_at_rest"]
        }
    return _("You reported high pain.")


def _patient_alert_text(
    alert: Mapping[str, Any],
    logs: Mapping[str, Mapping[str, Any]],
    check_ins: Mapping[str, Mapping[str, Any]],
) -> str:
    """What an alert was about, in the patient's words: the alert's own message is the
    clinician's (a red flag's clinical label, an exercise's clinician name)."""
    kind = alert["kind"]
    flag = clinical.RED_FLAGS_BY_CODE.get(alert["code"])
    if kind == Alert.Kind.RED_FLAG:
        if flag is None:
            return _("You reported a warning sign.")
        return _("You answered yes to: %(question)s") % {"question": flag.question}
    if kind == Alert.Kind.HIGH_PAIN:
        return _high_pain_text(logs.get(alert["log"]), check_ins.get(alert["check_in"]))
    if kind == Alert.Kind.LOW_ATRS:
        return _("Your Achilles questionnaire score was sent to your physiotherapist to look at.")
    return _("Your physiotherapist was asked to check when one of your exercises starts.")


def _prescription(rx: Mapping[str, Any]) -> dict[str, Any]:
    """A prescription on the page: its earlier doses' last days and its photos' and videos'
    times as dates, each photo or video's kind in words."""
    return {
        **_with_times(rx, "retired_at"),
        "earlier_doses": [_with_times(dose, "until") for dose in rx["earlier_doses"]],
        "media": [
            {**_with_times(media, "created_at"), "kind": _label(MediaFields.Kind, media["kind"])}
            for media in rx["media"]
        ],
    }


def _criterion_text(criterion: Mapping[str, Any]) -> str:
    """An exit criterion in the clinician's words (its label, else its kind with N), as the
    clinician's patient page says it (``CriterionFields.description``); a measurement this
    version no longer knows is named by its stored code."""
    threshold = criterion["threshold"]
    try:
        return PlanCriterion(
            kind=criterion["kind"],
            label=criterion["label"],
            threshold=None if threshold is None else Decimal(str(threshold)),
            measure=criterion["measure"],
        ).description
    except KeyError:  # only a measurement names one, and has N (the model's constraints)
        return f"{criterion['measure']} {threshold:g}"


def _criteria(criteria: list[dict[str, Any]], *, for_patient: bool) -> list[dict[str, Any]]:
    """A phase's exit criteria on the page. The clinic's page: each criterion in the
    clinician's words, with its judgement if it was judged. The patient's: only the judgements
    (their physiotherapist's yes/no on whether they were ready to move on), the criterion's
    own text being the clinician's."""
    if for_patient:
        return [
            _with_times(criterion, "judged_at")
            for criterion in criteria
            if criterion["judged_met"] is not None
        ]
    return [
        {**_with_times(criterion, "judged_at"), "text": _criterion_text(criterion)}
        for criterion in criteria
    ]


def _page(patient: Patient, data: dict[str, Any], *, for_patient: bool) -> dict[str, Any]:
    """The printable page's view of the export: its times as values the page formats in the
    patient's time zone, red flags and alerts in the reader's words, the risk factors named."""
    profile = data["profile"]
    logs = {row["id"]: row for row in data["logs"]} if for_patient else {}
    check_ins = {row["id"]: row for row in data["check_ins"]} if for_patient else {}
    # Each swelling answer in words once a page, not once a check-in (a check-in a day).
    swelling = {
        value: _label(Swelling, value) for value in {r["swelling"] for r in data["check_ins"]}
    }
    plans = []
    for plan in data["plans"]:
        phase_names = {
            phase["id"]: (phase["patient_name"] or phase["name"]) if for_patient else phase["name"]
            for phase in plan["phases"]
        }
        plans.append(
            {
                **_with_times(plan, "anchor_date"),
                "title": (
                    str(PLAIN_PLAN_NAME)
                    if for_patient and plan["named_after_template"]
                    else plan["name"]
                ),
                "status": (
                    str(
                        PATIENT_PLAN_STATUS.get(plan["status"], _label(Plan.Status, plan["status"]))
                    )
                    if for_patient
                    else _label(Plan.Status, plan["status"])
                ),
                "phases": [
                    {
                        **phase,
                        "title": phase_names[phase["id"]],
                        "prescriptions": [_prescription(rx) for rx in phase["prescriptions"]],
                        "criteria": _criteria(phase["criteria"], for_patient=for_patient),
                    }
                    for phase in plan["phases"]
                ],
                "holds": [
                    {
                        **_with_times(hold, "started_at", "resumed_at"),
                        "flags_text": _flags_text(hold["flags"], for_patient=for_patient),
                    }
                    for hold in plan["holds"]
                ],
                "phase_changes": [
                    {
                        **_with_times(change, "changed_at", "effective_on"),
                        "to_name": phase_names.get(change["to_phase"], DASH),
                    }
                    for change in plan["phase_changes"]
                ],
                "edits": [
                    {
                        **_with_times(edit, "at"),
                        "label": _label(PlanEdit.Action, edit["action"]),
                        # The patient reads a phase by its name on their pages, while it is
                        # still in the plan; the clinic by the name it had then.
                        "phase_title": phase_names.get(edit["phase"], "")
                        if for_patient
                        else edit["phase_name"],
                    }
                    for edit in plan["edits"]
                ],
                # Each judgement of an exit criterion given, kept when a later one changed it.
                "criterion_judgements": [
                    _with_times(judgement, "at") for judgement in plan["criterion_judgements"]
                ],
                "proposal_dismissals": [
                    {
                        **_with_times(dismissal, "dismissed_at"),
                        "phase_name": phase_names.get(dismissal["phase"], DASH),
                    }
                    for dismissal in plan["proposal_dismissals"]
                ],
            }
        )
    return {
        "for_patient": for_patient,
        "time_zone": patient.timezone,
        "exported_at": _when(data["exported_at"]),
        "risk_factors": [
            modifier.label_for_patient if for_patient else modifier.label
            for modifier in risk.RISK_MODIFIERS
            if modifier.field and profile[modifier.field]
        ],
        "plans": plans,
        "atrs_requests": [
            _with_times(request, "requested_at") for request in data["atrs_requests"]
        ],
        "alerts": [
            {
                **_with_times(alert, "created_at", "acknowledged_at"),
                "text": (
                    _patient_alert_text(alert, logs, check_ins) if for_patient else alert["message"]
                ),
            }
            for alert in data["alerts"]
        ],
        "messages": [_with_times(message, "created_at", "read_at") for message in data["messages"]],
        "profile": _profile(profile),
        "check_ins": [
            {**_with_times(row, "date"), "swelling": swelling[row["swelling"]]}
            for row in data["check_ins"]
        ],
        "atrs": [_with_times(row, "date") for row in data["atrs"]],
        "measurements": [_with_times(row, "date") for row in data["measurements"]],
    }


def _html_export(
    request: HttpRequest,
    patient: Patient,
    data: dict[str, Any],
    *,
    json_url: str,
    for_patient: bool,
) -> HttpResponse:
    page = _page(patient, data, for_patient=for_patient)
    response = render(
        request,
        "rehab/records/export.html",
        {
            "patient": patient,
            "data": data,
            "page": page,
            "log_rows": log_rows(data["logs"], for_patient=for_patient),
            "check_in_rows": check_in_rows(page["check_ins"]),
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
    return _html_export(
        request, patient, data, json_url=reverse("rehab:my_export_json"), for_patient=True
    )


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
        request,
        patient,
        data,
        json_url=reverse("rehab:patient_export_json", args=[patient.pk]),
        for_patient=False,
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
        if patient.is_erased:
            error = str(ERASED_MESSAGE)
        elif patient.status != Patient.Status.DISCHARGED:
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
