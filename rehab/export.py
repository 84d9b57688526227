"""A patient's whole record as plain data: for their own download and for the clinic's export.

``patient_export`` returns JSON-ready dicts and lists only (strings, numbers, booleans, None):
ids are opaque strings (they link rows inside the export, nothing more), dates and times ISO
8601. The query count does not grow with the number of rows. ``rehab.views.records`` serves it
as a JSON download and as a printable page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from clinic.models import Message, Patient
from rehab.models.alerts import Alert
from rehab.models.library import DOSE_FIELD_NAMES
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.models.protocols import PHASE_FIELD_NAMES

FORMAT_VERSION = 1
# What the export does not show of an exercise (its name is enough).
EXERCISE_TEXT = (
    "exercise__summary",
    "exercise__steps",
    "exercise__cues",
    "exercise__safety_notes",
    "exercise__source",
    "exercise__earliest_week_reason",
    "exercise__earliest_week_source",
)


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def export_filename(day: dt.date) -> str:
    """The download's name: no patient name in it."""
    return f"rehab-export-{day.isoformat()}.json"


def _profile(patient: Patient) -> dict[str, Any]:
    return {
        "id": _id(patient.pk),
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email,
        "date_of_birth": _iso(patient.date_of_birth),
        "injured_side": patient.injured_side,
        "injury_date": _iso(patient.injury_date),
        "pathway": patient.pathway,
        "surgery_date": _iso(patient.surgery_date),
        "timezone": patient.timezone,
        "status": patient.status,
        "clinic": patient.clinic.name,
        "created_at": _iso(patient.created_at),
    }


def _prescription(rx: Prescription) -> dict[str, Any]:
    return {
        "id": _id(rx.pk),
        "exercise": rx.exercise.name,
        "order": rx.order,
        **{name: getattr(rx, name) for name in DOSE_FIELD_NAMES},
        "note": rx.note,
        "retired_at": _iso(rx.retired_at),
    }


def _phase(phase: PlanPhase) -> dict[str, Any]:
    return {
        "id": _id(phase.pk),
        "order": phase.order,
        **{name: getattr(phase, name) for name in PHASE_FIELD_NAMES},
        "started_on": _iso(phase.started_on),
        "prescriptions": [_prescription(rx) for rx in phase.prescriptions.all()],
    }


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": _id(plan.pk),
        "name": plan.name,
        "pathway": plan.pathway,
        "status": plan.status,
        "anchor_date": _iso(plan.anchor_date),
        "current_phase": _id(plan.current_phase_id),
        "created_at": _iso(plan.created_at),
        "activated_at": _iso(plan.activated_at),
        "phases": [_phase(phase) for phase in plan.phases.all()],
    }


# A log as read for the export: plain values (a patient has hundreds of logs, each of which
# would otherwise come with its prescription and exercise as models).
LOG_VALUES = (
    "pk",
    "date",
    "prescription_id",
    "prescription__exercise__name",
    "sets_done",
    "reps",
    "hold_seconds",
    "pain",
    "effort",
    "note",
    "created_at",
)


def _log(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _id(row["pk"]),
        "date": _iso(row["date"]),
        "prescription": _id(row["prescription_id"]),
        "exercise": row["prescription__exercise__name"],
        "sets_done": row["sets_done"],
        "reps": row["reps"],
        "hold_seconds": row["hold_seconds"],
        "pain": row["pain"],
        "effort": row["effort"],
        "note": row["note"],
        "created_at": _iso(row["created_at"]),
    }


def _checkin(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": _id(checkin.pk),
        "date": _iso(checkin.date),
        "pain_at_rest": checkin.pain_at_rest,
        "swelling": checkin.swelling,
        "flag_dvt": checkin.flag_dvt,
        "flag_pe": checkin.flag_pe,
        "flag_wound": checkin.flag_wound,
        "flag_circulation": checkin.flag_circulation,
        "flag_rerupture": checkin.flag_rerupture,
        "note": checkin.note,
        "created_at": _iso(checkin.created_at),
    }


def _atrs(response: AtrsResponse) -> dict[str, Any]:
    return {
        "id": _id(response.pk),
        "date": _iso(response.date),
        **{name: getattr(response, name) for name in AtrsResponse.ITEM_FIELDS},
        "total": response.total,
        "created_at": _iso(response.created_at),
    }


def _measurement(row: Measurement) -> dict[str, Any]:
    return {
        "id": _id(row.pk),
        "date": _iso(row.date),
        "heel_rise_reps_injured": row.heel_rise_reps_injured,
        "heel_rise_reps_uninjured": row.heel_rise_reps_uninjured,
        "heel_rise_lsi": row.heel_rise_lsi,
        "calf_cm_injured": _num(row.calf_cm_injured),
        "calf_cm_uninjured": _num(row.calf_cm_uninjured),
        "note": row.note,
        "created_at": _iso(row.created_at),
    }


def _alert(alert: Alert) -> dict[str, Any]:
    return {
        "id": _id(alert.pk),
        "kind": alert.kind,
        "code": alert.code,
        "message": alert.message,
        "check_in": _id(alert.checkin_id),
        "log": _id(alert.log_id),
        "created_at": _iso(alert.created_at),
        "acknowledged_at": _iso(alert.acknowledged_at),
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        "id": _id(message.pk),
        "from_patient": message.from_patient,
        "body": message.body,
        "created_at": _iso(message.created_at),
        "read_at": _iso(message.read_at),
    }


def patient_export(patient: Patient, *, include_drafts: bool) -> dict[str, Any]:
    """Everything stored about the patient. ``include_drafts``: the clinic's export also holds
    draft plans; the patient's own export holds only what they were given (as on their pages)."""
    plans = Plan.objects.filter(patient=patient).order_by("created_at", "pk")
    if not include_drafts:
        plans = plans.exclude(status=Plan.Status.DRAFT)
    plans = plans.prefetch_related(
        Prefetch(
            "phases",
            queryset=PlanPhase.objects.order_by("order", "pk").prefetch_related(
                Prefetch(
                    "prescriptions",
                    queryset=Prescription.objects.select_related("exercise")
                    .defer(*EXERCISE_TEXT)
                    .order_by("order", "pk"),
                )
            ),
        )
    )
    logs = (
        ExerciseLog.objects.filter(patient=patient)
        .order_by("date", "created_at", "pk")
        .values(*LOG_VALUES)
    )
    return {
        "format": "achilles-rehab-export",
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "profile": _profile(patient),
        "plans": [_plan(plan) for plan in plans],
        "logs": [_log(log) for log in logs],
        "check_ins": [
            _checkin(c) for c in CheckIn.objects.filter(patient=patient).order_by("date", "pk")
        ],
        "atrs": [
            _atrs(a) for a in AtrsResponse.objects.filter(patient=patient).order_by("date", "pk")
        ],
        "measurements": [
            _measurement(m)
            for m in Measurement.objects.filter(patient=patient).order_by("date", "pk")
        ],
        "alerts": [
            _alert(a) for a in Alert.objects.filter(patient=patient).order_by("created_at", "pk")
        ],
        "messages": [
            _message(m)
            for m in Message.objects.filter(patient=patient).order_by("created_at", "pk")
        ],
    }
