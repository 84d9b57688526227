"""A patient's whole record as plain data: for their own download and for the clinic's export.

``patient_export`` returns JSON-ready dicts and lists only (strings, numbers, booleans, None):
ids are opaque strings (they link rows inside the export, nothing more), dates and times ISO
8601. Each kind of row is read once, as plain values (a patient has hundreds of logs: read as
models they would cost many times their few values), so the query count does not grow with the
number of rows. ``rehab.views.records`` serves it as a JSON download and as a printable page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from clinic.models import Message, Patient
from rehab import measures
from rehab.models.alerts import Alert
from rehab.models.library import DOSE_FIELD_NAMES
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.models.protocols import PHASE_FIELD_NAMES

FORMAT_VERSION = 1


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


# Each kind of row: its key in the export → the field (or lookup) it is read from. A ``pk`` or
# an ``…_id`` is an id: an opaque string in the export.
PLAN_FIELDS = {
    "id": "pk",
    **_same("name", "pathway", "status", "anchor_date"),
    "current_phase": "current_phase_id",
    **_same("created_at", "activated_at"),
}
PHASE_FIELDS = {"id": "pk", **_same("order", *PHASE_FIELD_NAMES, "started_on")}
PRESCRIPTION_FIELDS = {
    "id": "pk",
    "exercise": "exercise__name",
    "exercise_for_patient": "exercise__patient_name",
    **_same("order", *DOSE_FIELD_NAMES, "note", "retired_at"),
}
LOG_FIELDS = {
    "id": "pk",
    "date": "date",
    "prescription": "prescription_id",
    "exercise": "prescription__exercise__name",
    **_same("sets_done", "reps", "hold_seconds", "pain", "effort", "note", "created_at"),
}
CHECKIN_FIELDS = {
    "id": "pk",
    **_same(
        "date",
        "pain_at_rest",
        "swelling",
        "flag_dvt",
        "flag_pe",
        "flag_wound",
        "flag_circulation",
        "flag_rerupture",
        "note",
        "created_at",
    ),
}
ALERT_FIELDS = {
    "id": "pk",
    **_same("kind", "code", "message"),
    "check_in": "checkin_id",
    "log": "log_id",
    **_same("created_at", "acknowledged_at"),
}
MESSAGE_FIELDS = {"id": "pk", **_same("from_patient", "body", "created_at", "read_at")}
# Read as models, for what the model computes (the ATRS total, the heel-rise symmetry): a
# patient has a few of these.
ATRS_FIELDS = {"id": "pk", **_same("date", *AtrsResponse.ITEM_FIELDS, "total", "created_at")}
MEASUREMENT_FIELDS = {
    "id": "pk",
    **_same(
        "date",
        *measures.VALUE_FIELDS,
        "heel_rise_lsi",
        "heel_rise_height_lsi",
        "relative_atra",
        "note",
        "created_at",
    ),
}
PROFILE_FIELDS = {
    "id": "pk",
    **_same(
        "first_name",
        "last_name",
        "email",
        "date_of_birth",
        "injured_side",
        "injury_date",
        "pathway",
        "surgery_date",
        "timezone",
        "status",
    ),
}


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _plain(value: Any) -> Any:
    """A stored value as the export holds it: dates and times ISO 8601, decimals as numbers."""
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _reader(fields: Mapping[str, str]) -> Callable[[Iterable[Any]], dict[str, Any]]:
    """A function making one row's values (in the order of ``fields``) the export's dict."""
    keys = tuple(fields)
    converters = tuple(
        _id if lookup == "pk" or lookup.endswith("_id") else _plain for lookup in fields.values()
    )

    def row(values: Iterable[Any]) -> dict[str, Any]:
        return {
            key: convert(value)
            for key, convert, value in zip(keys, converters, values, strict=True)
        }

    return row


def _rows(queryset: QuerySet[Any], fields: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each row of ``queryset`` as ``{key: plain value}`` for ``fields`` (key → lookup)."""
    row = _reader(fields)
    return [row(values) for values in queryset.values_list(*fields.values())]


def _rows_by(
    queryset: QuerySet[Any], fields: Mapping[str, str], by: str
) -> dict[Any, list[dict[str, Any]]]:
    """``_rows``, grouped by the value of the lookup ``by`` (a parent's id), in order."""
    row = _reader(fields)
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for *values, parent in queryset.values_list(*fields.values(), by):
        groups[parent].append(row(values))
    return groups


def _instances(objects: Iterable[Model], fields: Mapping[str, str]) -> list[dict[str, Any]]:
    """Model instances' attributes (properties too) as ``_rows`` gives fields."""
    row = _reader(fields)
    return [row([getattr(obj, name) for name in fields.values()]) for obj in objects]


def export_filename(day: dt.date) -> str:
    """The download's name: no patient name in it."""
    return f"rehab-export-{day.isoformat()}.json"


def _plans(patient: Patient, *, include_drafts: bool) -> list[dict[str, Any]]:
    """The patient's plans, each with its phases, each with its exercises (retired ones too:
    the logs refer to them). Three queries."""
    plans = Plan.objects.filter(patient=patient)
    if not include_drafts:
        plans = plans.exclude(status=Plan.Status.DRAFT)
    phases = PlanPhase.objects.filter(plan__in=plans).order_by("order", "pk")
    prescriptions = _rows_by(
        Prescription.objects.filter(phase__in=phases).order_by("order", "pk"),
        PRESCRIPTION_FIELDS,
        by="phase_id",
    )
    phases_of = _rows_by(phases, PHASE_FIELDS, by="plan_id")
    for rows in phases_of.values():
        for phase in rows:
            phase["prescriptions"] = prescriptions.get(int(phase["id"]), [])
    result = _rows(plans.order_by("created_at", "pk"), PLAN_FIELDS)
    for plan in result:
        plan["phases"] = phases_of.get(int(plan["id"]), [])
    return result


def patient_export(patient: Patient, *, include_drafts: bool) -> dict[str, Any]:
    """Everything stored about the patient. ``include_drafts``: the clinic's export also holds
    draft plans; the patient's own export holds only what they were given (as on their pages)."""
    mine = {"patient": patient}
    return {
        "format": "achilles-rehab-export",
        "format_version": FORMAT_VERSION,
        "exported_at": _plain(timezone.now()),
        "profile": {
            **_instances([patient], PROFILE_FIELDS)[0],
            "clinic": patient.clinic.name,
            "created_at": _plain(patient.created_at),
        },
        "plans": _plans(patient, include_drafts=include_drafts),
        "logs": _rows(
            ExerciseLog.objects.filter(**mine).order_by("date", "created_at", "pk"), LOG_FIELDS
        ),
        "check_ins": _rows(CheckIn.objects.filter(**mine).order_by("date", "pk"), CHECKIN_FIELDS),
        "atrs": _instances(AtrsResponse.objects.filter(**mine).order_by("date", "pk"), ATRS_FIELDS),
        "measurements": _instances(
            Measurement.objects.filter(**mine).order_by("date", "pk"), MEASUREMENT_FIELDS
        ),
        "alerts": _rows(Alert.objects.filter(**mine).order_by("created_at", "pk"), ALERT_FIELDS),
        "messages": _rows(
            Message.objects.filter(**mine).order_by("created_at", "pk"), MESSAGE_FIELDS
        ),
    }
