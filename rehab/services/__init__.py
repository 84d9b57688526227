"""Writes for the rehab app, one module per business process: the library, protocols and
templates, plans and their course, the builder, progression, criteria, media, what patients log
(``logbook``), holds, alerts, risk offsets, outcomes, a patient's record.

Views call one of these; each is atomic and validates first. Keyword-only, typed arguments.
Domain errors are ``django.core.exceptions.ValidationError`` with messages fit to show a user.
This package re-exports the most used services for short call sites outside the app
(``services.x``); code in ``rehab``, and whatever is not re-exported, imports from the
sub-module."""

from __future__ import annotations

from rehab.services.alerts import alert_acknowledge
from rehab.services.builder import (
    DOWN,
    PHASE_EDIT_FIELDS,
    UP,
    phase_add,
    phase_move,
    phase_remove,
    phase_update,
    plan_rename,
    prescription_add,
    prescription_move,
    prescription_move_to_phase,
    prescription_remove,
    prescription_update,
)
from rehab.services.course import plans_complete_for, plans_follow_anchor
from rehab.services.library import exercise_create, exercise_delete, exercise_update
from rehab.services.logbook.atrs import atrs_record
from rehab.services.logbook.checkins import checkin_record
from rehab.services.logbook.ticks import log_record, log_undo, log_update
from rehab.services.outcomes import atrs_request_create, measurement_record
from rehab.services.plans import (
    DOSE_FIELDS,
    PHASE_FIELDS,
    plan_activate,
    plan_activation_early_placements,
    plan_draft,
    plan_from_protocol,
)
from rehab.services.progression import (
    plan_advance_phase,
    plan_phase_change_early_placements,
    plan_previous_phase,
    plan_set_phase,
    plan_step_target,
)
from rehab.services.records import ERASE_CONFIRMATION, ERASED_TEXT, patient_erase

__all__ = [
    "DOSE_FIELDS",
    "DOWN",
    "ERASED_TEXT",
    "ERASE_CONFIRMATION",
    "PHASE_EDIT_FIELDS",
    "PHASE_FIELDS",
    "UP",
    "alert_acknowledge",
    "atrs_record",
    "atrs_request_create",
    "checkin_record",
    "exercise_create",
    "exercise_delete",
    "exercise_update",
    "log_record",
    "log_undo",
    "log_update",
    "measurement_record",
    "patient_erase",
    "phase_add",
    "phase_move",
    "phase_remove",
    "phase_update",
    "plan_activate",
    "plan_activation_early_placements",
    "plan_advance_phase",
    "plan_draft",
    "plan_from_protocol",
    "plan_phase_change_early_placements",
    "plan_previous_phase",
    "plan_rename",
    "plan_set_phase",
    "plan_step_target",
    "plans_complete_for",
    "plans_follow_anchor",
    "prescription_add",
    "prescription_move",
    "prescription_move_to_phase",
    "prescription_remove",
    "prescription_update",
]
