"""Clinics (the tenants), the people in them, invitations, messages and sessions.

One module per sub-domain; import from ``clinic.models``. ``clinic`` never imports ``rehab``:
dependencies point one way.
"""

from __future__ import annotations

from clinic.models.clinics import (
    ESCALATION_MINUTES_MAX,
    ESCALATION_MINUTES_MIN,
    WEEKDAYS,
    Clinic,
    Clinician,
    default_opening_hours,
    timezone_choices,
    timezone_names,
    validate_email_list,
    validate_opening_hours,
    validate_timezone,
)
from clinic.models.messages import Message
from clinic.models.patients import PATIENT_DETAILS, Patient, PatientQuerySet
from clinic.models.sessions import TokenSecondFactor, UserSession
from clinic.models.team import TEAM_EVENT_DETAIL_MAX_LENGTH, Invitation, TeamEvent, hash_token
from clinic.models.users import User, UserManager

__all__ = [
    "ESCALATION_MINUTES_MAX",
    "ESCALATION_MINUTES_MIN",
    "PATIENT_DETAILS",
    "TEAM_EVENT_DETAIL_MAX_LENGTH",
    "WEEKDAYS",
    "Clinic",
    "Clinician",
    "Invitation",
    "Message",
    "Patient",
    "PatientQuerySet",
    "TeamEvent",
    "TokenSecondFactor",
    "User",
    "UserManager",
    "UserSession",
    "default_opening_hours",
    "hash_token",
    "timezone_choices",
    "timezone_names",
    "validate_email_list",
    "validate_opening_hours",
    "validate_timezone",
]
