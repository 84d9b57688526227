"""What the patient's record holds of each kind of row: its keys and the fields they are read
from (``same``: a key read from the field of its name), the clinicians' notes the patient's
own copy leaves out (``CLINICIAN_NOTES``) and who did each act, for the clinic's export only
(``WHO``). ``rehab.export`` reads the rows with them."""

from __future__ import annotations

from rehab import measures, risk
from rehab.models.criteria import CRITERION_FIELDS
from rehab.models.doses import DOSE_FIELD_NAMES
from rehab.models.logbook import AtrsResponse
from rehab.models.protocols import PHASE_FIELD_NAMES


def same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


# Each kind of row: its key in the export → the field (or lookup) it is read from. A ``pk`` or
# an ``…_id`` is an id: an opaque string in the export.
PLAN_FIELDS = {
    "id": "pk",
    **same("name", "pathway", "status", "anchor_date"),
    # Whether ``name`` is its template's, a clinician's name (``Plan.patient_display_name``):
    # the patient's pages call such a plan "Your recovery plan".
    "named_after_template": "named_after_template",
    "current_phase": "current_phase_id",
    **same("created_at", "activated_at"),
}
PHASE_FIELDS = {"id": "pk", **same("order", *PHASE_FIELD_NAMES, "started_on")}
PRESCRIPTION_FIELDS = {
    "id": "pk",
    "exercise": "exercise__name",
    "exercise_for_patient": "exercise__patient_name",
    "advice": "advice",  # advice to read (an education item): its stored dose is not the patient's
    **same("order", *DOSE_FIELD_NAMES, "note", "retired_at"),
    # The doses it had before a change, oldest first, as stored: each {"until": "YYYY-MM-DD",
    # "times_per_day": n, "days_per_week": n, "sets": n}, in force before that day ("sets"
    # absent from entries kept before the sets were kept with the daily dose).
    "earlier_doses": "earlier_doses",
    "guardrail_reason": "guardrail_reason",  # a clinician's note: CLINICIAN_NOTES
}
# A photo or video filmed for the patient's prescription: what it is and what it shows (its
# description, which the patient's exercise card reads out too), not the file.
MEDIA_FIELDS = {
    "id": "pk",
    **same(
        "kind",
        "description",
        "content_type",
        "size",
        "width",
        "height",
        "duration_seconds",
        "created_at",
    ),
}
# A phase's exit criteria; ``judged_met`` and ``judged_at``: a clinician's yes/no judgement of
# one (null: not judged, or a criterion tested from recorded data).
PLAN_CRITERION_FIELDS = {
    "id": "pk",
    **same(*CRITERION_FIELDS, "judged_met", "judged_at"),
}
# Each judgement a clinician gave of a yes/no exit criterion, oldest first, kept when a later
# one changed it: ``met`` true (met), false (not met) or null (cleared: back to not judged);
# ``criterion`` null once the criterion was removed, its words and its phase's name as they
# were then.
CRITERION_JUDGEMENT_FIELDS = {
    "id": "pk",
    "criterion": "criterion_id",
    **same("phase_name", "criterion_text", "met", "at"),
}
# A clinician's "not yet" to moving the patient on from ``phase`` to the next phase.
PROPOSAL_DISMISSAL_FIELDS = {
    "id": "pk",
    "phase": "phase_id",
    "dismissed_at": "dismissed_at",
    "note": "note",  # a clinician's note: CLINICIAN_NOTES
}
# A red flag's pause of the plan, until a clinician reviewed it and resumed the plan.
HOLD_FIELDS = {
    "id": "pk",
    "flags": "flags",
    "check_in": "checkin_id",
    **same("started_at", "resumed_at"),
    "resume_note": "resume_note",  # a clinician's note: CLINICIAN_NOTES
}
PHASE_CHANGE_FIELDS = {
    "id": "pk",
    "from_phase": "from_phase_id",
    "to_phase": "to_phase_id",
    **same("effective_on", "changed_at"),
}
# A change made in the plan builder: the plan's version it made, what (``action``: its stored
# code, as the export's other choices), the phase (null once removed) and the phase's and
# exercise's names as they were then, when.
PLAN_EDIT_FIELDS = {
    "id": "pk",
    **same("version", "action"),
    "phase": "phase_id",
    **same("phase_name", "exercise_name", "at"),
}
LOG_FIELDS = {
    "id": "pk",
    "date": "date",
    "prescription": "prescription_id",
    "exercise": "prescription__exercise__name",
    "exercise_for_patient": "prescription__exercise__patient_name",
    **same(
        "sets_done",
        "sets_prescribed",
        "reps",
        "hold_seconds",
        "pain",
        "effort",
        "note",
        "created_at",
    ),
}
CHECKIN_FIELDS = {
    "id": "pk",
    **same(
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
    **same("kind", "code", "message"),
    "check_in": "checkin_id",
    "log": "log_id",
    **same("created_at", "acknowledged_at"),
}
MESSAGE_FIELDS = {"id": "pk", **same("from_patient", "body", "created_at", "read_at")}
# A clinician asking for the ATRS outside the usual weeks; ``response``: the answer, if given.
ATRS_REQUEST_FIELDS = {"id": "pk", "requested_at": "requested_at", "response": "response_id"}
# Read as models, for what the model computes (the ATRS total, the heel-rise symmetry): a
# patient has a few of these.
ATRS_FIELDS = {"id": "pk", **same("date", *AtrsResponse.ITEM_FIELDS, "total", "created_at")}
MEASUREMENT_FIELDS = {
    "id": "pk",
    **same(
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
    **same(
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
        # Health details that move the earliest safe weeks (rehab.risk): the patient's too.
        *risk.FLAG_FIELDS,
    ),
}
# Each kind of row's keys that are a clinician's note about the patient: only in the clinic's
# export (see the module's docstring).
CLINICIAN_NOTES = {
    "prescriptions": ("guardrail_reason",),
    "holds": ("resume_note",),
    "proposal_dismissals": ("note",),
}


# Who did what each row records (the clinic's export only): the kind of row → its foreign keys
# to the account that acted. Each gives two keys: ``<key>`` (the account's id, an opaque string
# like the export's other ids; the same person has the same id throughout) and ``<key>_name``
# (the name the account shows, as ``User.__str__``: its full name, else its email); both null
# when none is stored (say, an alert not acknowledged yet). The "when" is the row's own.
WHO = {
    "plans": ("created_by",),
    "phase_changes": ("changed_by",),
    "plan_edits": ("by",),
    "holds": ("resumed_by",),
    "proposal_dismissals": ("dismissed_by",),
    "criteria": ("judged_by",),
    "criterion_judgements": ("by",),
    "media": ("uploaded_by",),
    "alerts": ("acknowledged_by",),
    "atrs_requests": ("requested_by",),
    "measurements": ("recorded_by",),
    "messages": ("author", "read_by"),
}
