"""Reads for the clinician's desk, by job: the patient list (``patients``), the alerts inbox
(``alerts``) and the dashboard (``dashboard``); one patient's page reads from ``patient_page``.
Their names are here too, so ``from rehab.selectors import clinician`` reads them all."""

from __future__ import annotations

from rehab.selectors.clinician.alerts import (
    ALERT_REPORT,
    ALERT_ROW_FIELDS,
    acknowledged_alerts_for_clinic,
    alerts_page_joined,
    first_open_alerts,
    open_alerts_for_clinic,
)
from rehab.selectors.clinician.dashboard import (
    FALLING_BEHIND_PERCENT,
    MY_PATIENTS_SHOWN,
    FallingBehind,
    MyPatientRow,
    falling_behind,
    my_patients,
    patients_falling_behind,
    patients_with_unread_messages,
)
from rehab.selectors.clinician.patients import (
    ADHERENCE_WINDOW_DAYS,
    LAST_PAIN_WINDOW_DAYS,
    PATIENT_SORTS,
    PatientRow,
    active_plans_for_patients,
    adherence_window,
    complete_patient_rows,
    last_pain_for_patients,
    open_alert_counts,
    patient_rows,
    patients_matching,
    sorted_patient_rows,
)

__all__ = [
    "ADHERENCE_WINDOW_DAYS",
    "ALERT_REPORT",
    "ALERT_ROW_FIELDS",
    "FALLING_BEHIND_PERCENT",
    "LAST_PAIN_WINDOW_DAYS",
    "MY_PATIENTS_SHOWN",
    "PATIENT_SORTS",
    "FallingBehind",
    "MyPatientRow",
    "PatientRow",
    "acknowledged_alerts_for_clinic",
    "active_plans_for_patients",
    "adherence_window",
    "alerts_page_joined",
    "complete_patient_rows",
    "falling_behind",
    "first_open_alerts",
    "last_pain_for_patients",
    "my_patients",
    "open_alert_counts",
    "open_alerts_for_clinic",
    "patient_rows",
    "patients_falling_behind",
    "patients_matching",
    "patients_with_unread_messages",
    "sorted_patient_rows",
]
