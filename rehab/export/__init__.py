"""A patient's whole record as plain data: for their own download and for the clinic's export.

``patient_export`` returns JSON-ready dicts and lists only (strings, numbers, booleans, None):
ids are opaque strings (they link rows inside the export, nothing more), dates and times ISO
8601 with their offset. Each kind of row is read once, as plain values (a patient has hundreds of logs: read as
models they would cost many times their few values), so the query count does not grow with the
number of rows. ``rehab.views.records`` serves it as a JSON download and as a printable page.

Two readers. The clinic's export (``for_clinic``) is everything stored about the patient: draft
plans too, and the clinicians' own notes about them (``CLINICIAN_NOTES``: why an exercise was
placed before its earliest safe week, the review note that resumed a paused plan, why a
clinician did not move the patient on to the next phase yet), and who did each act a row
records (``WHO``: who acknowledged an alert, judged an exit criterion, uploaded a video, made
a change in the plan builder, read a patient's message, …). The patient's own export is their
copy of their data (what they gave and were given, their health details and what happened to
their plan, the changes made in it too); it leaves out those notes: design.md keeps clinician
notes off everything a patient reads, and the patient's API hands out neither
(``guardrail_reason`` is null for a patient there). Nor does it name the clinic's staff behind
each act (``WHO``), as before: their pages say "your physiotherapist". Someone wanting the
clinicians' notes or names too asks their clinic, whose admin's export holds them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, Trim
from django.utils import timezone

from clinic.models import Clinician, Message, Patient
from rehab.export.fields import (
    ALERT_FIELDS,
    ATRS_FIELDS,
    ATRS_REQUEST_FIELDS,
    CHECKIN_FIELDS,
    CLINICIAN_NOTES,
    CRITERION_JUDGEMENT_FIELDS,
    HOLD_FIELDS,
    LOG_FIELDS,
    MEASUREMENT_FIELDS,
    MEDIA_FIELDS,
    MESSAGE_FIELDS,
    PHASE_CHANGE_FIELDS,
    PHASE_FIELDS,
    PLAN_CRITERION_FIELDS,
    PLAN_EDIT_FIELDS,
    PLAN_FIELDS,
    PRESCRIPTION_FIELDS,
    PROFILE_FIELDS,
    PROPOSAL_DISMISSAL_FIELDS,
    WHO,
    same,
)
from rehab.models.alerts import Alert, PlanHold
from rehab.models.criteria import CriterionJudgement, PlanCriterion, ProposalDismissal
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import (
    COUNTS_AS_SESSION,
    PhaseChange,
    Plan,
    PlanEdit,
    PlanPhase,
    Prescription,
    PrescriptionMedia,
)

FORMAT_VERSION = 1


def _with_who[M: Model](
    queryset: QuerySet[M], fields: Mapping[str, str], kind: str, *, for_clinic: bool
) -> tuple[QuerySet[M], dict[str, str]]:
    """``queryset`` and ``fields`` with who did what (``WHO[kind]``) for the clinic's export:
    the name read in the same query (a join), so the query count does not change."""
    if not for_clinic or kind not in WHO:
        return queryset, dict(fields)
    names = {
        f"{key}_name": Coalesce(
            NullIf(F(f"{key}__full_name"), Value("")),
            F(f"{key}__email"),
            output_field=CharField(),
        )
        for key in WHO[kind]
    }
    who = {}
    for key in WHO[kind]:
        who[key] = f"{key}_id"
        who[f"{key}_name"] = f"{key}_name"
    return queryset.annotate(**names), {**fields, **who}


def _without(fields: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    return {key: lookup for key, lookup in fields.items() if key not in keys}


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _plain(value: Any) -> Any:
    """A stored value as the export holds it: dates and times ISO 8601, decimals as numbers."""
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _column(lookup: str, values: Sequence[Any]) -> Sequence[Any]:
    """One field's values down the rows as the export holds them: an id's (``pk``, ``…_id``)
    as strings (``_id``), a column holding dates, times or decimals ``_plain``; any other
    (numbers, text, booleans: most) as read, with no call per value."""
    if lookup == "pk" or lookup.endswith("_id"):
        return [None if value is None else str(value) for value in values]
    if any(issubclass(kind, (dt.date, Decimal)) for kind in set(map(type, values))):
        return [_plain(value) for value in values]
    return values


def _dicts(fields: Mapping[str, str], columns: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """The rows whose values are ``columns`` (one a field of ``fields``, in its order, each
    holding that field's value of every row) as ``{key: plain value}``, converted a column
    at a time: a patient has hundreds of logs of a dozen values each."""
    keys = tuple(fields)
    converted = [
        _column(lookup, values) for lookup, values in zip(fields.values(), columns, strict=True)
    ]
    return [dict(zip(keys, row, strict=True)) for row in zip(*converted, strict=True)]


# How the export reads a kind of row for each reader (``_query``).
type _Query = dict[bool, tuple[QuerySet[Any, tuple[Any, ...]], dict[str, str]]]


def _query(
    queryset: QuerySet[Any], fields: Mapping[str, str], kind: str, *, by: str | None = None
) -> _Query:
    """How the export reads one kind of row, for each reader (``for_clinic`` true, false):
    ``queryset`` (in its order) as the values of ``fields`` (key → lookup), then the lookup
    ``by`` (a parent's id: ``_rows_by``) if given, and the keys they are read under; the
    clinic's with who did each act (``WHO[kind]``), the patient's without the clinicians'
    notes (``CLINICIAN_NOTES[kind]``). Each kind's is a module constant, as ``_PLANS`` (a
    queryset reads nothing until it is filtered and read, in a request): building its order,
    names and values anew on each request cost about as much CPU as reading its rows."""
    reads = {}
    for for_clinic in (True, False):
        kept = dict(fields) if for_clinic else _without(fields, CLINICIAN_NOTES.get(kind, ()))
        annotated, kept = _with_who(queryset, kept, kind, for_clinic=for_clinic)
        reads[for_clinic] = (annotated.values_list(*kept.values(), *([by] if by else [])), kept)
    return reads


def _rows(
    queryset: QuerySet[Any, tuple[Any, ...]], fields: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each row of ``queryset`` (a ``_query``'s, filtered) as ``{key: plain value}`` for
    ``fields``, the keys it is read under."""
    rows = list(queryset)
    return _dicts(fields, list(zip(*rows, strict=True))) if rows else []


def _rows_by(
    queryset: QuerySet[Any, tuple[Any, ...]], fields: Mapping[str, str]
) -> dict[Any, list[dict[str, Any]]]:
    """``_rows`` of a ``_query`` read ``by`` a parent's id (its last value), grouped by that
    id, in order."""
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    rows = list(queryset)
    if rows:
        *columns, parents = zip(*rows, strict=True)
        for parent, row in zip(parents, _dicts(fields, columns), strict=True):
            groups[parent].append(row)
    return groups


def _instances(objects: Iterable[Model], fields: Mapping[str, str]) -> list[dict[str, Any]]:
    """Model instances' attributes (properties too) as ``_rows`` gives fields."""
    rows = [[getattr(obj, name) for name in fields.values()] for obj in objects]
    return _dicts(fields, list(zip(*rows, strict=True))) if rows else []


def export_filename(day: dt.date) -> str:
    """The download's name: no patient name in it."""
    return f"rehab-export-{day.isoformat()}.json"


# Whether a plan has rows of each kind its export holds beside its phases (an ``EXISTS`` each,
# read with the plan): the query of a kind no plan has is not made (most plans have no pause,
# no exit criterion, no photo, …), so the count stays at most one query a kind, whatever the
# number of rows.
_HAS: dict[str, tuple[QuerySet[Any], str]] = {
    "has_media": (PrescriptionMedia.objects.all(), "prescription__phase__plan"),
    "has_criteria": (PlanCriterion.objects.all(), "phase__plan"),
    "has_holds": (PlanHold.objects.all(), "plan"),
    "has_phase_changes": (PhaseChange.objects.all(), "plan"),
    "has_edits": (PlanEdit.objects.all(), "plan"),
    "has_judgements": (CriterionJudgement.objects.all(), "plan"),
    "has_dismissals": (ProposalDismissal.objects.all(), "phase__plan"),
}


# The plans' query, each plan with whether its name is its template's and whether it has rows
# of each kind (``_HAS``): defined once, as ``_HAS``'s querysets are (a queryset reads nothing
# until it is filtered and read, in a request): resolving its seven subqueries anew each time
# cost more CPU than the query itself.
_PLANS = Plan.objects.annotate(
    trimmed_name=Trim("name"),
    named_after_template=ExpressionWrapper(
        Q(protocol__isnull=False, trimmed_name=Trim("protocol__name")),
        output_field=BooleanField(),
    ),
    **{
        flag: Exists(rows.filter(**{lookup: OuterRef("pk")}))
        for flag, (rows, lookup) in _HAS.items()
    },
)


# How the export reads the plans (``_PLANS``, oldest first), their phases and their exercises
# (``_query``). Advice to read (``Exercise.is_advice``) has no dose for the patient: the page
# says so.
_PLAN_ROWS = _query(_PLANS.order_by("created_at", "pk"), {**PLAN_FIELDS, **same(*_HAS)}, "plans")
_PHASE_ROWS = _query(
    PlanPhase.objects.order_by("order", "pk"), PHASE_FIELDS, "phases", by="plan_id"
)
_PRESCRIPTION_ROWS = _query(
    Prescription.objects.annotate(
        advice=ExpressionWrapper(~COUNTS_AS_SESSION, output_field=BooleanField())
    ).order_by("order", "pk"),
    PRESCRIPTION_FIELDS,
    "prescriptions",
    by="phase_id",
)
# How the export reads each kind of row a plan may not have (``_HAS``'s flags), grouped by its
# parent's id (the plan's, its phase's or its exercise's); a request filters it by ``_HAS``'s
# lookup of its plan.
_OPTIONAL_ROWS = {
    "has_media": _query(
        PrescriptionMedia.objects.order_by("created_at", "pk"),
        MEDIA_FIELDS,
        "media",
        by="prescription_id",
    ),
    "has_criteria": _query(
        PlanCriterion.objects.order_by("order", "pk"),
        PLAN_CRITERION_FIELDS,
        "criteria",
        by="phase_id",
    ),
    "has_holds": _query(
        PlanHold.objects.order_by("started_at", "pk"), HOLD_FIELDS, "holds", by="plan_id"
    ),
    "has_phase_changes": _query(
        PhaseChange.objects.order_by("changed_at", "pk"),
        PHASE_CHANGE_FIELDS,
        "phase_changes",
        by="plan_id",
    ),
    "has_edits": _query(
        PlanEdit.objects.order_by("version", "pk"), PLAN_EDIT_FIELDS, "plan_edits", by="plan_id"
    ),
    "has_judgements": _query(
        CriterionJudgement.objects.order_by("at", "pk"),
        CRITERION_JUDGEMENT_FIELDS,
        "criterion_judgements",
        by="plan_id",
    ),
    "has_dismissals": _query(
        ProposalDismissal.objects.order_by("dismissed_at", "pk"),
        PROPOSAL_DISMISSAL_FIELDS,
        "proposal_dismissals",
        by="phase__plan_id",
    ),
}


def _plans(patient: Patient, *, for_clinic: bool) -> list[dict[str, Any]]:
    """The patient's plans, each with its phases, each with its exercises (retired ones too:
    the logs refer to them; each with the photos and videos filmed for it) and its exit
    criteria, the plan's pauses, its phase changes, the changes made in the plan builder, the
    judgements of its exit criteria (each one given, kept when a later one changed it) and the
    proposals of the next phase that a clinician dismissed. At most ten queries: the plans
    (with whether they have each kind of row), then each kind that one of them has."""
    plans, plan_fields = _PLAN_ROWS[for_clinic]
    plans = plans.filter(patient=patient)
    if not for_clinic:
        plans = plans.exclude(status=Plan.Status.DRAFT)
    result = _rows(plans, plan_fields)
    has = {flag: [plan["id"] for plan in result if plan.pop(flag)] for flag in _HAS}
    if not result:
        return result
    plan_ids = [plan["id"] for plan in result]

    def rows_by(flag: str) -> Mapping[Any, list[dict[str, Any]]]:
        """The rows of a kind that a plan may not have, of the plans that have some: no query
        made if none has."""
        if not has[flag]:
            return {}
        queryset, fields = _OPTIONAL_ROWS[flag][for_clinic]
        plan = _HAS[flag][1]  # the lookup of a row's plan
        return _rows_by(queryset.filter(**{f"{plan}__in": has[flag]}), fields)

    def of_plans(query: _Query, plan_lookup: str) -> dict[Any, list[dict[str, Any]]]:
        """The rows of a kind that every plan may have (phases, exercises) of the plans."""
        queryset, fields = query[for_clinic]
        return _rows_by(queryset.filter(**{plan_lookup: plan_ids}), fields)

    media_of = rows_by("has_media")
    prescriptions = of_plans(_PRESCRIPTION_ROWS, "phase__plan_id__in")
    for rows in prescriptions.values():
        for prescription in rows:
            prescription["media"] = media_of.get(int(prescription["id"]), [])
    criteria = rows_by("has_criteria")
    phases_of = of_plans(_PHASE_ROWS, "plan_id__in")
    for rows in phases_of.values():
        for phase in rows:
            phase_id = int(phase["id"])
            phase["prescriptions"] = prescriptions.get(phase_id, [])
            phase["criteria"] = criteria.get(phase_id, [])
    holds_of = rows_by("has_holds")
    changes_of = rows_by("has_phase_changes")
    edits_of = rows_by("has_edits")
    judgements_of = rows_by("has_judgements")
    dismissals_of = rows_by("has_dismissals")
    for plan in result:
        plan_id = int(plan["id"])
        plan["phases"] = phases_of.get(plan_id, [])
        plan["holds"] = holds_of.get(plan_id, [])
        plan["phase_changes"] = changes_of.get(plan_id, [])
        plan["edits"] = edits_of.get(plan_id, [])
        plan["criterion_judgements"] = judgements_of.get(plan_id, [])
        plan["proposal_dismissals"] = dismissals_of.get(plan_id, [])
    return result


def _therapist(patient: Patient) -> dict[str, str | None]:
    """The physiotherapist who looks after the patient (``Patient.therapist``), by the name
    their account shows (its email if it has no name); null if none is assigned. One query
    when one is."""
    if patient.therapist_id is None:
        return {"therapist": None, "therapist_name": None}
    therapist = (
        Clinician.objects.filter(pk=patient.therapist_id)
        .select_related("user")
        .only("user__full_name", "user__email")
        .first()
    )
    return {
        "therapist": _id(patient.therapist_id),
        "therapist_name": None if therapist is None else str(therapist.user),  # User.__str__
    }


# A log's values read from its prescription, as the plans' exercises hold them under the same
# key (its exercise's names): taken from those, the logs' query joins no table.
_LOG_FROM_PRESCRIPTION = {
    key: lookup.removeprefix("prescription__")
    for key, lookup in LOG_FIELDS.items()
    if lookup == f"prescription__{PRESCRIPTION_FIELDS.get(key)}"
}


# The logs' values but those taken from their exercises (``_LOG_FROM_PRESCRIPTION``), in order:
# defined once, as ``_query``'s are.
_LOG_READ = {key: lookup for key, lookup in LOG_FIELDS.items() if key not in _LOG_FROM_PRESCRIPTION}
_LOGS = ExerciseLog.objects.order_by("date", "created_at", "pk").values_list(*_LOG_READ.values())


def _logs(patient: Patient, plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The patient's exercise logs. A patient has hundreds, of a few dozen exercises: each
    log's exercise names are taken from its exercise in ``plans`` (which holds them all), not
    joined to each log; those of a log whose exercise is not there (a patient logs the
    exercises of the plans they were given) are read in one more query, whatever their number."""
    rows = list(_LOGS.filter(patient=patient))
    if not rows:
        return []
    columns = dict(zip(_LOG_READ, zip(*rows, strict=True), strict=True))
    prescription_ids = _column("prescription_id", columns["prescription"])
    given = {
        rx["id"]: [rx[key] for key in _LOG_FROM_PRESCRIPTION]
        for plan in plans
        for phase in plan["phases"]
        for rx in phase["prescriptions"]
    }
    if missing := set(prescription_ids) - given.keys():
        for pk, *values in Prescription.objects.filter(pk__in=missing).values_list(
            "pk", *_LOG_FROM_PRESCRIPTION.values()
        ):
            given[str(pk)] = values
    taken = dict(
        zip(
            _LOG_FROM_PRESCRIPTION,
            zip(*(given[pk] for pk in prescription_ids), strict=True),
            strict=True,
        )
    )
    return _dicts(
        LOG_FIELDS, [columns[key] if key in columns else taken[key] for key in LOG_FIELDS]
    )


# The patient's own rows of each other kind, read as ``_query``'s; the ATRS answers and the
# measurements as models, for what the model computes (the ATRS total, the heel-rise
# symmetry): a patient has a few of these.
_CHECK_IN_ROWS = _query(CheckIn.objects.order_by("date", "pk"), CHECKIN_FIELDS, "check_ins")
_ATRS_REQUEST_ROWS = _query(
    AtrsRequest.objects.order_by("requested_at", "pk"), ATRS_REQUEST_FIELDS, "atrs_requests"
)
_ALERT_ROWS = _query(Alert.objects.order_by("created_at", "pk"), ALERT_FIELDS, "alerts")
_MESSAGE_ROWS = _query(Message.objects.order_by("created_at", "pk"), MESSAGE_FIELDS, "messages")
_ATRS = AtrsResponse.objects.order_by("date", "pk")
_MEASUREMENTS = {
    for_clinic: _with_who(
        Measurement.objects.order_by("date", "pk"),
        MEASUREMENT_FIELDS,
        "measurements",
        for_clinic=for_clinic,
    )
    for for_clinic in (True, False)
}


def patient_export(patient: Patient, *, for_clinic: bool) -> dict[str, Any]:
    """The patient's record. ``for_clinic``: the clinic's export, everything stored about the
    patient (draft plans and the clinicians' notes too); else the patient's own copy, which
    holds only the plans they were given (as on their pages) and no clinician's note."""

    def rows(query: _Query) -> list[dict[str, Any]]:
        """The patient's rows of a kind, as ``query`` reads them for this reader."""
        queryset, fields = query[for_clinic]
        return _rows(queryset.filter(patient=patient), fields)

    exported_at = _plain(timezone.now())
    plans = _plans(patient, for_clinic=for_clinic)
    measurements, measurement_fields = _MEASUREMENTS[for_clinic]
    return {
        "format": "achilles-rehab-export",
        "format_version": FORMAT_VERSION,
        "exported_at": exported_at,
        "profile": {
            **_instances([patient], PROFILE_FIELDS)[0],
            "clinic": patient.clinic.name,
            **_therapist(patient),
            "created_at": _plain(patient.created_at),
        },
        "plans": plans,
        "logs": _logs(patient, plans),
        "check_ins": rows(_CHECK_IN_ROWS),
        "atrs": _instances(_ATRS.filter(patient=patient), ATRS_FIELDS),
        "atrs_requests": rows(_ATRS_REQUEST_ROWS),
        "measurements": _instances(measurements.filter(patient=patient), measurement_fields),
        "alerts": rows(_ALERT_ROWS),
        "messages": rows(_MESSAGE_ROWS),
    }
