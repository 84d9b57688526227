"""Reads for the rehab app, one module per page or question: Today and its notices, adherence
(and the plan days it counts), progress, the clinician's desk and a patient's page, the
timeline, the builder, progression, the library, history, criteria, outcomes, recovery.

Every function keeps its query count independent of the number of rows it reads. This package
re-exports the most used selectors for short call sites outside the app (``selectors.x``); code
in ``rehab``, and whatever is not re-exported, imports from the sub-module."""

from __future__ import annotations

from rehab.selectors.adherence import (
    Adherence,
    DayAdherence,
    adherence_for_patient,
    adherence_for_patients,
    judged_adherence_for_patient,
    judged_adherence_for_patients,
)
from rehab.selectors.builder import (
    BuilderItem,
    BuilderPhase,
    PlanBuilder,
    default_dose_text,
    handout_items,
    plan_builder,
    protocol_exercises_not_offered,
)
from rehab.selectors.clinician import (
    ADHERENCE_WINDOW_DAYS,
    FALLING_BEHIND_PERCENT,
    LAST_PAIN_WINDOW_DAYS,
    PatientRow,
    acknowledged_alerts_for_clinic,
    active_plans_for_patients,
    adherence_window,
    last_pain_for_patients,
    open_alert_counts,
    open_alerts_for_clinic,
    patient_rows,
    patients_falling_behind,
    patients_matching,
    patients_with_unread_messages,
)
from rehab.selectors.library import library_search
from rehab.selectors.notices import (
    AtrsOffer,
    TodayNotices,
    atrs_offer,
    checkin_on,
    open_atrs_request,
    today_notices,
)
from rehab.selectors.patient_page import (
    message_thread,
    open_alerts,
    plans_of_patient,
    recent_messages,
)
from rehab.selectors.progress import (
    Encouragement,
    HistoryDay,
    Milestone,
    PainPoint,
    add_milestones,
    atrs_series,
    encouragement,
    history_by_day,
    measurement_series,
    pain_series,
    plan_phases,
    streak,
)
from rehab.selectors.progression import (
    PROGRESSION_ADHERENCE_DAYS,
    PROGRESSION_PAIN_DAYS,
    PainDay,
    ProgressionEvidence,
    progression_evidence,
)
from rehab.selectors.today import (
    Today,
    TodayItem,
    active_plan,
    is_due_on,
    phase_on,
    prescription_to_log,
    today_for_patient,
)

__all__ = [
    "ADHERENCE_WINDOW_DAYS",
    "FALLING_BEHIND_PERCENT",
    "LAST_PAIN_WINDOW_DAYS",
    "PROGRESSION_ADHERENCE_DAYS",
    "PROGRESSION_PAIN_DAYS",
    "Adherence",
    "AtrsOffer",
    "BuilderItem",
    "BuilderPhase",
    "DayAdherence",
    "Encouragement",
    "HistoryDay",
    "Milestone",
    "PainDay",
    "PainPoint",
    "PatientRow",
    "PlanBuilder",
    "ProgressionEvidence",
    "Today",
    "TodayItem",
    "TodayNotices",
    "acknowledged_alerts_for_clinic",
    "active_plan",
    "active_plans_for_patients",
    "add_milestones",
    "adherence_for_patient",
    "adherence_for_patients",
    "adherence_window",
    "atrs_offer",
    "atrs_series",
    "checkin_on",
    "default_dose_text",
    "encouragement",
    "handout_items",
    "history_by_day",
    "is_due_on",
    "judged_adherence_for_patient",
    "judged_adherence_for_patients",
    "last_pain_for_patients",
    "library_search",
    "measurement_series",
    "message_thread",
    "open_alert_counts",
    "open_alerts",
    "open_alerts_for_clinic",
    "open_atrs_request",
    "pain_series",
    "patient_rows",
    "patients_falling_behind",
    "patients_matching",
    "patients_with_unread_messages",
    "phase_on",
    "plan_builder",
    "plan_phases",
    "plans_of_patient",
    "prescription_to_log",
    "progression_evidence",
    "protocol_exercises_not_offered",
    "recent_messages",
    "streak",
    "today_for_patient",
    "today_notices",
]
